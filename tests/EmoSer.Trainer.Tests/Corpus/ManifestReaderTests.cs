using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Corpus;

[Trait("Category", "unit")]
public class ManifestReaderTests
{
    private static (TempDir Dir, string Manifest) Make(string csv)
    {
        var dir = new TempDir();
        dir.Wav("audio/a.wav", seed: 1);
        dir.Wav("audio/b.wav", seed: 2);
        dir.Wav("audio/c d.wav", seed: 3);
        return (dir, dir.Text("corpus/manifest.csv", csv));
    }

    private static string Error(string csv)
    {
        var (dir, manifest) = Make(csv);
        using (dir)
            return Assert.Throws<CorpusException>(() => ManifestReader.Read(manifest)).Message;
    }

    [Fact]
    public void Reads_relative_paths_quoted_fields_and_speakers()
    {
        var (dir, manifest) = Make("label,path,speaker\njoy,../audio/a.wav,s1\n\n\"grief, deep\",\"../audio/c d.wav\",s2\njoy,../audio/b.wav,s2\n");
        using (dir)
        {
            var c = ManifestReader.Read(manifest);
            Assert.Equal(["grief, deep", "joy"], c.Labels);
            Assert.Equal(["s1", "s2"], c.Speakers);
            // Utterances come in ordinal id order, not row order.
            Assert.Equal(["../audio/a.wav", "../audio/b.wav", "../audio/c d.wav"], c.Utterances.Select(u => u.Id));
            Assert.Equal(Path.Combine(dir.Path, "audio", "c d.wav"), c.Utterances[2].Path);
            Assert.Equal([1, 1, 0], c.ClassIndices());
            Assert.Equal(["s1", "s2", "s2"], c.Utterances.Select(u => u.Speaker));
            Assert.True(c.HasSpeakers);
        }
    }

    [Fact]
    public void Row_order_changes_neither_the_corpus_nor_its_splits()
    {
        using var dir = new TempDir();
        var rows = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            dir.Wav($"audio/u{i:D2}.wav", seed: i);
            rows.Add($"audio/u{i:D2}.wav,{(i % 3 == 0 ? "calm" : i % 3 == 1 ? "joy" : "rage")},s{i % 5}");
        }
        var forward = ManifestReader.Read(dir.Text("forward.csv", "path,label,speaker\n" + string.Join('\n', rows) + "\n"));
        rows.Reverse();
        var backward = ManifestReader.Read(dir.Text("backward.csv", "path,label,speaker\n" + string.Join('\n', rows) + "\n"));
        Assert.Equal(forward.Utterances.Select(u => (u.Id, u.Label, u.Speaker)), backward.Utterances.Select(u => (u.Id, u.Label, u.Speaker)));
        var recipe = new Recipe { Patience = 0 };
        var a = Assert.Single(FoldPlan.Build(forward, Protocol.Holdout, recipe, 1, 0.2, 1));
        var b = Assert.Single(FoldPlan.Build(backward, Protocol.Holdout, recipe, 1, 0.2, 1));
        Assert.Equal(a.Test.Select(i => forward.Utterances[i.Source].Id), b.Test.Select(i => backward.Utterances[i.Source].Id));
    }

    [Fact]
    public void Speaker_column_is_optional()
    {
        var (dir, manifest) = Make("path,label\n../audio/a.wav,x\n../audio/b.wav,y\n");
        using (dir)
        {
            var c = ManifestReader.Read(manifest);
            Assert.False(c.HasSpeakers);
            Assert.Empty(c.Speakers);
        }
    }

    [Fact]
    public void Missing_file_names_file_and_line()
    {
        string m = Error("path,label\n../audio/a.wav,x\n../audio/nope.wav,y\n");
        Assert.Contains("manifest.csv:3: audio file not found: /", m);
        Assert.EndsWith("/audio/nope.wav", m);
    }

    [Fact]
    public void Unknown_column() =>
        Assert.EndsWith("manifest.csv:1: unknown column 'emotion' (known: path, label, speaker, corpus)", Error("path,emotion\n../audio/a.wav,x\n"));

    [Fact]
    public void Empty_label() =>
        Assert.EndsWith("manifest.csv:3: empty label for '../audio/b.wav'", Error("path,label\n../audio/a.wav,x\n../audio/b.wav,  \n"));

    [Fact]
    public void Duplicate_header_column() =>
        Assert.EndsWith("manifest.csv:1: duplicate column 'Label' in the header", Error("path,label,Label\n../audio/a.wav,x,y\n"));

    [Fact]
    public void No_rows() => Assert.EndsWith("manifest.csv: no rows after the header", Error("path,label\n\n"));

    [Fact]
    public void Empty_file() => Assert.EndsWith("manifest.csv: empty manifest (expected a header 'path,label[,speaker]' and rows)", Error(""));

    [Fact]
    public void Missing_required_column() =>
        Assert.EndsWith("manifest.csv:1: header must name the columns 'path' and 'label' (found: path,speaker)", Error("path,speaker\n../audio/a.wav,s\n"));

    [Fact]
    public void Wrong_field_count() => Assert.EndsWith("manifest.csv:2: 3 fields, the header has 2", Error("path,label\n../audio/a.wav,x,extra\n"));

    [Fact]
    public void Duplicate_row() =>
        Assert.EndsWith("manifest.csv:3: '../audio/./a.wav' already listed on line 2", Error("path,label\n../audio/a.wav,x\n../audio/./a.wav,y\n"));

    [Fact]
    public void Unterminated_quote() => Assert.EndsWith("manifest.csv:2: unterminated quoted field", Error("path,label\n\"../audio/a.wav,x\n"));

    [Fact]
    public void Single_label_is_rejected() =>
        Assert.EndsWith("manifest.csv: only one label ('x'); a classifier needs at least two", Error("path,label\n../audio/a.wav,x\n../audio/b.wav,x\n"));

    [Fact]
    public void Loso_without_speakers_is_rejected()
    {
        var (dir, manifest) = Make("path,label\n../audio/a.wav,x\n../audio/b.wav,y\n");
        using (dir)
        {
            var c = ManifestReader.Read(manifest);
            var e = Assert.Throws<CorpusException>(() => Splits.LeaveOneSpeakerOut(c));
            Assert.EndsWith("manifest.csv: the loso protocol needs a speaker for every utterance (a manifest 'speaker' column or Emo-DB file names)", e.Message);
        }
    }

    [Fact]
    public void Fit_fails_with_one_line_before_any_training_starts()
    {
        var (dir, manifest) = Make("path,label\n../audio/a.wav,x\n../audio/missing.wav,y\n");
        using (dir)
        {
            string outDir = Path.Combine(dir.Path, "out");
            var err = new StringWriter();
            var saved = Console.Error;
            Console.SetError(err);
            int code;
            try
            {
                code = TrainCommands.RunFit(new FitOptions { Data = [manifest], Out = outDir, Recipe = new Recipe { Epochs = 1 } });
            }
            finally
            {
                Console.SetError(saved);
            }
            Assert.Equal(1, code);
            string text = err.ToString();
            Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("emoser-train: " + manifest + ":3: audio file not found:", text);
            Assert.False(Directory.Exists(outDir));
        }
    }
}
