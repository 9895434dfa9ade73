using System.CommandLine.Parsing;
using System.Globalization;

namespace EmoSer.Edge.Input;

/// <summary>
/// Option value parsers with plain error messages (the default ones name CLR types, e.g. <c>System.Nullable`1</c>).
/// Culture-invariant: <c>--hop 0.5</c> means the same everywhere.
/// </summary>
internal static class NumberParsers
{
    public static int ParseInt(ArgumentResult result) => ParseNullableInt(result) ?? 0;

    public static int? ParseNullableInt(ArgumentResult result)
    {
        string token = Token(result);
        if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            return value;
        result.AddError($"{OptionName(result)}: '{token}' is not a whole number");
        return null;
    }

    public static double ParseDouble(ArgumentResult result) => ParseNullableDouble(result) ?? 0;

    public static double? ParseNullableDouble(ArgumentResult result)
    {
        string token = Token(result);
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            return value;
        result.AddError($"{OptionName(result)}: '{token}' is not a number");
        return null;
    }

    /// <summary>A parser that also checks <paramref name="min"/> ≤ value ≤ <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, double> DoubleInRange(double min, double max, string unit = "") => result =>
        CheckRange(result, ParseNullableDouble(result), min, max, unit) ?? 0;

    /// <summary>As <see cref="DoubleInRange"/>, for an optional value.</summary>
    public static Func<ArgumentResult, double?> NullableDoubleInRange(double min, double max, string unit = "") => result =>
        CheckRange(result, ParseNullableDouble(result), min, max, unit);

    /// <summary>
    /// The value of <paramref name="option"/> inside a command validator, where defaults are not applied yet and a
    /// value that failed to parse must not throw (its error is already reported).
    /// </summary>
    public static bool TryGetGiven<T>(CommandResult command, System.CommandLine.Option<T> option, out T value)
    {
        value = default!;
        if (command.GetResult(option) is not { Implicit: false } given || given.Errors.Any())
            return false;
        try
        {
            value = given.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static double? CheckRange(ArgumentResult result, double? value, double min, double max, string unit)
    {
        if (value is double v && !(v >= min && v <= max))
        {
            result.AddError($"{OptionName(result)} must be {Format(min)}..{Format(max)}{unit}, got {Format(v)}");
            return null;
        }
        return value;
    }

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
