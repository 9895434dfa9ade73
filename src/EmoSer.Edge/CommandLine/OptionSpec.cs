using System.Globalization;

namespace EmoSer.Edge.CommandLine;

/// <summary>
/// A named option of a command: <c>--name VALUE</c>, <c>--name=VALUE</c>, or a flag (<see cref="FlagSpec"/>).
/// <see cref="OptionSpec{T}"/> adds the typed value; this base is what the parser and <see cref="HelpWriter"/> need.
/// </summary>
internal abstract class OptionSpec
{
    private protected OptionSpec(string name, string[] aliases, bool takesValue)
    {
        Name = name;
        Aliases = aliases;
        TakesValue = takesValue;
    }

    /// <summary>The long name with its dashes (<c>--recursive</c>): what error messages call the option.</summary>
    public string Name { get; }

    /// <summary>Other spellings (<c>-r</c>).</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>One line for the help.</summary>
    public string Description { get; init; } = "";

    /// <summary>The value's placeholder in the help (<c>SECONDS</c> shows as <c>&lt;SECONDS&gt;</c>); null: the choices, or the name.</summary>
    public string? HelpName { get; init; }

    /// <summary>Accepted but not listed in the help.</summary>
    public bool Hidden { get; init; }

    /// <summary>A usage error when the option is not given.</summary>
    public bool Required { get; init; }

    /// <summary>The only accepted values, compared ordinally before the value is parsed; null accepts any.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>True for an option followed by a value; false for a flag.</summary>
    public bool TakesValue { get; }

    /// <summary>True when <paramref name="token"/> is <see cref="Name"/> or one of the <see cref="Aliases"/>.</summary>
    public bool Matches(string token)
    {
        if (token == Name)
            return true;
        foreach (string alias in Aliases)
        {
            if (token == alias)
                return true;
        }
        return false;
    }

    /// <summary>The default as the help shows it (<c>[default: 600]</c>), or null when there is none.</summary>
    public abstract string? DefaultText { get; }

    /// <summary>Parses one value; throws <see cref="OptionValueException"/> for a bad one.</summary>
    internal abstract object? ParseValue(string token);
}

/// <summary>An option with a value of type <typeparamref name="T"/>, parsed by <see cref="Parse"/>.</summary>
internal class OptionSpec<T> : OptionSpec
{
    /// <summary>An option with a value; <paramref name="aliases"/> are other spellings (<c>-r</c>).</summary>
    public OptionSpec(string name, params string[] aliases) : this(name, aliases, takesValue: true)
    {
    }

    private protected OptionSpec(string name, string[] aliases, bool takesValue) : base(name, aliases, takesValue)
    {
    }

    /// <summary>
    /// Turns the token into a value (<see cref="Input.NumberParsers"/> for numbers with their ranges); null takes the
    /// token as it is, which only a string option may.
    /// </summary>
    public ValueParser<T>? Parse { get; init; }

    private readonly T _defaultValue = default!;
    private readonly bool _hasDefault;

    /// <summary>The value when the option is not given; once set, the help shows it (<c>[default: 600]</c>).</summary>
    public T DefaultValue
    {
        get => _defaultValue;
        init
        {
            _defaultValue = value;
            _hasDefault = true;
        }
    }

    /// <inheritdoc/>
    public override string? DefaultText => !_hasDefault ? null
        : DefaultValue is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : DefaultValue?.ToString();

    internal override object? ParseValue(string token)
    {
        if (Parse is not null)
            return Parse(Name, token);
        if (token is T value)
            return value;
        // A programming error, not a usage error: a typed option was declared without its parser.
        throw new InvalidOperationException($"{Name} has no value parser for {typeof(T).Name}");
    }
}
