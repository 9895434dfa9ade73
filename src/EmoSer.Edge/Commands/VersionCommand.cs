using EmoSer.Edge.CommandLine;
using EmoSer.Programs;

namespace EmoSer.Edge.Commands;

/// <summary><c>emoser version</c>: prints the runtime version.</summary>
internal static class VersionCommand
{
    public static CommandSpec Create(CliContext context) => new("version", "Print the EmoSer version.")
    {
        Action = _ => Print(context),
    };

    /// <summary>Prints <c>emoser VERSION</c>: also what <c>emoser --version</c> prints.</summary>
    public static int Print(CliContext context)
    {
        context.Out.Write($"emoser {EmoSer.Runtime.EmoSerInfo.Version}\n");
        return ExitCodes.Ok;
    }
}
