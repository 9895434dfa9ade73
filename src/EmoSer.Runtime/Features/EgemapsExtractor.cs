using EmoSer.Runtime.Features.Egemaps;

namespace EmoSer.Runtime.Features;

/// <summary>
/// eGeMAPSv02 (Eyben et al. 2016) of one mono utterance at its own sample rate, computed as openSMILE 3.0.2 does
/// with <c>config/egemaps/v02/eGeMAPSv02.conf</c>: the 25 low-level descriptors every 10 ms (smoothed over 3
/// frames) and the 88 functionals (see <see cref="EgemapsLayout"/> and docs/features-egemaps.md).
/// </summary>
/// <remarks>
/// Samples are taken in the runtime's scale (16-bit full scale is ±32768) and rescaled to openSMILE's (±32767),
/// so levels match SMILExtract on 16-bit PCM. Reusable: buffers grow to the longest input seen and are then
/// reused, so extracting an input no longer than an earlier one allocates nothing. Calls on one instance are
/// serialised by a lock; use one instance per thread for parallel extraction.
/// </remarks>
public sealed class EgemapsExtractor
{
    /// <summary>Identifier of this feature definition (to be stored in model files).</summary>
    public const string FeatureSetId = "opensmile-egemaps-v02";

    /// <summary>Version of this extractor's implementation of <see cref="FeatureSetId"/>.</summary>
    public const int Version = 1;

    /// <summary>Number of functionals (<see cref="EgemapsLayout.FunctionalCount"/>).</summary>
    public const int FunctionalCount = EgemapsLayout.FunctionalCount;

    /// <summary>Number of per-frame descriptors (<see cref="EgemapsLayout.DescriptorCount"/>).</summary>
    public const int DescriptorCount = EgemapsLayout.DescriptorCount;

    /// <summary>
    /// Lowest supported sample rate: the runtime's minimum (<see cref="InputLimits.MinSampleRate"/>), which also lets
    /// the 20 ms frame hold the 26-band mel filterbank's bins.
    /// </summary>
    public const int MinimumSampleRate = InputLimits.MinSampleRate;

    /// <summary>Highest supported sample rate (below the runtime's <see cref="InputLimits.MaxSampleRate"/>: openSMILE's pipeline is tuned up to it).</summary>
    public const int MaximumSampleRate = 384_000;

    private readonly Lock _lock = new();
    private readonly EgemapsEngine _engine;
    private readonly EgemapsAssembler _assembler = new();

    /// <summary>Creates an extractor for audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is below <see cref="MinimumSampleRate"/> or above <see cref="MaximumSampleRate"/>.</exception>
    public EgemapsExtractor(int sampleRate)
    {
        ValidateSampleRate(sampleRate);
        SampleRate = sampleRate;
        _engine = new EgemapsEngine(sampleRate, InputGain);
    }

    /// <summary>Sample rate of the audio this extractor takes.</summary>
    public int SampleRate { get; }

    /// <summary>
    /// The complete configuration this extractor implements, as key/value pairs (feature set, version, the
    /// openSMILE release and configuration it reproduces, frame geometry at <see cref="SampleRate"/>): what a
    /// model file stores to say which features it was trained on.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration => BuildConfiguration(_engine.Parameters);

    /// <summary>Shortest input accepted: one 60 ms analysis frame, in samples at <see cref="SampleRate"/>.</summary>
    public int MinimumSamples => _engine.Parameters.LongFrame;

    /// <summary>Number of per-frame descriptor rows an input of <paramref name="samples"/> samples yields.</summary>
    public int FrameCount(long samples)
    {
        long n = _engine.Parameters.LongFrameCount(samples);
        return n == 0 ? 0 : (int)(n + 1);
    }

    /// <summary>Computes the 88 functionals of <paramref name="mono"/>.</summary>
    /// <exception cref="ArgumentException">The input is shorter than <see cref="MinimumSamples"/> or the span is too short.</exception>
    public void Extract(ReadOnlySpan<float> mono, Span<float> functionals) => Extract(mono, functionals, []);

    /// <summary>Computes the 88 functionals of <paramref name="mono"/> into a new array.</summary>
    public float[] Extract(ReadOnlySpan<float> mono)
    {
        var f = new float[FunctionalCount];
        Extract(mono, f);
        return f;
    }

    /// <summary>
    /// Computes the 88 functionals and, when <paramref name="descriptors"/> is not empty, the per-frame descriptors
    /// (row-major, <see cref="DescriptorCount"/> per frame, frame k at time k x 10 ms).
    /// </summary>
    /// <returns>The number of frames written to <paramref name="descriptors"/> (0 when it is empty).</returns>
    /// <exception cref="ArgumentException">
    /// The input is shorter than <see cref="MinimumSamples"/>, a sample is not finite or beyond
    /// <see cref="InputLimits.MaxSampleMagnitude"/> (the features would overflow), or a span is too short.
    /// </exception>
    public int Extract(ReadOnlySpan<float> mono, Span<float> functionals, Span<float> descriptors)
    {
        if (functionals.Length < FunctionalCount && !(functionals.IsEmpty && !descriptors.IsEmpty))
            throw new ArgumentException($"The functionals span needs {FunctionalCount} values, got {functionals.Length}.", nameof(functionals));
        if (mono.Length < MinimumSamples)
            throw new ArgumentException(
                $"The input has {mono.Length} samples, shorter than one 60 ms analysis frame ({MinimumSamples} samples at {SampleRate} Hz).",
                nameof(mono));
        if (InputLimits.IndexOfInvalidSample(mono) is int bad and >= 0)
            throw new ArgumentException(InputLimits.InvalidSampleProblem(mono, bad, 1), nameof(mono));
        int frames = FrameCount(mono.Length);
        if (!descriptors.IsEmpty && descriptors.Length < frames * DescriptorCount)
            throw new ArgumentException($"The descriptor span needs {frames * DescriptorCount} values ({frames} frames), got {descriptors.Length}.", nameof(descriptors));
        lock (_lock)
        {
            _engine.Reset();
            _engine.Reserve(mono.Length);
            _engine.Push(mono);
            _engine.Complete();
            if (!functionals.IsEmpty)
                _assembler.WriteFunctionals(_engine, functionals);
            if (descriptors.IsEmpty)
                return 0;
            long n = EgemapsAssembler.LldFrames(_engine);
            for (long t = 0; t < n; t++)
                EgemapsAssembler.WriteLld(_engine, t, descriptors.Slice((int)(t * DescriptorCount), DescriptorCount));
            return (int)n;
        }
    }

    /// <summary>Gain from the runtime's sample scale (1/32768) to openSMILE's 16-bit scale (1/32767).</summary>
    internal const float InputGain = 32768f / 32767f;

    internal static void ValidateSampleRate(int sampleRate)
    {
        if (sampleRate < MinimumSampleRate || sampleRate > MaximumSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate,
                $"Sample rate {sampleRate} Hz is not supported by eGeMAPS: it needs {MinimumSampleRate} to {MaximumSampleRate} Hz (its mel bands reach 8 kHz and its pitch search 1 kHz; resample first).");
    }

    internal static IReadOnlyList<KeyValuePair<string, string>> BuildConfiguration(EgemapsParameters p) =>
    [
        new("feature_set", FeatureSetId),
        new("extractor_version", Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("reference", "openSMILE 3.0.2 config/egemaps/v02/eGeMAPSv02.conf"),
        new("sample_rate", p.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("frame_step_samples", p.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("frame_60ms_samples", p.LongFrame.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("frame_20ms_samples", p.ShortFrame.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("input_scale", "16-bit full scale 32767"),
        new("descriptors", DescriptorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("functionals", FunctionalCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
