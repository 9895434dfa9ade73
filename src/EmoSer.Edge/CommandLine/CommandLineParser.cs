namespace EmoSer.Edge.CommandLine;

/// <summary>
/// Parses a command line against a <see cref="CommandSpec"/> tree, in the way of getopt_long and of the
/// System.CommandLine parser it replaces (same error texts), without its start-up cost (reflection-free, no
/// resources: a short <c>emoser</c> run is mostly start-up). The syntax:
/// <list type="bullet">
/// <item>the first positional token of a command with subcommands names the subcommand; options before it are the
/// outer command's;</item>
/// <item><c>--name VALUE</c> and <c>--name=VALUE</c>; a value may start with <c>-</c> (<c>--silence-db -60</c>) unless
/// it is one of the command's option names, which leaves the option without its value; aliases (<c>-r</c>) are whole
/// tokens (no bundling such as <c>-rv</c>);</item>
/// <item>a flag takes no value (<c>--flag=true|false</c> is accepted); an option with a value may be given once;</item>
/// <item><c>-</c> is a positional token (standard input), <c>--</c> makes every later token positional;</item>
/// <item><c>-h</c>, <c>--help</c>, <c>-?</c> anywhere before <c>--</c> ask for the help of the innermost command;</item>
/// <item><c>@file</c> and <c>[directive]</c> have no meaning: they are plain tokens.</item>
/// </list>
/// </summary>
internal static class CommandLineParser
{
    /// <summary>Parses <paramref name="args"/>; validators run only when every token parsed.</summary>
    public static ParseResult Parse(CommandSpec root, IReadOnlyList<string> args)
    {
        var result = new ParseResult(root);
        CommandSpec command = root;
        var positional = new List<string>();
        bool optionsEnded = false, unknownCommand = false;
        var repeated = new HashSet<OptionSpec>();
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            if (!optionsEnded && token == "--")
            {
                optionsEnded = true;
                continue;
            }
            if (!optionsEnded && IsOptionToken(token))
            {
                i = ParseOption(command, args, i, result, repeated);
                continue;
            }
            if (unknownCommand)
                continue;
            if (command.Subcommands.Count > 0 && positional.Count == 0)
            {
                if (command.FindSubcommand(token) is { } subcommand)
                {
                    command = subcommand;
                    result.Enter(command);
                    continue;
                }
                if (command.Arguments.Count == 0)
                {
                    // The rest of the line belongs to a command that does not exist: only a help request still counts.
                    result.AddError($"Unrecognized command or argument '{token}'.");
                    unknownCommand = true;
                    continue;
                }
            }
            positional.Add(token);
        }
        if (result.HelpRequested || unknownCommand)
            return result;
        AssignArguments(command, positional, result);
        if (command.Action is null && command.Subcommands.Count > 0)
            result.AddError("Required command was not provided.");
        foreach (OptionSpec option in command.Options)
        {
            if (option.Required && !result.IsGiven(option))
                result.AddError($"Option '{option.Name}' is required.");
        }
        if (result.Errors.Count > 0)
            return result;
        foreach (ArgumentSpec argument in command.Arguments)
            argument.Validator?.Invoke(result.GetValues(argument), result);
        foreach (Action<ParseResult> validate in command.Validators)
            validate(result);
        return result;
    }

    /// <summary>An option name, possibly with <c>=VALUE</c>: starts with <c>-</c> and is not <c>-</c> alone.</summary>
    private static bool IsOptionToken(string token) => token.Length > 1 && token[0] == '-';

    /// <summary>Parses the option at <paramref name="index"/> and returns the index of its last token.</summary>
    private static int ParseOption(CommandSpec command, IReadOnlyList<string> args, int index, ParseResult result, HashSet<OptionSpec> repeated)
    {
        string token = args[index];
        string name = token;
        string? inline = null;
        int equals = token.IndexOf('=', StringComparison.Ordinal);
        if (token.StartsWith("--", StringComparison.Ordinal) && equals > 2)
        {
            name = token[..equals];
            inline = token[(equals + 1)..];
        }
        OptionSpec? option = command.FindOption(name);
        if (option is null)
        {
            result.AddError($"unknown option '{name}'");
            return index;
        }
        if (option == CommandSpec.HelpOption)
        {
            result.HelpRequested = true;
            return index;
        }
        string? value = inline;
        if (value is null && option.TakesValue)
        {
            // The next token is the value, unless it is another of this command's options (a forgotten value).
            if (index + 1 < args.Count && args[index + 1] != "--" && command.FindOption(args[index + 1]) is null)
                value = args[++index];
            else
            {
                result.MarkGiven(option);
                result.AddError($"Required argument missing for option: '{option.Name}'.");
                return index;
            }
        }
        if (option.TakesValue && result.IsGiven(option))
        {
            if (repeated.Add(option))
                result.AddError($"Option '{option.Name}' expects a single argument but 2 were provided.");
            return index;
        }
        result.MarkGiven(option);
        if (value is null)
        {
            result.SetValue(option, true);
            return index;
        }
        if (option.Choices is { } choices && !choices.Contains(value))
        {
            result.AddError($"Argument '{value}' not recognized. Must be one of: {string.Join(", ", choices.Select(c => $"'{c}'"))}.");
            return index;
        }
        try
        {
            result.SetValue(option, option.ParseValue(value));
        }
        catch (OptionValueException e)
        {
            result.AddError(e.Message);
        }
        return index;
    }

    /// <summary>Deals the positional tokens to the command's arguments in order; too few or too many are errors.</summary>
    private static void AssignArguments(CommandSpec command, List<string> positional, ParseResult result)
    {
        int next = 0;
        bool missing = false;
        foreach (ArgumentSpec argument in command.Arguments)
        {
            int count = Math.Min(argument.MaxCount, positional.Count - next);
            result.SetArgument(argument, positional.GetRange(next, count));
            next += count;
            missing |= count < argument.MinCount;
        }
        for (; next < positional.Count; next++)
            result.AddError($"Unrecognized command or argument '{positional[next]}'.");
        if (missing)
            result.AddError($"Required argument missing for command: '{command.Name}'.");
    }
}
