using EmoSer.Edge.CommandLine;
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
            CommandSpec root = CreateRoot(context, out FlagSpec version);
            ParseResult parse = CommandLineParser.Parse(root, args);
            int code;
            if (parse.HelpRequested)
            {
                HelpWriter.Write(stdout, parse.Path);
                code = ExitCodes.Ok;
            }
            else if (parse.IsGiven(version))
                code = VersionCommand.Print(context);
            else if (parse.Errors.Count > 0)
                return UsageError(parse, stdout, stderr);
            else
                code = parse.Command.Action!(parse);
            stdout.Flush();
            return code;
        }
        catch (Exception e)
        {
            return Fail(e, stdout, stderr);
        }
    }

    /// <summary>
    /// The command tree: the root's options, then the subcommands (one per file under Commands/) in help order. A
    /// subcommand declares its options only when it is used (<see cref="CommandSpec"/>), so building the tree costs
    /// a few objects.
    /// </summary>
    internal static CommandSpec CreateRoot(CliContext context, out FlagSpec version)
    {
        var root = new CommandSpec("emoser", $"emoser {EmoSer.Runtime.EmoSerInfo.Version}: speech emotion recognition");
        version = new FlagSpec("--version") { Description = "Show version information" };
        root.Options.Add(CommandSpec.HelpOption);
        root.Options.Add(version);
        root.Subcommands.Add(FeaturesCommand.Create(context));
        root.Subcommands.Add(ClassifyCommand.Create(context));
        root.Subcommands.Add(EnrollCommand.Create(context));
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(StreamCommand.Create(context));
        root.Subcommands.Add(VersionCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }

    private static int UsageError(ParseResult parse, TextWriter stdout, TextWriter stderr)
    {
        foreach (string error in parse.Errors)
            stderr.Write($"emoser: {error}\n");
        stderr.Write($"Run '{parse.CommandLineName} --help' for usage.\n");
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
