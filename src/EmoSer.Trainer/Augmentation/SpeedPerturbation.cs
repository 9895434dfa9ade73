using EmoSer.Runtime.Audio;
using EmoSer.Trainer.Features;

namespace EmoSer.Trainer.Augmentation;

/// <summary>
/// Speed perturbation: copy <c>k</c> of an utterance is the utterance played <see cref="Factors"/>[k-1] times as
/// fast, so tempo and pitch change together, as a tape played at another speed (Ko et al. 2015, Kaldi's
/// speed-perturb). It is a band-limited resampling from <c>round(rate · factor)</c> Hz to the feature rate, with no
/// noise and no randomness: unlike the seed's loud noise it keeps the signal clean, and it gives each training speaker
/// a few new voices.
/// </summary>
public sealed class SpeedPerturbation : IAudioAugmenter
{
    /// <summary>The factors used when none are given: 10% slower and 10% faster.</summary>
    public static readonly IReadOnlyList<double> DefaultFactors = [0.9, 1.1];

    /// <summary>Smallest and largest accepted factor.</summary>
    public const double MinFactor = SpeedChange.MinFactor, MaxFactor = SpeedChange.MaxFactor;

    /// <summary>Creates the augmenter; copy k uses <paramref name="factors"/>[(k-1) mod count].</summary>
    /// <exception cref="ArgumentException">No factor, or a factor outside [0.5, 2], or equal to 1.</exception>
    public SpeedPerturbation(IReadOnlyList<double> factors)
    {
        CheckFactors(factors);
        Factors = factors.ToArray();
    }

    /// <summary>Throws unless every factor is usable: at least one, each in [0.5, 2], not 1, none repeated.</summary>
    /// <exception cref="ArgumentException">No factor, or a factor outside [0.5, 2], equal to 1 or repeated.</exception>
    public static void CheckFactors(IReadOnlyList<double> factors)
    {
        if (factors.Count == 0)
            throw new ArgumentException("speed perturbation needs at least one factor");
        foreach (double f in factors)
        {
            if (!(f >= MinFactor && f <= MaxFactor))
                throw new ArgumentException($"speed factor {f} is outside [{MinFactor}, {MaxFactor}]");
            if (f == 1.0)
                throw new ArgumentException("speed factor 1 would copy the utterance unchanged");
        }
        // Compared as the float32 the weights file stores: a repeat would only make the same copy twice.
        var repeated = factors.GroupBy(f => (float)f).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"speed factor {repeated.First().ToString(System.Globalization.CultureInfo.InvariantCulture)} is listed twice");
    }

    /// <summary>
    /// Throws unless every factor makes a copy of its own at <paramref name="sampleRate"/>: a copy reads the audio at
    /// <c>round(rate · factor)</c> Hz (<see cref="SpeedChange.SourceRate"/>), so factors that round alike make one copy
    /// twice, and one that rounds to the rate itself makes the utterance again.
    /// </summary>
    /// <exception cref="ArgumentException">Two factors, or a factor and 1, read the audio at the same rate.</exception>
    public static void CheckFactorsAt(int sampleRate, IReadOnlyList<double> factors)
    {
        string F(double f) => f.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < factors.Count; i++)
        {
            int source = SpeedChange.SourceRate(sampleRate, factors[i]);
            if (source == sampleRate)
                throw new ArgumentException($"speed factor {F(factors[i])} reads the audio at {source} Hz, the feature rate: its copy would be the utterance itself");
            for (int j = 0; j < i; j++)
            {
                if (SpeedChange.SourceRate(sampleRate, factors[j]) == source)
                    throw new ArgumentException($"speed factors {F(factors[j])} and {F(factors[i])} make the same copy (both read the audio at {source} Hz)");
            }
        }
    }

    /// <summary>The speed factors, one per copy.</summary>
    public IReadOnlyList<double> Factors { get; }

    /// <summary>The factor of copy <paramref name="copy"/> (1-based).</summary>
    public double FactorOf(int copy) => Factors[(copy - 1) % Factors.Count];

    /// <inheritdoc/>
    public string Variant(int copy, int copySeed) =>
        "speed-perturb-v1;factor=" + FactorOf(copy).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public float[] Augment(float[] mono, int sampleRate, int copy, int seed) => SpeedChange.Apply(mono, sampleRate, FactorOf(copy));
}
