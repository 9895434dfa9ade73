using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Tests.Corpus;

/// <summary>Canonical labels, label maps and several corpora in one run (docs/labels.md).</summary>
[Trait("Category", "unit")]
public class CanonicalLabelTests
{
    [Theory]
    [InlineData("anger", "angry")]
    [InlineData("ANG", "angry")]
    [InlineData("Wütend", "angry")]
    [InlineData("rabbia", "angry")]
    [InlineData("öfke", "angry")]
    [InlineData("Kızgın", "angry")]
    [InlineData("غصہ", "angry")]
    [InlineData("joy", "happy")]
    [InlineData("gioia", "happy")]
    [InlineData("Alegría", "happy")]
    [InlineData("tristezza", "sad")]
    [InlineData("Üzgün", "sad")]
    [InlineData("fearful", "fear")]
    [InlineData("paura", "fear")]
    [InlineData("Ekel", "disgust")]
    [InlineData("Pleasant_Surprise", "surprise")]
    [InlineData("ps", "surprise")]
    [InlineData("surprised", "surprise")]
    [InlineData("Langeweile", "boredom")]
    [InlineData("neu", "neutral")]
    [InlineData("  calm ", "calm")]
    public void Known_spellings_map_to_their_canonical_label(string label, string canonical) =>
        Assert.Equal(canonical, CanonicalLabels.Canonical(label));

    [Theory]
    [InlineData("excited")]
    [InlineData("A")]
    [InlineData("W")]
    [InlineData("01")]
    public void Unknown_or_ambiguous_labels_are_not_guessed(string label) => Assert.Null(CanonicalLabels.Canonical(label));

    [Fact]
    public void Every_canonical_label_maps_to_itself_and_the_table_only_names_canonical_labels()
    {
        foreach (string c in CanonicalLabels.All)
            Assert.Equal(c, CanonicalLabels.Canonical(c));
        Assert.All(CanonicalLabels.KnownSpellings.Values, v => Assert.Contains(v, CanonicalLabels.All));
        Assert.Equal(9, CanonicalLabels.All.Count);
    }

    private static string Manifest(TempDir dir, string name, string folder, IEnumerable<(string Label, string Speaker)> rows, string? corpusColumn = null)
    {
        var lines = new List<string> { corpusColumn is null ? "path,label,speaker" : "path,label,speaker,corpus" };
        int i = 0;
        foreach (var (label, speaker) in rows)
        {
            string wav = $"{folder}/{speaker}-{i}.wav";
            dir.Wav(wav, seed: i++);
            lines.Add($"{wav},{label},{speaker}" + (corpusColumn is null ? "" : $",{corpusColumn}"));
        }
        return dir.Text(name, string.Join('\n', lines) + "\n");
    }

    [Fact]
    public void Several_corpora_get_canonical_labels_and_qualified_ids_and_speakers()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha.csv", "a", [("anger", "s1"), ("joy", "s1"), ("neutral", "s2")]);
        string b = Manifest(dir, "beta.csv", "b", [("rabbia", "s1"), ("tristezza", "s1"), ("neu", "s2")]);
        var c = CorpusLoader.Load([a, b]);
        Assert.Equal(["alpha", "beta"], c.Corpora);
        Assert.Equal("alpha+beta", c.Name);
        Assert.Equal(["angry", "happy", "neutral", "sad"], c.Labels);
        // Speaker s1 of alpha and s1 of beta are different people.
        Assert.Equal(["alpha/s1", "alpha/s2", "beta/s1", "beta/s2"], c.Speakers);
        Assert.All(c.Utterances, u => Assert.StartsWith(u.Corpus + ":", u.Id));
        Assert.Equal("rabbia", c.Utterances.Single(u => u.Corpus == "beta" && u.Label == "angry").SourceLabel);
    }

    [Fact]
    public void Mixed_corpora_with_unknown_labels_stop_before_any_work_listing_them()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha.csv", "a", [("anger", "s1"), ("exc", "s1"), ("exc", "s2"), ("fru", "s2")]);
        string b = Manifest(dir, "beta.csv", "b", [("happy", "s1"), ("sad", "s2")]);
        var e = Assert.Throws<CorpusException>(() => CorpusLoader.Load([a, b]));
        Assert.Equal("2 corpora are mixed and 2 label(s) are not canonical: 'exc' (alpha, 2), 'fru' (alpha, 1); map them with --label-map FILE.csv (docs/labels.md)", e.Message);

        // A label map fixes it; '-' leaves a label out.
        string map = dir.Text("map.csv", "label,canonical\nEXC,Happiness\nfru,-\n");
        var c = CorpusLoader.Load([a, b], LabelMap.Read(map));
        Assert.Equal(["angry", "happy", "sad"], c.Labels);
        Assert.Equal(5, c.Utterances.Count);
        Assert.Equal(2, c.Utterances.Count(u => u.SourceLabel == "exc" && u.Label == "happy"));
    }

    [Fact]
    public void A_single_corpus_keeps_labels_the_table_does_not_know()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha.csv", "a", [("elated", "s1"), ("anger", "s1")]);
        var c = CorpusLoader.Load([a]);
        Assert.Equal(["angry", "elated"], c.Labels);
    }

    [Fact]
    public void One_manifest_can_hold_several_corpora_in_its_corpus_column()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "a.csv", "a", [("anger", "s1"), ("joy", "s2")], corpusColumn: "first");
        var lines = File.ReadAllLines(a).ToList();
        lines[2] = lines[2].Replace(",first", ",second", StringComparison.Ordinal);
        File.WriteAllLines(a, lines);
        var c = CorpusLoader.Load([a]);
        Assert.Equal(["first", "second"], c.Corpora);
    }

    [Theory]
    [InlineData("label,target\nx,angry\n", "map.csv:1: a label map's header is 'label,canonical' (found: label,target)")]
    [InlineData("label,canonical\nx,\n", "map.csv:2: no canonical label for 'x' (write '-' to leave it out)")]
    [InlineData("label,canonical\nx,angry\nX,sad\n", "map.csv:3: 'X' is already mapped on line 2")]
    [InlineData("label,canonical\nx,angry,1\n", "map.csv:2: 3 fields, the header has 2")]
    [InlineData("label,canonical\n\n", "map.csv: no rows after the header")]
    public void Bad_label_maps_are_one_line_each(string csv, string message)
    {
        using var dir = new TempDir();
        string map = dir.Text("map.csv", csv);
        Assert.EndsWith(message, Assert.Throws<CorpusException>(() => LabelMap.Read(map)).Message);
    }

    [Fact]
    public void Restrict_keeps_only_the_named_labels()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha.csv", "a", [("anger", "s1"), ("joy", "s1"), ("calm", "s2")]);
        var c = CorpusLoader.Load([a]).Restrict(["angry", "Happiness"]);
        Assert.Equal(["angry", "happy"], c.Labels);
        Assert.EndsWith(": --labels names 'fear', which no utterance has (the labels are angry, calm, happy)",
            Assert.Throws<CorpusException>(() => CorpusLoader.Load([a]).Restrict(["fear"])).Message);
    }
}
