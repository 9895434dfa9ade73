namespace EmoSer.Runtime.Audio;

/// <summary>Reads headerless little-endian PCM (s16le or f32le) with a caller-given rate and channel count.</summary>
public static class RawPcmReader
{
    /// <summary>
    /// Reads the whole stream. Trailing bytes that do not form a whole frame are an error: with no header to
    /// check against, they almost always mean the format or channel count given is wrong.
    /// </summary>
    /// <param name="stream">Raw sample bytes (need not be seekable).</param>
    /// <param name="format">Sample encoding.</param>
    /// <param name="sampleRate">Frames per second (1..768000).</param>
    /// <param name="channels">Channels per frame (1..64).</param>
    /// <param name="inputName">Name used in error messages.</param>
    /// <exception cref="ArgumentOutOfRangeException">Rate, channel count or format out of range.</exception>
    /// <exception cref="AudioFormatException">Empty input, partial trailing frame or non-finite float sample.</exception>
    public static AudioClip Read(Stream stream, RawPcmFormat format, int sampleRate, int channels, string inputName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        SampleEncoding encoding = ToEncoding(format);
        ValidateLayout(sampleRate, channels);

        var body = PcmBodyReader.ReadAll(stream, encoding, -1, inputName);
        if (body.BytesRead == 0)
            throw new AudioFormatException(inputName, "empty input (0 bytes)");
        int frameBytes = channels * SampleDecoder.BytesPerSample(encoding);
        long trailing = body.BytesRead % frameBytes;
        if (trailing != 0)
            throw new AudioFormatException(inputName, $"{body.BytesRead} bytes are not a whole number of {frameBytes}-byte frames ({trailing} left over): wrong raw format or channel count?");
        if (encoding == SampleEncoding.F32)
        {
            int bad = SampleDecoder.IndexOfNonFinite(body.Samples);
            if (bad >= 0)
                throw new AudioFormatException(inputName, $"non-finite sample ({body.Samples[bad]}) at frame {bad / channels}: is the input really f32le?");
        }
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
        if (sampleRate <= 0 || sampleRate > WavHeaderParser.MaxSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"Sample rate must be 1..{WavHeaderParser.MaxSampleRate} Hz.");
        if (channels <= 0 || channels > WavHeaderParser.MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"Channel count must be 1..{WavHeaderParser.MaxChannels}.");
    }
}
