namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads RIFF/WAVE files: PCM 8/16/24/32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE with a PCM or
/// float subformat, any channel count up to 64 and any sample rate up to 768 kHz. Samples are converted to
/// float exactly as libsndfile does for <c>librosa.load</c>. See docs/audio-input.md for limits and errors.
/// </summary>
public static class WavReader
{
    /// <summary>
    /// Reads a whole WAV from <paramref name="stream"/> (which need not be seekable, e.g. stdin).
    /// The stream is left positioned after the data that was read and is not disposed.
    /// </summary>
    /// <param name="stream">The WAV bytes.</param>
    /// <param name="inputName">Name used in error messages (file path, "stdin", ...).</param>
    /// <exception cref="AudioFormatException">The input is not a supported, well-formed WAV.</exception>
    public static AudioClip Read(Stream stream, string inputName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        WavDataFormat format = WavHeaderParser.ReadHeader(stream, inputName);
        var body = PcmBodyReader.ReadAll(stream, format.Encoding, format.DataLength, inputName);
        if (format.DataLength >= 0 && body.BytesRead < format.DataLength)
            throw new AudioFormatException(inputName, $"truncated data: data chunk declares {format.DataLength} bytes, input ends after {body.BytesRead}");

        // libsndfile ignores a trailing partial frame; so do we.
        int usable = body.SampleCount / format.Channels * format.Channels;
        float[] samples = body.Samples;
        if (usable != samples.Length)
            Array.Resize(ref samples, usable);
        if (SampleDecoder.IsFloat(format.Encoding))
        {
            int bad = SampleDecoder.IndexOfNonFinite(samples);
            if (bad >= 0)
                throw new AudioFormatException(inputName, $"non-finite sample ({samples[bad]}) at frame {bad / format.Channels}");
        }
        return new AudioClip(samples, format.SampleRate, format.Channels);
    }

    /// <summary>Reads the WAV file at <paramref name="path"/>; error messages name the path.</summary>
    /// <exception cref="AudioFormatException">The file is not a supported, well-formed WAV.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static AudioClip ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, path);
    }
}
