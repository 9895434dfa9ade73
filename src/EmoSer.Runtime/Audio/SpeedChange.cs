namespace EmoSer.Runtime.Audio;

/// <summary>
/// Plays audio faster or slower, as a tape at another speed: tempo and pitch change together (Kaldi's
/// speed-perturb). The trainer makes its training copies with it and the runtime its test-time copies, so both see
/// exactly the same signal.
/// </summary>
public static class SpeedChange
{
    /// <summary>Smallest and largest accepted factor.</summary>
    public const double MinFactor = 0.5, MaxFactor = 2.0;

    /// <summary>
    /// <paramref name="mono"/> at <paramref name="sampleRate"/> played <paramref name="factor"/> times as fast:
    /// <c>ceil(length · rate / round(rate · factor))</c> samples at the same rate.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is outside [0.5, 2] or the rate is not positive.</exception>
    public static float[] Apply(ReadOnlySpan<float> mono, int sampleRate, double factor) =>
        Resampler.Resample(mono, SourceRate(sampleRate, factor), sampleRate);

    /// <summary>
    /// A streaming converter that makes the copy: <see cref="Resampler.Process"/> the clip, then
    /// <see cref="Resampler.Flush"/>, gives the samples of <see cref="Apply"/>, and the
    /// instance can be reused for the next clip (for callers that keep one per factor instead of allocating per copy).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is outside [0.5, 2] or the rate is not positive.</exception>
    public static Resampler CreateResampler(int sampleRate, double factor) => new(SourceRate(sampleRate, factor), sampleRate);

    /// <summary>
    /// The rate a copy reads the samples at, <c>round(rate · factor)</c>: two factors with the same source rate make the
    /// same copy, and a source rate equal to <paramref name="sampleRate"/> makes the clip itself.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is outside [0.5, 2] or the rate is not positive.</exception>
    public static int SourceRate(int sampleRate, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (!(factor >= MinFactor && factor <= MaxFactor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"The speed factor must be in [{MinFactor}, {MaxFactor}].");
        // Reading the samples as if they had been recorded at rate·factor and converting back to the rate
        // stretches time by 1/factor and moves every frequency by factor.
        return (int)Math.Round(sampleRate * factor);
    }
}
