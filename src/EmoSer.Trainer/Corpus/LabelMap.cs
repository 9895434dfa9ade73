namespace EmoSer.Trainer.Corpus;

/// <summary>
/// A user's label map (<c>--label-map FILE.csv</c>, docs/labels.md): a header naming the columns <c>label</c> and
/// <c>canonical</c>, then one row per corpus label. Labels are compared as <see cref="CanonicalLabels.Normalize"/> makes
/// them; a canonical value of <c>-</c> leaves that label's utterances out of training. The map is consulted before the
/// built-in table, so it can also override it.
/// </summary>
public sealed class LabelMap
{
    /// <summary>The canonical value that leaves a label's utterances out.</summary>
    public const string Drop = "-";

    private readonly Dictionary<string, string> _map;

    private LabelMap(Dictionary<string, string> map, string source)
    {
        _map = map;
        Source = source;
    }

    /// <summary>The file the map was read from.</summary>
    public string Source { get; }

    /// <summary>How many labels the map names.</summary>
    public int Count => _map.Count;

    /// <summary>The mapped label of <paramref name="label"/> (<see cref="Drop"/> to leave it out), or null when the map does not name it.</summary>
    public string? Map(string label) => _map.GetValueOrDefault(CanonicalLabels.Normalize(label));

    /// <summary>Reads and checks a label map; every problem is a <see cref="CorpusException"/> naming the file and line.</summary>
    public static LabelMap Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new CorpusException($"{full}: label map not found");
        string[] lines = File.ReadAllLines(full, System.Text.Encoding.UTF8);
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0)
            throw new CorpusException($"{full}: empty label map (expected a header 'label,canonical' and rows)");
        var header = ManifestReader.SplitRow(lines[headerLine], full, headerLine + 1).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int from = header.IndexOf("label"), to = header.IndexOf("canonical");
        if (from < 0 || to < 0 || header.Count != 2)
            throw new CorpusException($"{full}:{headerLine + 1}: a label map's header is 'label,canonical' (found: {lines[headerLine].Trim()})");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int li = headerLine + 1; li < lines.Length; li++)
        {
            if (lines[li].Trim().Length == 0)
                continue;
            var row = ManifestReader.SplitRow(lines[li], full, li + 1);
            if (row.Count != 2)
                throw new CorpusException($"{full}:{li + 1}: {row.Count} fields, the header has 2");
            string label = row[from].Trim(), target = row[to].Trim();
            if (label.Length == 0)
                throw new CorpusException($"{full}:{li + 1}: empty label");
            if (target.Length == 0)
                throw new CorpusException($"{full}:{li + 1}: no canonical label for '{label}' (write '-' to leave it out)");
            string key = CanonicalLabels.Normalize(label);
            if (lineOf.TryGetValue(key, out int first))
                throw new CorpusException($"{full}:{li + 1}: '{label}' is already mapped on line {first}");
            lineOf[key] = li + 1;
            // A target the table knows is written canonically ("Anger" -> "angry"); anything else is the user's own class.
            map[key] = target == Drop ? Drop : CanonicalLabels.Canonical(target) ?? target;
        }
        if (map.Count == 0)
            throw new CorpusException($"{full}: no rows after the header");
        return new LabelMap(map, full);
    }
}
