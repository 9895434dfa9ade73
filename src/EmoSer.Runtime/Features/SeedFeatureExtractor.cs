namespace EmoSer.Runtime.Features;

/// <summary>
/// The seed's 193 features of one mono utterance at its own sample rate, computed as librosa 0.11 does with
/// its defaults (n_fft 2048, hop 512, periodic Hann, centred zero-padded frames):
/// [0:50) MFCC means, [50:130) chroma-80 means, [130:180) mel-50 means, [180:187) spectral contrast means,
/// [187:193) tonnetz means (see <see cref="FeatureLayout"/> and docs/features.md).
/// </summary>
/// <remarks>
/// Reusable: buffers grow to the longest input seen and are then reused, so extracting an input no longer
/// than an earlier one allocates nothing (with the span overload). Thread-safe: calls are serialised by a
/// lock on the instance; use one instance per thread for parallel extraction.
/// </remarks>
public sealed class SeedFeatureExtractor
{
    /// <summary>Number of features produced.</summary>
    public const int FeatureCount = FeatureLayout.Count;

    /// <summary>Identifier of this feature definition (stored in model files).</summary>
    public const string FeatureSetId = "librosa-seed-193";

    /// <summary>Version of this extractor's implementation of <see cref="FeatureSetId"/>.</summary>
    public const int Version = 1;

    /// <summary>
    /// The names of the features, in order: <c>mfcc_0</c>..<c>mfcc_49</c>, <c>chroma_0</c>.., <c>mel_0</c>..,
    /// <c>contrast_0</c>.., <c>tonnetz_0</c>.. (the columns of <c>emoser features</c>).
    /// </summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        .. FeatureLayout.Blocks.SelectMany(b => Enumerable.Range(0, b.End - b.Start)
            .Select(i => $"{b.Name.TrimEnd("0123456789".ToCharArray())}_{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}")),
    ];

    /// <summary>Lowest sample rate that is rejected: the contrast's top octave band starts at 6400 Hz.</summary>
    internal const int MinimumExclusiveSampleRate = 12800;

    private readonly Lock _lock = new();
    private readonly FrameAnalyzer _analyzer;
    private readonly WindowFeatureAggregator _aggregator;
    private readonly FeatureFrames _frames;
    private readonly float[] _magnitude;

    /// <summary>Creates an extractor for audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="sampleRate">Sample rate of the audio to extract from; must exceed 12800 Hz.</param>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is 12800 Hz or less.</exception>
    public SeedFeatureExtractor(int sampleRate)
    {
        ValidateSampleRate(sampleRate);
        SampleRate = sampleRate;
        _analyzer = new FrameAnalyzer(sampleRate);
        _aggregator = new WindowFeatureAggregator(sampleRate);
        _frames = _analyzer.CreateFrames();
        _magnitude = new float[_analyzer.BinCount];
    }

    /// <summary>Sample rate of the audio this extractor takes.</summary>
    public int SampleRate { get; }

    /// <summary>Computes the 193 features of <paramref name="mono"/> into <paramref name="features"/>.</summary>
    /// <param name="mono">Mono samples at <see cref="SampleRate"/> (an empty input counts as one silent frame).</param>
    /// <param name="features">Receives <see cref="FeatureCount"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is shorter than <see cref="FeatureCount"/>.</exception>
    public void Extract(ReadOnlySpan<float> mono, Span<float> features)
    {
        if (features.Length < FeatureCount)
            throw new ArgumentException($"The feature span needs {FeatureCount} values, got {features.Length}.", nameof(features));
        lock (_lock)
        {
            int frameCount = _analyzer.FrameCount(mono.Length);
            if (frameCount > _frames.Capacity)
            {
                _frames.EnsureCapacity(frameCount, MaxStoredMagnitudeFrames);
                _aggregator.Reserve(_frames.Capacity, _frames.MaxCandidates);
            }
            if (frameCount <= _frames.MagnitudeCapacity)
            {
                for (int t = 0; t < frameCount; t++)
                    _analyzer.Analyze(mono, (long)t * FrameAnalyzer.HopLength, _frames, t);
                _aggregator.Compute(_frames, frameCount, features);
            }
            else
            {
                // Long input: the chroma pass recomputes each frame's spectrum instead of keeping them all.
                for (int t = 0; t < frameCount; t++)
                    _analyzer.Analyze(mono, (long)t * FrameAnalyzer.HopLength, _frames, t, _magnitude);
                var recomputed = new RecomputedMagnitudes(mono, _analyzer, _magnitude);
                _aggregator.Compute(_frames, frameCount, features, ref recomputed);
            }
        }
    }

    /// <summary>
    /// Inputs of up to this many frames keep every magnitude spectrum for the chroma pass (4 KB a frame; the
    /// default, 4096 frames, is 131 s at 16 kHz); longer ones recompute them, so memory stays bounded by about
    /// 1 KB of other per-frame rows plus the candidates. Settable for tests.
    /// </summary>
    internal int MaxStoredMagnitudeFrames { get; set; } = 4096;

    /// <summary>Test hook: the aggregator (tuning override, last tuning).</summary>
    internal WindowFeatureAggregator Aggregator => _aggregator;

    /// <summary>Computes the 193 features of <paramref name="mono"/> into a new array.</summary>
    public float[] Extract(ReadOnlySpan<float> mono)
    {
        var features = new float[FeatureCount];
        Extract(mono, features);
        return features;
    }

    internal static void ValidateSampleRate(int sampleRate)
    {
        if (sampleRate <= MinimumExclusiveSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate,
                $"Sample rate {sampleRate} Hz is too low for the seed features: spectral contrast's top octave band starts at 6400 Hz, " +
                $"which must lie below Nyquist, so the rate must exceed {MinimumExclusiveSampleRate} Hz (resample first).");
    }
}
