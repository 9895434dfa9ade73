namespace EmoSer.Edge.CommandLine;

/// <summary>
/// What <see cref="CommandLineParser.Parse"/> made of a command line: the command to run, the values of its options
/// and arguments, whether help was asked for, and the usage errors in the order found.
/// </summary>
internal sealed class ParseResult(CommandSpec root)
{
    private readonly Dictionary<OptionSpec, object?> _values = [];
    private readonly HashSet<OptionSpec> _given = [];
    private readonly Dictionary<ArgumentSpec, List<string>> _arguments = [];
    private readonly List<string> _errors = [];

    /// <summary>The root command.</summary>
    public CommandSpec Root { get; } = root;

    private readonly List<CommandSpec> _path = [root];

    /// <summary>The innermost command named on the command line (<see cref="Root"/> when none is).</summary>
    public CommandSpec Command => _path[^1];

    /// <summary>The commands from <see cref="Root"/> to <see cref="Command"/>.</summary>
    public IReadOnlyList<CommandSpec> Path => _path;

    /// <summary><see cref="Path"/> as typed: <c>emoser classify</c>.</summary>
    public string CommandLineName => string.Join(' ', _path.Select(c => c.Name));

    /// <summary>True when <c>-h</c>, <c>--help</c> or <c>-?</c> appeared before <c>--</c>: the help of <see cref="Command"/> wins over errors.</summary>
    public bool HelpRequested { get; internal set; }

    /// <summary>The usage errors, each one line without the program name.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Adds a usage error (for validators).</summary>
    public void AddError(string message) => _errors.Add(message);

    /// <summary>True when <paramref name="option"/> appeared on the command line, whether or not its value was valid.</summary>
    public bool IsGiven(OptionSpec option) => _given.Contains(option);

    /// <summary>The value of <paramref name="option"/>: as given, else its <see cref="OptionSpec{T}.DefaultValue"/>.</summary>
    public T GetValue<T>(OptionSpec<T> option) => _values.TryGetValue(option, out object? value) ? (T)value! : option.DefaultValue;

    /// <summary>The tokens of <paramref name="argument"/>, or its default (one token) or nothing when none was given.</summary>
    public string[] GetValues(ArgumentSpec argument) =>
        _arguments.TryGetValue(argument, out List<string>? tokens) && tokens.Count > 0 ? [.. tokens]
        : argument.DefaultValue is { } value ? [value] : [];

    /// <summary>The single token of <paramref name="argument"/>, or its default (null without one).</summary>
    public string? GetValue(ArgumentSpec argument) => GetValues(argument) is [var first, ..] ? first : null;

    internal void Enter(CommandSpec subcommand) => _path.Add(subcommand);

    internal void SetValue(OptionSpec option, object? value) => _values[option] = value;

    internal void MarkGiven(OptionSpec option) => _given.Add(option);

    internal void SetArgument(ArgumentSpec argument, List<string> tokens) => _arguments[argument] = tokens;
}
