namespace EmoSer.Runtime.Audio;

/// <summary>
/// Decoded audio: interleaved float samples (nominally in [-1, 1)) with sample rate and channel count.
/// </summary>
public sealed class AudioClip
{
    /// <summary>Wraps <paramref name="interleaved"/> (not copied).</summary>
    /// <param name="interleaved">Samples, frame-major: <c>[frame * channels + channel]</c>.</param>
    /// <param name="sampleRate">Frames per second, &gt; 0.</param>
    /// <param name="channels">Channel count, &gt; 0; the sample count must be a multiple of it.</param>
    /// <exception cref="ArgumentOutOfRangeException">Sample rate or channel count is not positive.</exception>
    /// <exception cref="ArgumentException">The sample count is not a whole number of frames.</exception>
    public AudioClip(float[] interleaved, int sampleRate, int channels)
    {
        ArgumentNullException.ThrowIfNull(interleaved);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"{interleaved.Length} samples are not a whole number of {channels}-channel frames.", nameof(interleaved));
        Interleaved = interleaved;
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>The samples, frame-major (<c>[frame * Channels + channel]</c>).</summary>
    public float[] Interleaved { get; }

    /// <summary>Frames per second.</summary>
    public int SampleRate { get; }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Number of frames (samples per channel).</summary>
    public int FrameCount => Interleaved.Length / Channels;

    /// <summary>Duration in seconds (<see cref="FrameCount"/> / <see cref="SampleRate"/>).</summary>
    public double DurationSeconds => (double)FrameCount / SampleRate;

    /// <summary>
    /// The channel average per frame, as <c>librosa.load(mono=True)</c> computes it (float32 sum of the
    /// channels in order, divided by the channel count). Returns <see cref="Interleaved"/> itself when the
    /// clip is already mono, otherwise a new array.
    /// </summary>
    public float[] ToMono()
    {
        if (Channels == 1)
            return Interleaved;
        var mono = new float[FrameCount];
        ChannelMixer.AverageToMono(Interleaved, Channels, mono);
        return mono;
    }
}
