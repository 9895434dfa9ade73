using System.Globalization;
using System.Text;
using EmoSer.Edge.CommandLine;

namespace EmoSer.Edge.Output;

/// <summary>How <c>classify</c> and <c>features</c> print their results (<c>--format</c>, docs/cli-json.md).</summary>
internal enum OutputFormat
{
    /// <summary>Aligned columns for people, printed at the end.</summary>
    Table,
    /// <summary>JSON Lines, one object per input as it is done.</summary>
    Json,
    /// <summary>RFC 4180 CSV (lines end with \n) with a header row, one row per input as it is done.</summary>
    Csv,
    /// <summary>Weka's ARFF (features only).</summary>
    Arff,
}

/// <summary>The <c>--format</c> option and the CSV and ARFF cell syntax.</summary>
internal static class OutputFormats
{
    /// <summary>A <c>--format</c> option accepting <paramref name="allowed"/> (lower-case names).</summary>
    public static OptionSpec<OutputFormat?> CreateOption(OutputFormat defaultFormat, params OutputFormat[] allowed) => new("--format")
    {
        Description = $"Output format: {string.Join(", ", allowed.Select(Name))} (default {Name(defaultFormat)}).",
        HelpName = string.Join("|", allowed.Select(Name)),
        Parse = (option, token) =>
        {
            foreach (OutputFormat f in allowed)
            {
                if (token == Name(f))
                    return f;
            }
            throw new OptionValueException($"{option} must be one of {string.Join(", ", allowed.Select(Name))}, got '{token}'");
        },
    };

    /// <summary>The name on the command line and in messages (lower case).</summary>
    /// <remarks>A switch rather than Enum.ToString, which reads the enum's metadata through reflection the first time:
    /// every command's help text is built at start-up, and that read was 3% of <c>emoser version</c> (perf).</remarks>
    public static string Name(OutputFormat format) => format switch
    {
        OutputFormat.Table => "table",
        OutputFormat.Json => "json",
        OutputFormat.Csv => "csv",
        OutputFormat.Arff => "arff",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>One CSV row: fields quoted only when they hold a comma, quote or line break (RFC 4180).</summary>
    public static void WriteCsvRow(TextWriter output, IEnumerable<string> fields)
    {
        var line = new StringBuilder();
        foreach (string field in fields)
        {
            if (line.Length > 0)
                line.Append(',');
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
                line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else
                line.Append(field);
        }
        output.Write(line.Append('\n').ToString());
    }

    /// <summary>An ARFF string value: single-quoted, with backslash escapes.</summary>
    public static string ArffString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "'";

    /// <summary>A float in the shortest form that round-trips (as in the JSON output).</summary>
    public static string Number(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double in the shortest form that round-trips.</summary>
    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
