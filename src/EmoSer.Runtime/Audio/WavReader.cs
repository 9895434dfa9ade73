namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads RIFF/WAVE files: PCM 8/16/24/32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE with a PCM or
/// float subformat, 1..64 channels, 8..768 kHz (<see cref="InputLimits"/>). Samples are converted to
/// float exactly as libsndfile does for <c>librosa.load</c>. See docs/audio-input.md for limits and errors.
/// </summary>
internal static class WavReader
{
    /// <summary>
    /// Reads a whole WAV from <paramref name="stream"/> (which need not be seekable, e.g. stdin), refusing audio longer
    /// than <see cref="InputLimits.DefaultMaxDurationSeconds"/>. The stream is left positioned after the data that was
    /// read and is not disposed.
    /// </summary>
    /// <param name="stream">The WAV bytes.</param>
    /// <param name="inputName">Name used in error messages (file path, "stdin", ...).</param>
    /// <exception cref="AudioFormatException">The input is not a supported, well-formed WAV, or holds no samples.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than the limit.</exception>
    public static AudioClip Read(Stream stream, string inputName) => Read(stream, inputName, InputLimits.DefaultMaxDurationSeconds);

    /// <summary>
    /// Reads a whole WAV from <paramref name="stream"/>, refusing audio longer than <paramref name="maxDurationSeconds"/>:
    /// from the data size the header declares, before reading any sample, or (when the size is unknown, as from a
    /// streaming writer) as soon as the limit is passed while reading.
    /// </summary>
    /// <param name="stream">The WAV bytes.</param>
    /// <param name="inputName">Name used in error messages.</param>
    /// <param name="maxDurationSeconds">The longest audio accepted (0 &lt; seconds ≤ <see cref="InputLimits.MaxDurationCeilingSeconds"/>).</param>
    /// <exception cref="AudioFormatException">The input is not a supported, well-formed WAV, or holds no samples.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than <paramref name="maxDurationSeconds"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDurationSeconds"/> is out of range.</exception>
    public static AudioClip Read(Stream stream, string inputName, double maxDurationSeconds)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        CheckMaxDuration(maxDurationSeconds);
        WavDataFormat format = WavHeaderParser.ReadHeader(stream, inputName);
        long maxFrames = InputLimits.MaxFrames(format.SampleRate, maxDurationSeconds);
        if (format.DataLength >= 0 && format.DataLength / format.BlockAlign > maxFrames)
            throw new AudioTooLongException(inputName, (double)(format.DataLength / format.BlockAlign) / format.SampleRate, maxDurationSeconds);
        var body = PcmBodyReader.ReadAll(stream, format.Encoding, format.DataLength, inputName, format.Channels, maxFrames, maxDurationSeconds);
        if (format.DataLength >= 0 && body.BytesRead < format.DataLength)
            throw new AudioFormatException(inputName, $"truncated data: data chunk declares {format.DataLength} bytes, input ends after {body.BytesRead}");

        // libsndfile ignores a trailing partial frame; so do we.
        int usable = body.SampleCount / format.Channels * format.Channels;
        if (usable == 0)
            throw new AudioFormatException(inputName, "no audio samples (0 frames)");
        float[] samples = body.Samples;
        if (usable != samples.Length)
            Array.Resize(ref samples, usable);
        // Integer encodings lie within [-1, 1] by construction; float ones may hold anything.
        if (SampleDecoder.IsFloat(format.Encoding) && InputLimits.IndexOfInvalidSample(samples) is int bad and >= 0)
            throw new AudioFormatException(inputName, InputLimits.InvalidSampleProblem(samples, bad, format.Channels));
        return new AudioClip(samples, format.SampleRate, format.Channels);
    }

    /// <summary>Reads the WAV file at <paramref name="path"/> (at most <see cref="InputLimits.DefaultMaxDurationSeconds"/>); error messages name the path.</summary>
    /// <exception cref="AudioFormatException">The file is not a supported, well-formed WAV, or holds no samples.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than the limit.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static AudioClip ReadFile(string path) => ReadFile(path, InputLimits.DefaultMaxDurationSeconds);

    /// <summary>Reads the WAV file at <paramref name="path"/>, refusing audio longer than <paramref name="maxDurationSeconds"/>.</summary>
    /// <exception cref="AudioFormatException">The file is not a supported, well-formed WAV, or holds no samples.</exception>
    /// <exception cref="AudioTooLongException">The audio is longer than <paramref name="maxDurationSeconds"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static AudioClip ReadFile(string path, double maxDurationSeconds)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Read(stream, path, maxDurationSeconds);
    }

    /// <summary>Throws unless <paramref name="seconds"/> is a usable maximum duration (<see cref="InputLimits.MaxDurationProblem"/>).</summary>
    internal static void CheckMaxDuration(double seconds)
    {
        if (InputLimits.MaxDurationProblem(seconds) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(seconds), problem);
    }
}
