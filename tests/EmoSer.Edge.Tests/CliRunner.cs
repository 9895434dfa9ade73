using System.Text;
using System.Text.Json;

namespace EmoSer.Edge.Tests;

/// <summary>The outcome of one in-process <c>emoser</c> run.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Non-empty stdout lines.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Each stdout line parsed as JSON.</summary>
    public JsonElement[] JsonLines => [.. Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs <see cref="Cli.Run"/> in-process with the given bytes on stdin.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args) => Run(Array.Empty<byte>(), args);

    public static CliResult Run(byte[] stdin, params string[] args) => Run(stdin, args, null, null);

    /// <summary>Runs with only the runtime's own decoders (no ffmpeg), as <c>EMOSER_FFMPEG=none</c> does.</summary>
    public static CliResult RunWithoutFfmpeg(params string[] args) => Run([], args, null, EmoSer.Runtime.Audio.AudioFileOptions.BuiltIn);

    /// <summary>Runs as on a terminal: a batch shows its progress line on stderr after <paramref name="progressDelay"/>.</summary>
    public static CliResult RunOnTerminal(TimeSpan progressDelay, params string[] args) => Run([], args, progressDelay, null);

    private static CliResult Run(byte[] stdin, string[] args, TimeSpan? progressDelay, EmoSer.Runtime.Audio.AudioFileOptions? audio)
    {
        // Standard input is a pipe in real use: not seekable, which changes how truncation is detected.
        using var input = new PipeLikeStream(new MemoryStream(stdin, writable: false));
        return Run(input, args, progressDelay, audio);
    }

    /// <summary>Runs with <paramref name="stdin"/> (e.g. an endless generated stream) as standard input.</summary>
    public static CliResult Run(Stream stdin, params string[] args) => Run(stdin, args, null, null);

    private static CliResult Run(Stream input, string[] args, TimeSpan? progressDelay, EmoSer.Runtime.Audio.AudioFileOptions? audio)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Cli.Run(args, new CliContext(input, stdout, stderr, progressDelay, outputIsTerminal: false, audio));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A temp file that deletes itself.</summary>
    public static TempFile TempFile(byte[] content, string extension = ".wav") => new(content, extension);
}

internal sealed class TempFile : IDisposable
{
    public TempFile(byte[] content, string extension)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(Path, content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}

/// <summary>Small audio helpers for the tests.</summary>
internal static class TestAudio
{
    /// <summary>A canonical 16-bit PCM WAV of the given mono samples.</summary>
    public static byte[] Wav16(ReadOnlySpan<short> samples, int sampleRate, int channels = 1)
    {
        var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        int dataBytes = samples.Length * 2;
        w.Write(Encoding.ASCII.GetBytes("RIFF"));
        w.Write(36 + dataBytes);
        w.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        w.Write(16);
        w.Write((short)1);
        w.Write((short)channels);
        w.Write(sampleRate);
        w.Write(sampleRate * channels * 2);
        w.Write((short)(channels * 2));
        w.Write((short)16);
        w.Write(Encoding.ASCII.GetBytes("data"));
        w.Write(dataBytes);
        foreach (short s in samples)
            w.Write(s);
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>The raw bytes of the data chunk of a canonical (44-byte header) 16-bit WAV.</summary>
    public static byte[] DataChunkOf(byte[] wav)
    {
        // Walk the chunks rather than assume 44 bytes: Emo-DB files are canonical, but be exact.
        int pos = 12;
        while (pos + 8 <= wav.Length)
        {
            string id = Encoding.ASCII.GetString(wav, pos, 4);
            int size = BitConverter.ToInt32(wav, pos + 4);
            if (id == "data")
                return wav.AsSpan(pos + 8, size).ToArray();
            pos += 8 + size + (size & 1);
        }
        throw new InvalidDataException("no data chunk");
    }
}

/// <summary>A read-only, non-seekable view of a stream, like a pipe on stdin.</summary>
internal sealed class PipeLikeStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
