using System.Globalization;
using System.Numerics.Tensors;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime;

/// <summary>
/// The bounds every entry point (the readers, <see cref="EmotionClassifier"/>, <see cref="EmotionStream"/>, the weights
/// and speaker profile loaders, and through them the CLI, the HTTP server, the C API and the trainer) checks its input
/// against, before doing the work the input asks for (docs/limits.md).
/// </summary>
public static class InputLimits
{
    /// <summary>
    /// Lowest sample rate accepted (Hz): telephone speech. Below it a clip holds no speech band worth classifying, and
    /// bringing it to the model's rate would multiply the work (a 16 Hz header made a 60 KB file cost 8 s and 0.8 GB).
    /// </summary>
    public const int MinSampleRate = 8000;

    /// <summary>Highest sample rate accepted (Hz).</summary>
    public const int MaxSampleRate = 768_000;

    /// <summary>Most channels a WAV file or raw stream may interleave.</summary>
    public const int MaxChannels = 64;

    /// <summary>
    /// Longest audio a whole-clip entry point takes by default (seconds): the CLI's <c>classify</c>, <c>enroll</c> and
    /// <c>features</c>, <c>POST /predict</c>, the C API's classify and profile calls and the trainer's corpus files.
    /// Each has a setting to change it; live streams (<see cref="EmotionStream"/>) have no limit, as their memory is
    /// constant.
    /// </summary>
    public const double DefaultMaxDurationSeconds = 600;

    /// <summary>The largest maximum duration a caller may set (seconds): a day.</summary>
    public const double MaxDurationCeilingSeconds = 86_400;

    /// <summary>
    /// Largest magnitude of a float sample (full scale is 1.0): 96 dB above full scale, enough for float files written
    /// without scaling 16-bit values. The features square the samples, so values near 1e17 would overflow them to
    /// infinity and every probability to NaN; anything beyond this bound is refused instead.
    /// </summary>
    public const float MaxSampleMagnitude = 65536f;

    /// <summary>
    /// Largest magnitude of a value in feature space: a speaker profile's means and standard deviations, and a weights
    /// file's standardization tensors. Samples within <see cref="MaxSampleMagnitude"/> give features below 1e15.
    /// </summary>
    public const double MaxFeatureMagnitude = 1e18;

    /// <summary>Largest magnitude of a network weight in a weights file (trained weights are of order 1).</summary>
    public const float MaxWeightMagnitude = 1e6f;

    /// <summary>Most utterances a speaker profile may count (2^53: counts stay exact in double precision).</summary>
    public const long MaxProfileCount = 1L << 53;

    /// <summary>Shortest window a live stream (<see cref="EmotionStream"/>) classifies (seconds).</summary>
    public const double MinStreamWindowSeconds = 0.1;

    /// <summary>
    /// Longest window a live stream classifies (seconds): the stream keeps this much audio, so the bound is what keeps
    /// its memory constant and small whoever chooses the window (a CLI flag, an HTTP query, a C caller).
    /// </summary>
    public const double MaxStreamWindowSeconds = 60;

    /// <summary>Shortest hop between two stream results (seconds).</summary>
    public const double MinStreamHopSeconds = 0.01;

    /// <summary>Longest hop between two stream results (seconds).</summary>
    public const double MaxStreamHopSeconds = MaxStreamWindowSeconds;

    /// <summary>Shortest segment of a timeline (<see cref="EmotionClassifier.ClassifySegments(ReadOnlySpan{float}, int, int, double, Speakers.SpeakerProfile?)"/>), in seconds.</summary>
    public const double MinSegmentSeconds = 0.1;

    /// <summary>Why <paramref name="seconds"/> is not a timeline's segment length (finite, at least <see cref="MinSegmentSeconds"/>), or null when it is; <paramref name="name"/> is the caller's name for it.</summary>
    public static string? SegmentLengthProblem(double seconds, string name = "the segment length in seconds") =>
        seconds >= MinSegmentSeconds && !double.IsInfinity(seconds) ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number of seconds of at least {MinSegmentSeconds}, got {Format(seconds)}");

    /// <summary>Default silence threshold of a live stream (dBFS): quieter windows are reported as silence.</summary>
    public const double DefaultStreamSilenceDbfs = -50;

    /// <summary>Why <paramref name="seconds"/> is not a stream window, or null when it is; <paramref name="name"/> is the caller's name for it.</summary>
    public static string? StreamWindowProblem(double seconds, string name = "the window in seconds") =>
        seconds >= MinStreamWindowSeconds && seconds <= MaxStreamWindowSeconds ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be in [{MinStreamWindowSeconds}, {MaxStreamWindowSeconds}], got {Format(seconds)}");

    /// <summary>Why <paramref name="seconds"/> is not a stream hop, or null when it is; <paramref name="name"/> is the caller's name for it.</summary>
    public static string? StreamHopProblem(double seconds, string name = "the hop in seconds") =>
        seconds >= MinStreamHopSeconds && seconds <= MaxStreamHopSeconds ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be in [{MinStreamHopSeconds}, {MaxStreamHopSeconds}], got {Format(seconds)}");

    /// <summary>
    /// Why <paramref name="dbfs"/> is not a silence threshold (a level of at most 0 dBFS; negative infinity switches the
    /// gate off), or null when it is; <paramref name="name"/> is the caller's name for it.
    /// </summary>
    public static string? SilenceThresholdProblem(double dbfs, string name = "the silence threshold") =>
        !double.IsNaN(dbfs) && dbfs <= 0 ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be a level of at most 0 dBFS (or -infinity: no gate), got {Format(dbfs)}");

    /// <summary>Why <paramref name="sampleRate"/> is not accepted, or null when it is.</summary>
    public static string? SampleRateProblem(int sampleRate) =>
        sampleRate < MinSampleRate ? $"sample rate {sampleRate} Hz is below the minimum of {MinSampleRate} Hz"
        : sampleRate > MaxSampleRate ? $"sample rate {sampleRate} Hz is above the maximum of {MaxSampleRate} Hz"
        : null;

    /// <summary>Why <paramref name="seconds"/> is not a usable maximum duration, or null when it is.</summary>
    public static string? MaxDurationProblem(double seconds) =>
        seconds > 0 && seconds <= MaxDurationCeilingSeconds ? null
            : string.Create(CultureInfo.InvariantCulture, $"the maximum duration must be more than 0 and at most {MaxDurationCeilingSeconds} seconds, got {Format(seconds)}");

    /// <summary>A number for a message, the same in every build ("Infinity", not the culture's symbol).</summary>
    private static string Format(double v) =>
        double.IsPositiveInfinity(v) ? "Infinity" : double.IsNegativeInfinity(v) ? "-Infinity" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="frames"/> at <paramref name="sampleRate"/> Hz last longer than <paramref name="maxSeconds"/>.</summary>
    public static bool ExceedsDuration(long frames, int sampleRate, double maxSeconds) => frames > MaxFrames(sampleRate, maxSeconds);

    /// <summary>The most frames of <paramref name="maxSeconds"/> at <paramref name="sampleRate"/> Hz.</summary>
    public static long MaxFrames(int sampleRate, double maxSeconds) => (long)Math.Floor(sampleRate * maxSeconds);

    /// <summary>
    /// Index of the first sample that is NaN, infinite or beyond ±<see cref="MaxSampleMagnitude"/>, or -1. One
    /// vectorised pass over the common case (every sample in range).
    /// </summary>
    public static int IndexOfInvalidSample(ReadOnlySpan<float> samples)
    {
        // MaxMagnitude (the element of largest magnitude, signed) is NaN when any sample is, which fails the test too.
        if (samples.IsEmpty || Math.Abs(TensorPrimitives.MaxMagnitude(samples)) <= MaxSampleMagnitude)
            return -1;
        for (int i = 0; i < samples.Length; i++)
        {
            if (!(Math.Abs(samples[i]) <= MaxSampleMagnitude))
                return i;
        }
        return -1;
    }

    /// <summary>What is wrong with sample <paramref name="index"/> of <paramref name="samples"/> (interleaved, <paramref name="channels"/> per frame).</summary>
    public static string InvalidSampleProblem(ReadOnlySpan<float> samples, int index, int channels, long firstFrame = 0)
    {
        float v = samples[index];
        long frame = firstFrame + index / Math.Max(channels, 1);
        string value = v.ToString("R", CultureInfo.InvariantCulture);
        return float.IsFinite(v)
            ? string.Create(CultureInfo.InvariantCulture, $"sample {value} at frame {frame} is beyond ±{MaxSampleMagnitude} (96 dB above full scale): the features would overflow")
            : string.Create(CultureInfo.InvariantCulture, $"non-finite sample ({value}) at frame {frame}");
    }
}
