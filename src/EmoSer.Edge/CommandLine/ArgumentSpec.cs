namespace EmoSer.Edge.CommandLine;

/// <summary>
/// A positional argument of a command, taking between <see cref="MinCount"/> and <see cref="MaxCount"/> tokens
/// (<c>FILE...</c>: one or more). Tokens are strings; the command gives them meaning (<c>-</c> is standard input).
/// </summary>
internal sealed class ArgumentSpec(string name)
{
    /// <summary>The placeholder in the help and usage (<c>FILE</c> shows as <c>&lt;FILE&gt;</c>).</summary>
    public string Name { get; } = name;

    /// <summary>One line for the help.</summary>
    public string Description { get; init; } = "";

    /// <summary>The fewest tokens; fewer is a usage error (<c>Required argument missing for command</c>).</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>The most tokens; more is a usage error (<c>Unrecognized command or argument</c>).</summary>
    public int MaxCount { get; init; } = 1;

    /// <summary>The value when no token is given (only for <see cref="MinCount"/> 0); shown in the help.</summary>
    public string? DefaultValue { get; init; }

    /// <summary>Checks the tokens once the command line parsed; reports problems with <see cref="ParseResult.AddError"/>.</summary>
    public Action<IReadOnlyList<string>, ParseResult>? Validator { get; init; }
}
