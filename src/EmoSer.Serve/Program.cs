using EmoSer.Serve;

// emoser-serve, the HTTP service. `emoser serve ARGS` runs this binary with ARGS (its sibling, without ASP.NET, starts
// in a fraction of the time).
return ServeCommand.Run(args, Console.Out, Console.Error);
