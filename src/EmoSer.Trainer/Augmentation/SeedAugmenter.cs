using EmoSer.Trainer.Features;

namespace EmoSer.Trainer.Augmentation;

/// <summary>
/// The seed's augmentation, seeded: white noise <c>y + 0.05 * N(0, 1)</c>, a leading delay of 0-6200 zero samples
/// (uniform), and a time stretch by 1.23 or 0.81 (equally likely) with the phase vocoder, applied in that order.
/// </summary>
public sealed class SeedAugmenter : IAudioAugmenter
{
    /// <summary>Noise standard deviation.</summary>
    public const double NoiseLevel = 0.05;
    /// <summary>Largest leading delay, in samples.</summary>
    public const int MaxDelay = 6200;
    /// <summary>The two stretch rates.</summary>
    public static readonly double[] StretchRates = [1.23, 0.81];

    private readonly PhaseVocoder _vocoder = new();

    /// <summary>The augmentation and its parameters; with the copy's seed, the cache key of a copy.</summary>
    public string Description => $"seed-augment-v1;noise={NoiseLevel};delay=0..{MaxDelay};stretch={string.Join('|', StretchRates)}";

    /// <inheritdoc/>
    public string Variant(int copy, int copySeed) => $"{Description};seed={copySeed}";

    /// <inheritdoc/>
    public float[] Augment(float[] mono, int sampleRate, int copy, int seed)
    {
        var rng = new Random(seed);
        int delay = rng.Next(0, MaxDelay + 1);
        double rate = StretchRates[rng.Next(StretchRates.Length)];
        var noisy = new float[delay + mono.Length];
        for (int i = 0; i < mono.Length; i++)
            noisy[delay + i] = mono[i] + (float)(NoiseLevel * Gaussian(rng));
        // The delayed lead-in is silence plus the same noise, as adding noise to the shifted signal would give.
        for (int i = 0; i < delay; i++)
            noisy[i] = (float)(NoiseLevel * Gaussian(rng));
        lock (_vocoder)
            return _vocoder.Stretch(noisy, rate);
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
