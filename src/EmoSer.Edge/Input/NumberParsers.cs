using System.Globalization;
using EmoSer.Edge.CommandLine;
using EmoSer.Runtime;

namespace EmoSer.Edge.Input;

/// <summary>
/// Option value parsers with plain error messages naming the option (<c>--hop: 'x' is not a number</c>,
/// <c>--rate must be 8000..768000 Hz, got 0</c>). Culture-invariant: <c>--hop 0.5</c> means the same everywhere.
/// </summary>
internal static class NumberParsers
{
    /// <summary>A whole number (<c>--channels 2</c>).</summary>
    public static int ParseInt(string option, string token) =>
        int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value
            : throw new OptionValueException($"{option}: '{token}' is not a whole number");

    /// <summary>As <see cref="ParseInt"/>, for an option whose absence is null.</summary>
    public static int? ParseNullableInt(string option, string token) => ParseInt(option, token);

    /// <summary>A finite number (<c>nan</c> and <c>inf</c> are refused).</summary>
    public static double ParseDouble(string option, string token) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value
            : throw new OptionValueException($"{option}: '{token}' is not a number");

    /// <summary>A parser that also checks <paramref name="min"/> ≤ value ≤ <paramref name="max"/>.</summary>
    public static ValueParser<double> DoubleInRange(double min, double max, string unit = "") => (option, token) =>
        CheckRange(option, ParseDouble(option, token), min, max, unit);

    /// <summary>A timeline's segment length, checked by the runtime's own rule (<see cref="InputLimits.SegmentLengthProblem"/>).</summary>
    public static double? NullableSegmentSeconds(string option, string token) =>
        ParseDouble(option, token) is var seconds && InputLimits.SegmentLengthProblem(seconds, option) is { } problem
            ? throw new OptionValueException(problem) : seconds;

    /// <summary>As <see cref="DoubleInRange"/>, for an option whose absence is null.</summary>
    public static ValueParser<double?> NullableDoubleInRange(double min, double max, string unit = "") => (option, token) =>
        CheckRange(option, ParseDouble(option, token), min, max, unit);

    private static double CheckRange(string option, double value, double min, double max, string unit) =>
        value >= min && value <= max ? value
            : throw new OptionValueException($"{option} must be {Format(min)}..{Format(max)}{unit}, got {Format(value)}");

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);
}
