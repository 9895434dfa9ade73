namespace EmoSer.Trainer.Corpus;

/// <summary>
/// A labelled corpus: its utterances and the sorted label set. Nothing here assumes a particular
/// corpus: labels are free strings, speakers optional, sample rates whatever the files have.
/// </summary>
public sealed class LabelledCorpus
{
    /// <summary>Creates a corpus; <paramref name="utterances"/> must be non-empty with unique ids. They are kept in
    /// ordinal id order, whatever order they come in, so splits do not depend on a manifest's row order.</summary>
    public LabelledCorpus(string name, string source, IReadOnlyList<Utterance> utterances)
    {
        if (utterances.Count == 0)
            throw new CorpusException($"{source}: no utterances");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in utterances)
        {
            if (!seen.Add(u.Id))
                throw new CorpusException($"{source}: utterance '{u.Id}' listed twice");
        }
        Name = name;
        Source = source;
        Utterances = utterances.OrderBy(u => u.Id, StringComparer.Ordinal).ToArray();
        Labels = utterances.Select(u => u.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        Corpora = Utterances.Select(u => u.Corpus).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (Labels.Count < 2)
            throw new CorpusException($"{source}: only one label ('{Labels[0]}'); a classifier needs at least two");
    }

    /// <summary>Short corpus name for reports ("Emo-DB", the manifest file name, the folder name).</summary>
    public string Name { get; }

    /// <summary>The folder or manifest path the corpus was read from.</summary>
    public string Source { get; }

    /// <summary>All utterances, in a stable (ordinal id) order.</summary>
    public IReadOnlyList<Utterance> Utterances { get; }

    /// <summary>The corpora the utterances come from (<see cref="Utterance.Corpus"/>), sorted ordinally.</summary>
    public IReadOnlyList<string> Corpora { get; }

    /// <summary>The label set, sorted ordinally; a label's index here is its class index.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>True when every utterance has a speaker.</summary>
    public bool HasSpeakers => Utterances.All(u => u.Speaker is not null);

    /// <summary>The distinct speakers, sorted ordinally (empty when none are known).</summary>
    public IReadOnlyList<string> Speakers =>
        Utterances.Where(u => u.Speaker is not null).Select(u => u.Speaker!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The same corpus with only the utterances of <paramref name="labels"/> (<c>--labels</c>); names are canonicalized
    /// as the corpus's labels are. A label no utterance has is an error, so a typo cannot go unnoticed.
    /// </summary>
    public LabelledCorpus Restrict(IReadOnlyList<string> labels)
    {
        var wanted = labels.Select(l => CanonicalLabels.Canonical(l) ?? l.Trim()).ToArray();
        var missing = wanted.Where(l => !Labels.Contains(l, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
            throw new CorpusException($"{Source}: --labels names {string.Join(", ", missing.Select(m => $"'{m}'"))}, which no utterance has (the labels are {string.Join(", ", Labels)})");
        var keep = new HashSet<string>(wanted, StringComparer.Ordinal);
        return new LabelledCorpus(Name, Source, Utterances.Where(u => keep.Contains(u.Label)).ToArray());
    }

    /// <summary>The class index of every utterance.</summary>
    public int[] ClassIndices()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Labels.Count; i++)
            map[Labels[i]] = i;
        return Utterances.Select(u => map[u.Label]).ToArray();
    }
}
