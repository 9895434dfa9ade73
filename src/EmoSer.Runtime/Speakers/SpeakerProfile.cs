namespace EmoSer.Runtime.Speakers;

/// <summary>
/// Running statistics of one speaker's feature vectors (count, mean, sum of squared deviations; Welford's update in
/// double precision), for models with <see cref="SpeakerNormalization"/>. Add the raw feature vector of each of the
/// speaker's utterances (or stream windows); <see cref="Resolve"/> turns them into the standardization the model applies.
/// Not thread-safe.
/// </summary>
public sealed class SpeakerProfile
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>An empty profile for vectors of <paramref name="featureCount"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> is not positive.</exception>
    public SpeakerProfile(int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        _mean = new double[featureCount];
        _m2 = new double[featureCount];
    }

    /// <summary>Length of the feature vectors.</summary>
    public int FeatureCount => _mean.Length;

    /// <summary>How many vectors were added.</summary>
    public long Count { get; private set; }

    /// <summary>Mean of the added vectors (zeros when empty).</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Sum of squared deviations from <see cref="Mean"/>, per feature.</summary>
    public ReadOnlySpan<double> SumSquaredDeviations => _m2;

    /// <summary>
    /// A profile from stored statistics (as saved by <see cref="Count"/>, <see cref="Mean"/>, <see cref="SumSquaredDeviations"/>),
    /// within the bounds of docs/limits.md: a count of at most <see cref="InputLimits.MaxProfileCount"/>, means within
    /// ±<see cref="InputLimits.MaxFeatureMagnitude"/> and squared deviations of at most count × <see cref="InputLimits.MaxFeatureMagnitude"/>²
    /// (a standard deviation within the same bound), so the standardization it resolves to is finite in single precision.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a count or value is out of range, or a value is not finite.</exception>
    public static SpeakerProfile FromStatistics(long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> sumSquaredDeviations)
    {
        if (mean.Length == 0 || mean.Length != sumSquaredDeviations.Length)
            throw new ArgumentException($"The mean has {mean.Length} values and the squared deviations {sumSquaredDeviations.Length}; they must match and be non-empty.", nameof(mean));
        if (StatisticsProblem(count, mean, sumSquaredDeviations) is { } problem)
            throw new ArgumentException(problem);
        var p = new SpeakerProfile(mean.Length) { Count = count };
        mean.CopyTo(p._mean);
        sumSquaredDeviations.CopyTo(p._m2);
        return p;
    }

    /// <summary>
    /// What puts stored statistics out of the bounds of <see cref="FromStatistics"/>, named as in a speaker profile file
    /// (<c>"mean"[3] is 1E+308; ...</c>), or null when they are within them. Lengths are the caller's to check.
    /// </summary>
    internal static string? StatisticsProblem(long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2)
    {
        if (count < 0 || count > InputLimits.MaxProfileCount)
            return $"\"count\" is {count}; it must be a whole number within 0..{InputLimits.MaxProfileCount}";
        const double Bound = InputLimits.MaxFeatureMagnitude;
        double maxM2 = count * (Bound * Bound);
        for (int i = 0; i < mean.Length; i++)
        {
            if (!(Math.Abs(mean[i]) <= Bound))
                return $"\"mean\"[{i}] is {Format(mean[i])}; every mean must be a finite number within ±{Bound:0e0}";
            if (!(m2[i] >= 0) || !(m2[i] <= maxM2))
                return $"\"m2\"[{i}] is {Format(m2[i])}; every value must be a finite number >= 0 and at most count × {Bound:0e0}² (a standard deviation within {Bound:0e0})";
        }
        return null;
    }

    private static string Format(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Adds one raw feature vector. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">Wrong length, or a value that is not finite (the profile is unchanged).</exception>
    public void Add(ReadOnlySpan<float> features)
    {
        if (features.Length != _mean.Length)
            throw new ArgumentException($"Expected {_mean.Length} features, got {features.Length}.", nameof(features));
        for (int i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i]))
                throw new ArgumentException($"Feature {i} is {features[i]}, not a finite number.", nameof(features));
        Count++;
        double inv = 1.0 / Count;
        for (int i = 0; i < features.Length; i++)
        {
            double d = features[i] - _mean[i];
            _mean[i] += d * inv;
            _m2[i] += d * (features[i] - _mean[i]);
        }
    }

    /// <summary>Forgets every added vector.</summary>
    public void Clear()
    {
        Count = 0;
        Array.Clear(_mean);
        Array.Clear(_m2);
    }

    /// <summary>
    /// The speaker standardization: with <c>n</c> = <see cref="Count"/>, <c>x̄</c> = <see cref="Mean"/>, population
    /// <c>μ</c>, <c>σ</c> and prior weight <c>k</c>: <c>m = (n x̄ + k μ) / (n + k)</c> and
    /// <c>s² = (M2 + n (x̄ - m)² + k σ²) / (n + k)</c>. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ from <see cref="FeatureCount"/>, or <paramref name="priorWeight"/> is not a finite number &gt; 0.</exception>
    public void Resolve(ReadOnlySpan<float> populationMean, ReadOnlySpan<float> populationStd, double priorWeight, Span<float> mean, Span<float> std)
    {
        int f = _mean.Length;
        if (populationMean.Length != f || populationStd.Length != f || mean.Length != f || std.Length != f)
            throw new ArgumentException($"Every vector must have the profile's {f} values.");
        if (!(priorWeight > 0) || !double.IsFinite(priorWeight))
            throw new ArgumentException($"The prior weight {priorWeight} must be a finite number > 0.", nameof(priorWeight));
        double n = Count, total = n + priorWeight;
        for (int i = 0; i < f; i++)
        {
            double m = (n * _mean[i] + priorWeight * populationMean[i]) / total;
            double shift = _mean[i] - m;
            double sigma = populationStd[i];
            double v = (_m2[i] + n * shift * shift + priorWeight * sigma * sigma) / total;
            mean[i] = (float)m;
            std[i] = (float)Math.Sqrt(v);
        }
    }
}
