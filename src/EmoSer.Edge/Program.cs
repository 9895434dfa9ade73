using System.CommandLine;
using EmoSer.Edge.Commands;
using EmoSer.Edge.Serve;

// One subcommand per file under Commands/ (and Serve/ for the HTTP service).
var root = new RootCommand($"emoser {EmoSer.Runtime.EmoSerInfo.Version}: speech emotion recognition")
{
    VersionCommand.Create(),
    ServeCommand.Create(),
};
return root.Parse(args).Invoke();
