namespace EmoSer.Edge.CommandLine;

/// <summary>
/// A command (the root <c>emoser</c> or a subcommand): its options, positional arguments, subcommands, the checks
/// that involve several options, and what it runs. Every command accepts <see cref="HelpOption"/>.
/// </summary>
/// <param name="name">The name typed on the command line.</param>
/// <param name="description">What the command does.</param>
/// <param name="define">
/// Declares the options, arguments, validators and action the first time any of them is read: a subcommand costs
/// only its name until it is named on the command line (or the root's help lists it). Its help texts format numbers
/// and join lists, first-time work that was 3% of <c>emoser version</c> with every command built (perf).
/// </param>
internal sealed class CommandSpec(string name, string description, Action<CommandSpec>? define = null)
{
    private Action<CommandSpec>? _define = define;
    private readonly List<OptionSpec> _options = [];
    private readonly List<ArgumentSpec> _arguments = [];
    private readonly List<CommandSpec> _subcommands = [];
    private readonly List<Action<ParseResult>> _validators = [];
    private Func<ParseResult, int>? _action;

    /// <summary><c>-h</c>, <c>--help</c>, <c>-?</c>: prints the help of the command it follows and exits with 0.</summary>
    public static FlagSpec HelpOption { get; } = new("--help", "-h", "-?") { Description = "Show help and usage information" };

    /// <summary>The name typed on the command line (the program's name for the root).</summary>
    public string Name { get; } = name;

    /// <summary>What the command does, one line for the help.</summary>
    public string Description { get; } = description;

    /// <summary>The options in help order. <see cref="HelpOption"/> is listed where it is added, else last.</summary>
    public List<OptionSpec> Options { get { Define(); return _options; } }

    /// <summary>The positional arguments, in order.</summary>
    public List<ArgumentSpec> Arguments { get { Define(); return _arguments; } }

    /// <summary>The subcommands, in help order; a command with subcommands and no <see cref="Action"/> needs one.</summary>
    public List<CommandSpec> Subcommands { get { Define(); return _subcommands; } }

    /// <summary>Checks across options, run when every token parsed; report with <see cref="ParseResult.AddError"/>.</summary>
    public List<Action<ParseResult>> Validators { get { Define(); return _validators; } }

    /// <summary>Runs the command on a valid parse and returns the exit code.</summary>
    public Func<ParseResult, int>? Action
    {
        get
        {
            Define();
            return _action;
        }
        set => _action = value;
    }

    /// <summary>Runs the deferred definition, if any, once.</summary>
    private void Define()
    {
        if (_define is { } define)
        {
            // Cleared first: the definition itself reads the lists it fills.
            _define = null;
            define(this);
        }
    }

    /// <summary>The option that <paramref name="token"/> names (help included), or null.</summary>
    public OptionSpec? FindOption(string token)
    {
        foreach (OptionSpec option in Options)
        {
            if (option.Matches(token))
                return option;
        }
        return HelpOption.Matches(token) ? HelpOption : null;
    }

    /// <summary>The subcommand named <paramref name="name"/>, or null.</summary>
    public CommandSpec? FindSubcommand(string name)
    {
        foreach (CommandSpec command in Subcommands)
        {
            if (command.Name == name)
                return command;
        }
        return null;
    }
}
