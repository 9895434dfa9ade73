using System.CommandLine;

namespace EmoSer.Edge.Commands;

/// <summary><c>emoser version</c>: prints the runtime version.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the EmoSer version.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"emoser {EmoSer.Runtime.EmoSerInfo.Version}");
            return 0;
        });
        return command;
    }
}
