using System.CommandLine;
using EmoSer.Edge.Commands;

// One subcommand per file under Commands/ (and Serve/ for the HTTP service).
var root = new RootCommand($"emoser {EmoSer.Runtime.EmoSerInfo.Version}: speech emotion recognition")
{
    VersionCommand.Create(),
};
return root.Parse(args).Invoke();
