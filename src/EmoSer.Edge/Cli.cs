using System.CommandLine;
using System.CommandLine.Invocation;
using EmoSer.Edge.Commands;
using EmoSer.Edge.Input;
using EmoSer.Programs;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;

namespace EmoSer.Edge;

/// <summary>
/// The whole <c>emoser</c> program behind one entry point that takes its standard streams as arguments,
/// so tests run it in-process exactly as the native binary runs it. Exit codes: <see cref="ExitCodes"/>.
/// </summary>
internal static class Cli
{
    /// <summary>Parses <paramref name="args"/>, runs the command and maps every failure to an exit code
    /// and at most one line on <paramref name="stderr"/> (usage errors may add a hint line).</summary>
    public static int Run(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, new CliContext(stdin, stdout, stderr));

    /// <summary>As <see cref="Run(string[], Stream, TextWriter, TextWriter)"/>, with the streams and settings of <paramref name="context"/>.</summary>
    public static int Run(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out, stderr = context.Err;
        // The server is a binary of its own: everything after "serve" is its command line.
        if (args is ["serve", ..])
            return ServeCommand.Exec(args[1..], context, context.FindServer());
        try
        {
            Command root = CreateRoot(context, args);
            ParseResult parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
                return UsageError(parse, stdout, stderr);
            int code = parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
            stdout.Flush();
            return code;
        }
        catch (Exception e)
        {
            return Fail(e, stdout, stderr);
        }
    }

    /// <summary>The subcommands, one per file under Commands/, in the order help lists them.</summary>
    private static readonly (string Name, Func<CliContext, Command> Create)[] s_commands =
    [
        ("features", FeaturesCommand.Create),
        ("classify", ClassifyCommand.Create),
        ("enroll", EnrollCommand.Create),
        ("info", InfoCommand.Create),
        ("stream", StreamCommand.Create),
        ("version", VersionCommand.Create),
        ("serve", _ => ServeCommand.Create()),
    ];

    /// <summary>
    /// The command tree. When the first argument names a subcommand, only that one is built: a command line parses
    /// within its subcommand, so the result is the same. And unless the command line can use them (a help or version
    /// token, a response file, a directive, or no argument at all), the root is a plain command without
    /// <see cref="RootCommand"/>'s help and version options: their descriptions load System.CommandLine's resource
    /// manager through reflection. Both are measurable parts of a short run's start-up (benchmarks/startup.sh);
    /// parse errors still get System.CommandLine's messages, which load the resources only then.
    /// </summary>
    private static Command CreateRoot(CliContext context, string[] args)
    {
        string description = $"emoser {EmoSer.Runtime.EmoSerInfo.Version}: speech emotion recognition";
        Command root = Array.Exists(args, UsesRootOptions) || args.Length == 0
            ? new RootCommand(description)
            : new Command("emoser", description);
        string? only = args.Length > 0 && Array.Exists(s_commands, c => c.Name == args[0]) ? args[0] : null;
        foreach (var (name, create) in s_commands)
        {
            if (only is null || name == only)
                root.Subcommands.Add(create(context));
        }
        return root;
    }

    /// <summary>True for a token that only <see cref="RootCommand"/> understands: its help and version options,
    /// a response file (which may hold them) or a directive.</summary>
    private static bool UsesRootOptions(string token) =>
        token is "--help" or "-h" or "-?" or "/h" or "/?" or "--version" || token.StartsWith('@') || token.StartsWith('[');

    private static int UsageError(ParseResult parse, TextWriter stdout, TextWriter stderr)
    {
        foreach (var error in parse.Errors)
            stderr.Write($"emoser: {error.Message}\n");
        string command = parse.CommandResult.Command == parse.RootCommandResult.Command ? "emoser" : $"emoser {parse.CommandResult.Command.Name}";
        stderr.Write($"Run '{command} --help' for usage.\n");
        stdout.Flush();
        stderr.Flush();
        return ExitCodes.Usage;
    }

    private static int Fail(Exception e, TextWriter stdout, TextWriter stderr)
    {
        // Results already produced stay valid: flush them before the error line.
        try { stdout.Flush(); } catch (IOException) { }
        // Only our own exceptions' messages are shown: the native build strips the framework's texts to resource keys.
        (int code, string message) = e switch
        {
            AudioFormatException or InputException => (ExitCodes.BadInput, e.Message),
            UsageException => (ExitCodes.Usage, e.Message),
            EmoSer.Runtime.ModelFile.ModelFormatException => (ExitCodes.BadInput, e.Message),
            EmoSer.Runtime.Speakers.SpeakerProfileFormatException => (ExitCodes.BadInput, e.Message),
            // Usually a closed pipe (`emoser stream | head`): reading errors are InputExceptions.
            IOException => (ExitCodes.BadInput, $"output: {ErrorText.Describe(e)}"),
            OutOfMemoryException => (ExitCodes.InternalError, "out of memory"),
            _ => (ExitCodes.InternalError, $"internal error ({e.GetType().Name}): a bug in emoser, please report it with the command and input"),
        };
        stderr.Write($"emoser: {ErrorText.OneLine(message)}\n");
        stderr.Flush();
        return code;
    }
}
