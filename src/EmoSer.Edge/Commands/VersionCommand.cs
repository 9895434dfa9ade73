using System.CommandLine;
using EmoSer.Programs;

namespace EmoSer.Edge.Commands;

/// <summary><c>emoser version</c>: prints the runtime version.</summary>
internal static class VersionCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("version", "Print the EmoSer version.");
        command.SetAction(_ =>
        {
            context.Out.Write($"emoser {EmoSer.Runtime.EmoSerInfo.Version}\n");
            return ExitCodes.Ok;
        });
        return command;
    }
}
