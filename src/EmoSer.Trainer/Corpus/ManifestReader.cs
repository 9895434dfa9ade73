using System.Text;

namespace EmoSer.Trainer.Corpus;

/// <summary>
/// Reads a CSV manifest: a header naming the columns <c>path</c>, <c>label</c> and optionally <c>speaker</c> and
/// <c>corpus</c> (any order), then one row per utterance. Relative paths are resolved against the manifest's folder.
/// Fields may be double-quoted (RFC 4180, "" for a quote). Blank lines are ignored. Every problem is
/// reported before any training starts, as "<c>file:line: problem</c>".
/// </summary>
public static class ManifestReader
{
    /// <summary>The columns a manifest may have.</summary>
    public static readonly IReadOnlyList<string> KnownColumns = ["path", "label", "speaker", "corpus"];

    /// <summary>Reads and validates the manifest at <paramref name="manifestPath"/>.</summary>
    public static LabelledCorpus Read(string manifestPath)
    {
        var (name, source, list) = ReadUtterances(manifestPath);
        return new LabelledCorpus(name, source, list);
    }

    /// <summary>
    /// The manifest's utterances, unchecked for label count: its name (the file name without extension), its full
    /// path, and every row, whose <see cref="Utterance.Corpus"/> is the row's <c>corpus</c> field or else that name.
    /// </summary>
    internal static (string Name, string Source, List<Utterance> Utterances) ReadUtterances(string manifestPath)
    {
        string full = Path.GetFullPath(manifestPath);
        string baseDir = Path.GetDirectoryName(full)!;
        string[] lines = File.ReadAllLines(full, Encoding.UTF8);
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0)
            throw new CorpusException($"{full}: empty manifest (expected a header 'path,label[,speaker]' and rows)");

        var header = SplitRow(lines[headerLine], full, headerLine + 1);
        int pathCol = -1, labelCol = -1, speakerCol = -1, corpusCol = -1;
        for (int i = 0; i < header.Count; i++)
        {
            string name = header[i].Trim().ToLowerInvariant();
            ref int slot = ref pathCol;
            switch (name)
            {
                case "path": slot = ref pathCol; break;
                case "label": slot = ref labelCol; break;
                case "speaker": slot = ref speakerCol; break;
                case "corpus": slot = ref corpusCol; break;
                default:
                    throw new CorpusException($"{full}:{headerLine + 1}: unknown column '{header[i]}' (known: {string.Join(", ", KnownColumns)})");
            }
            if (slot >= 0)
                throw new CorpusException($"{full}:{headerLine + 1}: duplicate column '{header[i]}' in the header");
            slot = i;
        }
        if (pathCol < 0 || labelCol < 0)
            throw new CorpusException($"{full}:{headerLine + 1}: header must name the columns 'path' and 'label' (found: {string.Join(",", header)})");

        string stem = Path.GetFileNameWithoutExtension(full);
        var list = new List<Utterance>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int li = headerLine + 1; li < lines.Length; li++)
        {
            if (lines[li].Trim().Length == 0)
                continue;
            int lineNo = li + 1;
            var row = SplitRow(lines[li], full, lineNo);
            if (row.Count != header.Count)
                throw new CorpusException($"{full}:{lineNo}: {row.Count} fields, the header has {header.Count}");
            string path = row[pathCol].Trim();
            string label = row[labelCol].Trim();
            string? speaker = speakerCol >= 0 ? row[speakerCol].Trim() : null;
            string corpus = corpusCol >= 0 ? row[corpusCol].Trim() : stem;
            if (path.Length == 0)
                throw new CorpusException($"{full}:{lineNo}: empty path");
            if (label.Length == 0)
                throw new CorpusException($"{full}:{lineNo}: empty label for '{path}'");
            if (speaker is { Length: 0 })
                throw new CorpusException($"{full}:{lineNo}: empty speaker for '{path}'");
            if (corpus.Length == 0)
                throw new CorpusException($"{full}:{lineNo}: empty corpus for '{path}'");
            string resolved = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));
            if (!File.Exists(resolved))
                throw new CorpusException($"{full}:{lineNo}: audio file not found: {resolved}");
            string id = Path.GetRelativePath(baseDir, resolved).Replace('\\', '/');
            if (ids.TryGetValue(id, out int firstLine))
                throw new CorpusException($"{full}:{lineNo}: '{path}' already listed on line {firstLine}");
            ids[id] = lineNo;
            list.Add(new Utterance(id, resolved, label, speaker) { Corpus = corpus, SourceLabel = label });
        }
        if (list.Count == 0)
            throw new CorpusException($"{full}: no rows after the header");
        return (stem, full, list);
    }

    /// <summary>Splits one CSV row into fields (RFC 4180 quoting within a single line).</summary>
    internal static List<string> SplitRow(string line, string file, int lineNo)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new CorpusException($"{file}:{lineNo}: unterminated quoted field");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',')
                    throw new CorpusException($"{file}:{lineNo}: text after a closing quote");
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                    sb.Append(line[i++]);
            }
            fields.Add(sb.ToString());
            if (i >= line.Length)
                return fields;
            i++; // the comma
        }
    }
}
