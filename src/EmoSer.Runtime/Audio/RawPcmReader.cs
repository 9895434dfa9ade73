namespace EmoSer.Runtime.Audio;

/// <summary>Reads headerless little-endian PCM (s16le or f32le) with a caller-given rate and channel count.</summary>
public static class RawPcmReader
{
    /// <summary>
    /// Reads the whole stream, refusing audio longer than <see cref="InputLimits.DefaultMaxDurationSeconds"/>.
    /// Trailing bytes that do not form a whole frame are an error: with no header to check against, they almost always
    /// mean the format or channel count given is wrong.
    /// </summary>
    /// <param name="stream">Raw sample bytes (need not be seekable).</param>
    /// <param name="format">Sample encoding.</param>
    /// <param name="sampleRate">Frames per second (<see cref="InputLimits.MinSampleRate"/>..<see cref="InputLimits.MaxSampleRate"/>).</param>
    /// <param name="channels">Channels per frame (1..<see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="inputName">Name used in error messages.</param>
    /// <exception cref="ArgumentOutOfRangeException">Rate, channel count or format out of range.</exception>
    /// <exception cref="AudioFormatException">Empty input, partial trailing frame or an invalid float sample.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than the limit.</exception>
    public static AudioClip Read(Stream stream, RawPcmFormat format, int sampleRate, int channels, string inputName) =>
        Read(stream, format, sampleRate, channels, inputName, InputLimits.DefaultMaxDurationSeconds);

    /// <summary>
    /// Reads the whole stream, refusing audio longer than <paramref name="maxDurationSeconds"/> as soon as reading
    /// passes it (an endless input such as <c>/dev/zero</c> stops there).
    /// </summary>
    /// <param name="stream">Raw sample bytes (need not be seekable).</param>
    /// <param name="format">Sample encoding.</param>
    /// <param name="sampleRate">Frames per second (<see cref="InputLimits.MinSampleRate"/>..<see cref="InputLimits.MaxSampleRate"/>).</param>
    /// <param name="channels">Channels per frame (1..<see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="inputName">Name used in error messages.</param>
    /// <param name="maxDurationSeconds">The longest audio accepted.</param>
    /// <exception cref="ArgumentOutOfRangeException">Rate, channel count, format or maximum duration out of range.</exception>
    /// <exception cref="AudioFormatException">Empty input, partial trailing frame or an invalid float sample.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than <paramref name="maxDurationSeconds"/>.</exception>
    public static AudioClip Read(Stream stream, RawPcmFormat format, int sampleRate, int channels, string inputName, double maxDurationSeconds)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        SampleEncoding encoding = ToEncoding(format);
        ValidateLayout(sampleRate, channels);
        WavReader.CheckMaxDuration(maxDurationSeconds);

        var body = PcmBodyReader.ReadAll(stream, encoding, -1, inputName, channels, InputLimits.MaxFrames(sampleRate, maxDurationSeconds), maxDurationSeconds);
        if (body.BytesRead == 0)
            throw new AudioFormatException(inputName, "empty input (0 bytes)");
        int frameBytes = channels * SampleDecoder.BytesPerSample(encoding);
        long trailing = body.BytesRead % frameBytes;
        if (trailing != 0)
            throw new AudioFormatException(inputName, $"{body.BytesRead} bytes are not a whole number of {frameBytes}-byte frames ({trailing} left over): wrong raw format or channel count?");
        if (encoding == SampleEncoding.F32 && InputLimits.IndexOfInvalidSample(body.Samples) is int bad and >= 0)
            throw new AudioFormatException(inputName, InputLimits.InvalidSampleProblem(body.Samples, bad, channels) + ": is the input really f32le?");
        return new AudioClip(body.Samples, sampleRate, channels);
    }

    internal static SampleEncoding ToEncoding(RawPcmFormat format) => format switch
    {
        RawPcmFormat.S16Le => SampleEncoding.S16,
        RawPcmFormat.F32Le => SampleEncoding.F32,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown raw PCM format."),
    };

    internal static void ValidateLayout(int sampleRate, int channels)
    {
        if (InputLimits.SampleRateProblem(sampleRate) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, problem);
        if (channels <= 0 || channels > InputLimits.MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"Channel count must be 1..{InputLimits.MaxChannels}.");
    }
}
