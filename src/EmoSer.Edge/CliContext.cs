namespace EmoSer.Edge;

/// <summary>
/// The standard streams of one <c>emoser</c> invocation. Commands read and write only through these, so the
/// tests can run the whole program in-process (<see cref="Cli.Run"/>).
/// </summary>
internal sealed class CliContext(Stream stdin, TextWriter stdout, TextWriter stderr)
{
    /// <summary>Standard input (audio bytes for <c>-</c> and <c>emoser stream</c>).</summary>
    public Stream In { get; } = stdin;

    /// <summary>Standard output (results).</summary>
    public TextWriter Out { get; } = stdout;

    /// <summary>Standard error (the one-line error message).</summary>
    public TextWriter Err { get; } = stderr;
}
