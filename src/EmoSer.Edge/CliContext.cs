namespace EmoSer.Edge;

/// <summary>
/// The standard streams of one <c>emoser</c> invocation. Commands read and write only through these, so the
/// tests can run the whole program in-process (<see cref="Cli.Run"/>).
/// </summary>
internal sealed class CliContext(Stream stdin, TextWriter stdout, TextWriter stderr, TimeSpan? progressDelay = null, bool outputIsTerminal = false,
    EmoSer.Runtime.Audio.AudioFileOptions? audioOptions = null, Func<string?>? findServer = null)
{
    /// <summary>Standard input (audio bytes for <c>-</c> and <c>emoser stream</c>).</summary>
    public Stream In { get; } = stdin;

    /// <summary>Standard output (results).</summary>
    public TextWriter Out { get; } = stdout;

    /// <summary>Standard error (the one-line error message).</summary>
    public TextWriter Err { get; } = stderr;

    /// <summary>
    /// How long a batch runs before a progress line appears on <see cref="Err"/>; null (standard error is not a
    /// terminal) shows none.
    /// </summary>
    public TimeSpan? ProgressDelay { get; } = progressDelay;

    /// <summary>True when standard output is a terminal too: lines streamed there would tangle with a progress line.</summary>
    public bool OutputIsTerminal { get; } = outputIsTerminal;

    /// <summary>How audio files are opened: the runtime's decoders, and ffmpeg for the other formats.</summary>
    public EmoSer.Runtime.Audio.AudioFileOptions AudioOptions { get; } = audioOptions ?? EmoSer.Runtime.Audio.AudioFileOptions.FromEnvironment();

    /// <summary>Finds the server binary that <c>emoser serve</c> runs; null when it is not installed.</summary>
    public Func<string?> FindServer { get; } = findServer ?? (() => EmoSer.Programs.SiblingPrograms.Find(Commands.ServeCommand.ServerProgram));
}
