namespace EmoSer.Trainer.Corpus;

/// <summary>
/// Opens whatever <c>--data</c> names (a manifest .csv, an Emo-DB folder, or a folder per label), once or several
/// times, and brings every label to its canonical name (docs/labels.md).
/// </summary>
public static class CorpusLoader
{
    /// <summary>Loads and validates one corpus; every problem is a <see cref="CorpusException"/> naming the file.</summary>
    public static LabelledCorpus Load(string data) => Load([data]);

    /// <summary>
    /// Loads every <paramref name="data"/> source into one corpus. Labels are mapped by <paramref name="labelMap"/>
    /// first, then by <see cref="CanonicalLabels"/>. A label neither knows is kept as written when there is a single
    /// corpus; with several, every label must mean the same thing in all of them, so unknown labels stop the run
    /// before any work, listed with their counts. With several corpora, ids become <c>corpus:id</c> and speakers
    /// <c>corpus/speaker</c>, so two corpora can never share a speaker or an utterance.
    /// </summary>
    public static LabelledCorpus Load(IReadOnlyList<string> data, LabelMap? labelMap = null)
    {
        if (data.Count == 0)
            throw new CorpusException("no --data given");
        var sources = new List<(string Name, string Source, List<Utterance> Utterances)>();
        foreach (string d in data)
            sources.Add(ReadSource(d));
        var all = sources.SelectMany(s => s.Utterances).ToList();
        var corpora = all.Select(u => u.Corpus).Distinct(StringComparer.Ordinal).ToArray();
        // Two --data with one corpus name would merge silently; a manifest's corpus column is the way to merge.
        foreach (var group in sources.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            if (group.Any(s => s.Utterances.Any(u => u.Corpus == group.Key)))
                throw new CorpusException($"two --data sources are both named '{group.Key}' ({string.Join(", ", group.Select(s => s.Source))}): rename one, or give a 'corpus' column in the manifest");
        }

        var unknown = new Dictionary<(string Corpus, string Label), int>();
        var mapped = new List<Utterance>(all.Count);
        foreach (var u in all)
        {
            string? label = labelMap?.Map(u.Label) ?? CanonicalLabels.Canonical(u.Label);
            if (label is null)
            {
                unknown[(u.Corpus, u.Label)] = unknown.GetValueOrDefault((u.Corpus, u.Label)) + 1;
                label = u.Label;
            }
            if (label == LabelMap.Drop)
                continue;
            mapped.Add(u with { Label = label });
        }
        if (corpora.Length > 1 && unknown.Count > 0)
        {
            string list = string.Join(", ", unknown.OrderBy(kv => kv.Key.Corpus, StringComparer.Ordinal).ThenBy(kv => kv.Key.Label, StringComparer.Ordinal)
                .Select(kv => $"'{kv.Key.Label}' ({kv.Key.Corpus}, {kv.Value})"));
            throw new CorpusException(
                $"{corpora.Length} corpora are mixed and {unknown.Count} label(s) are not canonical: {list}; " +
                (labelMap is null ? "map them with --label-map FILE.csv (docs/labels.md)" : $"add them to {labelMap.Source}"));
        }
        if (mapped.Count == 0)
            throw new CorpusException($"{string.Join(", ", data)}: the label map leaves no utterance");
        if (corpora.Length > 1)
            mapped = mapped.Select(u => u with { Id = $"{u.Corpus}:{u.Id}", Speaker = u.Speaker is null ? null : $"{u.Corpus}/{u.Speaker}" }).ToList();
        string name = corpora.Length == 1 ? corpora[0] : string.Join('+', corpora);
        return new LabelledCorpus(name, string.Join(';', sources.Select(s => s.Source)), mapped);
    }

    private static (string Name, string Source, List<Utterance> Utterances) ReadSource(string data)
    {
        if (File.Exists(data))
            return ManifestReader.ReadUtterances(data);
        if (!Directory.Exists(data))
            throw new CorpusException($"{data}: no such file or folder");
        return EmoDbCorpus.Recognise(data) ? EmoDbCorpus.ReadUtterances(data) : FolderCorpus.ReadUtterances(data);
    }
}
