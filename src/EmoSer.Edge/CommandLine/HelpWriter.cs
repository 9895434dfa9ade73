using System.Text;

namespace EmoSer.Edge.CommandLine;

/// <summary>
/// Writes a command's help in System.CommandLine's layout (Description, Usage, Arguments, Options, Commands; each
/// section's second column aligned two spaces after its longest first column; no wrapping).
/// </summary>
internal static class HelpWriter
{
    /// <summary>Writes the help of the last command of <paramref name="path"/> (the root first).</summary>
    public static void Write(TextWriter output, IReadOnlyList<CommandSpec> path)
    {
        CommandSpec command = path[^1];
        var text = new StringBuilder();
        text.Append("Description:\n  ").Append(command.Description).Append("\n\n");
        text.Append("Usage:\n  ").Append(Usage(path)).Append("\n\n");
        if (command.Arguments.Count > 0)
        {
            WriteSection(text, "Arguments:", command.Arguments.Select(a =>
                ($"<{a.Name}>", a.DefaultValue is null ? a.Description : $"{a.Description} [default: {a.DefaultValue}]")));
        }
        WriteSection(text, "Options:", VisibleOptions(command).Select(o => (OptionColumn(o), o.DefaultText is { } d ? $"{o.Description} [default: {d}]" : o.Description)));
        if (command.Subcommands.Count > 0)
        {
            WriteSection(text, "Commands:", command.Subcommands.Select(c =>
                (string.Concat(c.Name, string.Concat(c.Arguments.Select(a => $" <{a.Name}>"))), c.Description)));
        }
        output.Write(text.ToString());
    }

    /// <summary>The usage line: <c>emoser classify &lt;FILE&gt;... [options]</c>, <c>emoser [command] [options]</c>.</summary>
    public static string Usage(IReadOnlyList<CommandSpec> path)
    {
        CommandSpec command = path[^1];
        var usage = new StringBuilder(string.Join(' ', path.Select(c => c.Name)));
        foreach (ArgumentSpec a in command.Arguments)
        {
            string many = a.MaxCount > 1 ? "..." : "";
            usage.Append(a.MinCount == 0 ? $" [<{a.Name}>{many}]" : $" <{a.Name}>{many}");
        }
        if (command.Subcommands.Count > 0)
            usage.Append(" [command]");
        return usage.Append(" [options]").ToString();
    }

    /// <summary>The options listed: declared order, hidden ones left out, help where declared or else last.</summary>
    private static IEnumerable<OptionSpec> VisibleOptions(CommandSpec command)
    {
        IEnumerable<OptionSpec> options = command.Options.Where(o => !o.Hidden);
        return command.Options.Contains(CommandSpec.HelpOption) ? options : options.Append(CommandSpec.HelpOption);
    }

    /// <summary><c>-r, --recursive</c>, <c>--set &lt;SET&gt;</c>, <c>--out &lt;PROFILE.json&gt; (REQUIRED)</c>.</summary>
    private static string OptionColumn(OptionSpec option)
    {
        // Shortest spelling first (-?, -h, --help), as System.CommandLine lists them.
        string[] names = [.. option.Aliases.Append(option.Name).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal)];
        var column = new StringBuilder(string.Join(", ", names));
        if (option.TakesValue)
        {
            string placeholder = option.HelpName
                ?? (option.Choices is { } choices ? string.Join('|', choices.Order(StringComparer.Ordinal)) : option.Name.TrimStart('-'));
            column.Append(" <").Append(placeholder).Append('>');
        }
        if (option.Required)
            column.Append(" (REQUIRED)");
        return column.ToString();
    }

    private static void WriteSection(StringBuilder text, string title, IEnumerable<(string First, string Second)> rows)
    {
        var list = rows.ToList();
        int width = list.Max(r => r.First.Length);
        text.Append(title).Append('\n');
        foreach ((string first, string second) in list)
        {
            text.Append("  ").Append(first);
            if (second.Length > 0)
                text.Append(' ', width - first.Length + 2).Append(second);
            text.Append('\n');
        }
        text.Append('\n');
    }
}
