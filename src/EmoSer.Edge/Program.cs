using System.Text;
using EmoSer.Edge;
using EmoSer.Edge.Output;
using EmoSer.Programs;

// Buffered stdout: commands flush where it matters (each `stream` line, the end of the run). 16 K characters keep
// the writer's two buffers below the large-object threshold, which a process that lives milliseconds pays for.
// The descriptors are written directly, without Console's terminal set-up (see StandardStream).
var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
var stdout = new StreamWriter(StandardStream.Output(), utf8, 1 << 14) { AutoFlush = false };
var stderr = new StreamWriter(StandardStream.Error(), utf8, 1024) { AutoFlush = true };
// Long batches show their progress on stderr, but only on a terminal (never in a log or a pipe).
var context = new CliContext(Console.OpenStandardInput(), stdout, stderr, Console.IsErrorRedirected ? null : TimeSpan.FromSeconds(1),
    outputIsTerminal: !Console.IsOutputRedirected);
int code = Cli.Run(args, context);
try
{
    stdout.Flush();
}
catch (IOException)
{
    // The reader went away (closed pipe): nothing more can be reported on stdout.
    code = code == ExitCodes.Ok ? ExitCodes.BadInput : code;
}
return code;
