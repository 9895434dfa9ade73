namespace EmoSer.Runtime.Audio;

/// <summary>
/// Opens any audio file: the format is told from the bytes, never from the name (a corpus may ship AIFF files named
/// <c>.wav</c>). WAV, AIFF/AIFF-C and FLAC are decoded by the runtime; MP3, Ogg Vorbis/Opus, MP4/M4A/AAC, WebM and a
/// few others through ffmpeg when <see cref="AudioFileOptions.Ffmpeg"/> allows it, otherwise refused with a message
/// naming the format. The one loader the CLI, the HTTP service, the trainer and the C library share
/// (docs/audio-input.md).
/// </summary>
public static class AudioFile
{
    /// <summary>The extensions of the formats <see cref="Read(string, AudioFileOptions?)"/> decodes (with ffmpeg for some).</summary>
    private static readonly HashSet<string> s_extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac",
        ".webm", ".mka", ".caf", ".wma", ".amr",
    };

    /// <summary>
    /// True when <paramref name="path"/>'s extension is one of an audio format this class opens: how a folder of audio
    /// is listed (a README or a manifest beside the files is left out). The bytes, not the extension, then decide how
    /// each file is decoded.
    /// </summary>
    public static bool HasAudioExtension(string path) => s_extensions.Contains(Path.GetExtension(path));

    /// <summary>Reads the audio file at <paramref name="path"/>; error messages name the path.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Decoding options; null is <see cref="AudioFileOptions.BuiltIn"/>.</param>
    /// <exception cref="AudioFormatException">The file is not decodable audio.</exception>
    /// <exception cref="IOException">The file cannot be opened or read (<see cref="FileNotFoundException"/> when missing).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static AudioClip Read(string path, AudioFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path, options, path);
    }

    /// <summary>
    /// Reads a whole audio file from <paramref name="stream"/>, which need not be seekable (stdin, an upload). The stream
    /// is not disposed.
    /// </summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="inputName">Name used in error messages (a path, <c>"&lt;stdin&gt;"</c>, an upload's name).</param>
    /// <param name="options">Decoding options; null is <see cref="AudioFileOptions.BuiltIn"/>.</param>
    /// <exception cref="AudioFormatException">The bytes are not decodable audio.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static AudioClip Read(Stream stream, string inputName, AudioFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        return Read(stream, inputName, options, null);
    }

    /// <summary>
    /// Decodes a whole audio file held in memory. The entry point for fuzzing the decoders: every failure on any bytes
    /// is an <see cref="AudioFormatException"/>.
    /// </summary>
    /// <exception cref="AudioFormatException">The bytes are not decodable audio.</exception>
    public static AudioClip Decode(ReadOnlySpan<byte> bytes, string inputName, AudioFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputName);
        options ??= AudioFileOptions.BuiltIn;
        if (bytes.IsEmpty)
            throw new AudioFormatException(inputName, "empty input (0 bytes)");
        WavReader.CheckMaxDuration(options.MaxDurationSeconds);
        AudioFileFormat format = AudioFormatSniffer.Identify(bytes);
        return format switch
        {
            AudioFileFormat.Wav => DecodeWav(bytes, inputName, options),
            AudioFileFormat.Aiff => AiffDecoder.Decode(bytes, inputName, options.MaxDurationSeconds),
            AudioFileFormat.Flac => FlacDecoder.Decode(bytes, inputName, options.MaxDurationSeconds),
            AudioFileFormat.Unknown => throw Unknown(bytes, inputName),
            _ => FfmpegDecoder.DecodeBytes(bytes, format, inputName, options),
        };
    }

    private static AudioClip Read(Stream stream, string inputName, AudioFileOptions? options, string? path)
    {
        options ??= AudioFileOptions.BuiltIn;
        WavReader.CheckMaxDuration(options.MaxDurationSeconds);
        long start = stream.CanSeek ? stream.Position : 0;
        byte[] head = new byte[AudioFormatSniffer.HeadLength];
        int n = StreamReading.ReadAtMost(stream, head);
        if (n == 0)
            throw new AudioFormatException(inputName, "empty input (0 bytes)");
        AudioFileFormat format = AudioFormatSniffer.Identify(head.AsSpan(0, n));
        if (format == AudioFileFormat.Wav)
        {
            // WAV streams: its reader sizes memory from what arrives, and checks a file's sizes against its length.
            Stream replay = stream.CanSeek ? Rewind(stream, start) : new PrefixedStream(head.AsMemory(0, n), stream);
            return WavReader.Read(replay, inputName, options.MaxDurationSeconds);
        }
        if (format == AudioFileFormat.Mp3 && stream.CanSeek && head.AsSpan(0, n).StartsWith("ID3"u8))
            format = FlacAfterId3(stream, start, head.AsSpan(0, n)) ? AudioFileFormat.Flac : format;
        // Refused before the rest is read: an endless pipe of anything but audio (/dev/zero) ends here.
        if (format == AudioFileFormat.Unknown)
            throw Unknown(head.AsSpan(0, n), inputName);
        if (!AudioFormatSniffer.IsBuiltIn(format))
            FfmpegDecoder.Resolve(format, inputName, options);
        // A file ffmpeg decodes is handed over by name: no copy in memory, and MP4 needs to seek.
        if (path is not null && !AudioFormatSniffer.IsBuiltIn(format) && format != AudioFileFormat.Unknown)
            return FfmpegDecoder.DecodeFile(path, format, inputName, options);
        byte[] all = ReadToEnd(stream, head.AsSpan(0, n), inputName);
        return Decode(all, inputName, options);
    }

    private static AudioClip DecodeWav(ReadOnlySpan<byte> bytes, string inputName, AudioFileOptions options)
    {
        using var memory = new MemoryStream(bytes.ToArray(), writable: false);
        return WavReader.Read(memory, inputName, options.MaxDurationSeconds);
    }

    /// <summary>
    /// Most bytes of a non-WAV stream read into memory to be decoded whole (AIFF, FLAC, or a copy for ffmpeg): an
    /// endless pipe stops here. 600 s of 96 kHz stereo 24-bit AIFF take 346 MB.
    /// </summary>
    internal const int MaxBufferedBytes = 512 << 20;

    private static AudioFormatException TooLarge(string inputName) =>
        new(inputName, $"too large: more than {MaxBufferedBytes >> 20} MiB of compressed or AIFF audio (convert it to WAV, or classify it as a stream)");

    private static AudioFormatException Unknown(ReadOnlySpan<byte> head, string inputName) =>
        new(inputName, "not a supported audio file: " + AudioFormatSniffer.DescribeUnknown(head));

    /// <summary>Whether the ID3v2 tag at the start of a seekable stream is followed by FLAC (the stream is left after the head).</summary>
    private static bool FlacAfterId3(Stream stream, long start, ReadOnlySpan<byte> head)
    {
        long after = stream.Position;
        stream.Position = start + FlacDecoder.Id3v2Length(head);
        Span<byte> marker = stackalloc byte[4];
        bool flac = StreamReading.ReadAtMost(stream, marker) == 4 && marker.SequenceEqual("fLaC"u8);
        stream.Position = after;
        return flac;
    }

    private static Stream Rewind(Stream stream, long start)
    {
        stream.Position = start;
        return stream;
    }

    /// <summary>The rest of the stream after <paramref name="head"/>, grown as bytes arrive (no length is trusted).</summary>
    private static byte[] ReadToEnd(Stream stream, ReadOnlySpan<byte> head, string inputName)
    {
        long? remaining = StreamReading.Remaining(stream);
        long expected = head.Length + (remaining ?? 1 << 20);
        if (expected > MaxBufferedBytes)
            throw TooLarge(inputName);
        byte[] buffer = new byte[Math.Max(expected, 4096)];
        head.CopyTo(buffer);
        int length = head.Length;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            if (length == buffer.Length)
            {
                // Full: grow only if the stream really has more (a file fills its exact-size buffer).
                if (stream.Read(probe) <= 0)
                    break;
                if (buffer.Length >= MaxBufferedBytes)
                    throw TooLarge(inputName);
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, MaxBufferedBytes));
                buffer[length++] = probe[0];
            }
            int n = stream.Read(buffer, length, buffer.Length - length);
            if (n <= 0)
                break;
            length += n;
        }
        if (length != buffer.Length)
            Array.Resize(ref buffer, length);
        return buffer;
    }

    /// <summary>A non-seekable stream that first replays bytes already read from <c>inner</c>.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
                return inner.Read(buffer);
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
