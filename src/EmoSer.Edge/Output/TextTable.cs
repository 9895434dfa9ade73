namespace EmoSer.Edge.Output;

/// <summary>A plain, space-aligned text table (no terminal control codes, AOT-safe).</summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> _rows = [header];
    private readonly bool[] _rightAligned = new bool[header.Length];

    /// <summary>Right-aligns a (numeric) column.</summary>
    public TextTable AlignRight(params int[] columns)
    {
        foreach (int c in columns)
            _rightAligned[c] = true;
        return this;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _rightAligned.Length)
            throw new ArgumentException($"expected {_rightAligned.Length} cells, got {cells.Length}", nameof(cells));
        _rows.Add(cells);
    }

    public int RowCount => _rows.Count - 1;

    /// <summary>Writes the header and rows, columns separated by two spaces, no trailing spaces.</summary>
    public void WriteTo(TextWriter output)
    {
        int columns = _rightAligned.Length;
        var widths = new int[columns];
        foreach (string[] row in _rows)
        {
            for (int c = 0; c < columns; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        }
        var line = new System.Text.StringBuilder();
        foreach (string[] row in _rows)
        {
            line.Clear();
            for (int c = 0; c < columns; c++)
            {
                if (c > 0)
                    line.Append("  ");
                string cell = row[c];
                if (_rightAligned[c])
                    line.Append(' ', widths[c] - cell.Length).Append(cell);
                else
                    line.Append(cell).Append(' ', c == columns - 1 ? 0 : widths[c] - cell.Length);
            }
            output.Write(line.ToString().TrimEnd());
            output.Write('\n');
        }
    }
}
