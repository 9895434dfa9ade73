using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Adds a 16-bit noise floor (triangular dither of ±1 LSB, about -101 dBFS RMS) to audio that was resampled to a
/// model's rate. Why: the models were trained on 16-bit recordings whose noise fills every band up to Nyquist, but a
/// downsampled signal is near-empty above the resampler's passband (0.9 × Nyquist), and the top band of the spectral
/// contrast (valley = 2% quantile of 6.4–8 kHz at 16 kHz) then reads -80 dB below the peak: a feature value the model
/// never saw, which pushed 44.1 and 48 kHz uploads to "angry" at full confidence.
/// </summary>
/// <remarks>
/// The noise of sample <c>n</c> is a hash of <c>n</c> alone, so the result is deterministic and the same whether the
/// audio is dithered in one piece (<see cref="EmotionClassifier"/>) or in chunks (<see cref="EmotionStream"/>), on any
/// architecture. Allocation-free.
/// </remarks>
public static class ResamplingDither
{
    private const float LeastSignificantBit = 1f / 32768f;
    private const float UnitFrom24Bits = 1f / (1 << 24);

    /// <summary>Adds the dither to <paramref name="samples"/>, whose first element is sample <paramref name="firstIndex"/> of the signal.</summary>
    /// <param name="samples">Model-rate samples, changed in place.</param>
    /// <param name="firstIndex">Index of <c>samples[0]</c> in the whole signal (0 for a signal dithered in one piece).</param>
    public static void Apply(Span<float> samples, long firstIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        for (int i = 0; i < samples.Length; i++)
        {
            ulong h = SplitMix64((ulong)(firstIndex + i));
            // Two independent uniforms in [0, 1) from the hash; their difference is triangular on (-1, 1).
            float u1 = (uint)(h >> 40) * UnitFrom24Bits;
            float u2 = (uint)((h >> 16) & 0xFFFFFF) * UnitFrom24Bits;
            samples[i] += (u1 - u2) * LeastSignificantBit;
        }
    }

    /// <summary>
    /// Resamples mono audio to a model's rate and adds the dither: what the classifier and the trainer do to every
    /// input whose rate differs from the model's.
    /// </summary>
    /// <param name="mono">Samples at <paramref name="fromRate"/>.</param>
    /// <param name="fromRate">Their sample rate.</param>
    /// <param name="toRate">The model's sample rate.</param>
    /// <returns>The resampled, dithered samples (a new array).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive or their ratio is unsupported (see <see cref="Resampler"/>).</exception>
    public static float[] Resample(ReadOnlySpan<float> mono, int fromRate, int toRate)
    {
        float[] resampled = Resampler.Resample(mono, fromRate, toRate);
        Apply(resampled, 0);
        return resampled;
    }

    internal static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
