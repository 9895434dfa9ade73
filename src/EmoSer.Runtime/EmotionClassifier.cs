using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;

namespace EmoSer.Runtime;

/// <summary>
/// Audio in, emotion out: mono mix-down, resampling to the model's rate, the 193 seed features, the model's
/// standardization and network. When the model has <see cref="EmotionModel.TestTimeSpeedFactors"/> (and
/// <see cref="UsesTestTimeSpeedCopies"/>), a clip's probabilities are the mean of those of the clip and of its
/// <see cref="SpeedChange"/> copies (made from the audio at the model's rate), each predicted with the same speaker
/// profile. Thread-safe: each concurrent call takes its own extractor and inference workspace
/// from a pool, so calls on different threads run in parallel without locking each other out. A
/// <see cref="SpeakerProfile"/> is not thread-safe: do not <see cref="Enroll(AudioClip, SpeakerProfile)"/> into a
/// profile while another call classifies with it.
/// </summary>
public sealed class EmotionClassifier
{
    private readonly ConcurrentBag<Worker> _workers = [];

    // The factors whose copies are classified with every clip: the model's, or none when copies are switched off.
    private readonly float[] _speedFactors;
    private long _extractions;
    private long _copyExtractions;

    /// <summary>
    /// Creates a classifier for <paramref name="model"/> that applies the model's test-time speed copies, if it has any.
    /// </summary>
    /// <param name="model">A model computed on the seed features this runtime extracts.</param>
    /// <exception cref="ModelFormatException">The model expects another feature set, extractor version, input shape or sample rate.</exception>
    public EmotionClassifier(EmotionModel model)
        : this(model, testTimeSpeedCopies: true)
    {
    }

    /// <summary>
    /// Creates a classifier for <paramref name="model"/>; <paramref name="testTimeSpeedCopies"/> false classifies every
    /// clip in a single pass even when the model has test-time speed factors (for latency-bound callers: each factor
    /// costs one more feature extraction and forward pass).
    /// </summary>
    /// <param name="model">A model computed on the seed features this runtime extracts.</param>
    /// <param name="testTimeSpeedCopies">Whether to classify the model's <see cref="EmotionModel.TestTimeSpeedFactors"/> copies too.</param>
    /// <exception cref="ModelFormatException">The model expects another feature set, extractor version, input shape or sample rate.</exception>
    public EmotionClassifier(EmotionModel model, bool testTimeSpeedCopies)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A model made for other features is a file this runtime cannot use: the model file's format error.
        if (FeatureMismatch(model) is { } problem)
            throw new ModelFormatException(model.SourceName, problem);
        Model = model;
        _speedFactors = testTimeSpeedCopies ? [.. model.TestTimeSpeedFactors] : [];
        SpeedFactors = Array.AsReadOnly(_speedFactors);
    }

    /// <summary>Why this runtime cannot compute the features <paramref name="model"/> takes, or null when it can.</summary>
    private static string? FeatureMismatch(EmotionModel model)
    {
        if (model.FeatureSetId != SeedFeatureExtractor.FeatureSetId)
            return $"model '{model.Name}' uses the feature set '{model.FeatureSetId}'; this runtime extracts '{SeedFeatureExtractor.FeatureSetId}'";
        if (model.ExtractorVersion != SeedFeatureExtractor.Version)
            return $"model '{model.Name}' was trained with feature extractor version {model.ExtractorVersion}; this runtime has version {SeedFeatureExtractor.Version}";
        if (model.InputLength != SeedFeatureExtractor.FeatureCount || model.InputChannels != 1)
            return $"model '{model.Name}' takes {model.InputLength} x {model.InputChannels} inputs; the seed features are {SeedFeatureExtractor.FeatureCount} x 1";
        if (model.SampleRate <= SeedFeatureExtractor.MinimumExclusiveSampleRate)
            return $"model '{model.Name}' computes its features at {model.SampleRate} Hz; the seed features need more than {SeedFeatureExtractor.MinimumExclusiveSampleRate} Hz";
        return null;
    }

    /// <summary>
    /// Clips whose RMS level at the model's rate is below this (dBFS, full scale 1.0) are silent: <see cref="Enroll(AudioClip, SpeakerProfile)"/>
    /// does not add them. The same level as <see cref="EmotionStream"/>'s default silence gate.
    /// </summary>
    public const double EnrollmentSilenceDbfs = -50;

    // Mean square of a -50 dBFS signal: 10^(-50/10).
    private const double EnrollmentSilenceMeanSquare = 1e-5;

    /// <summary>The model this classifier runs.</summary>
    public EmotionModel Model { get; }

    /// <summary>
    /// True when classifications average the clip with its test-time speed copies: the model has
    /// <see cref="EmotionModel.TestTimeSpeedFactors"/> and the classifier was not created with copies switched off.
    /// </summary>
    public bool UsesTestTimeSpeedCopies => _speedFactors.Length > 0;

    /// <summary>
    /// The speed factors whose copies every classification averages over, in order: the model's
    /// <see cref="EmotionModel.TestTimeSpeedFactors"/>, or empty for a single pass.
    /// </summary>
    public IReadOnlyList<float> SpeedFactors { get; }

    /// <summary>
    /// How many clips this classifier has extracted features of (tests prove one extraction per clip with it). A clip
    /// and its test-time speed copies count as one: the count is of clip extractions, not of feature vectors.
    /// </summary>
    internal long FeatureExtractions => Interlocked.Read(ref _extractions);

    /// <summary>How many speed copies this classifier has made and extracted (tests prove which calls make none).</summary>
    internal long SpeedCopyExtractions => Interlocked.Read(ref _copyExtractions);

    /// <summary>
    /// Classifies interleaved audio into the caller's buffer, allocating nothing when the audio is at the model's rate
    /// (after warm-up): the channels are averaged to mono, resampled to the model's rate when the rates differ, and
    /// classified with the speaker's profile. Every other Classify overload is a wrapper over this one.
    /// </summary>
    /// <param name="interleaved">Samples, nominally in [-1, 1], <paramref name="channels"/> per frame.</param>
    /// <param name="channels">Channels per frame (1 to <see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="probabilities">Receives one probability per label of <see cref="Model"/>, in label order; may be longer.</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <returns>The index of the most probable label (the first of equals).</returns>
    /// <exception cref="ArgumentException">
    /// The audio is empty or not whole frames, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>,
    /// <paramref name="probabilities"/> is shorter than the label count, or the profile has another feature count.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The channel count or sample rate is outside <see cref="InputLimits"/>' range, or the rate's ratio to the model's is unsupported.</exception>
    public int Classify(ReadOnlySpan<float> interleaved, int channels, int sampleRate, Span<float> probabilities, SpeakerProfile? speaker = null)
    {
        CheckAudio(interleaved, channels, sampleRate);
        CheckProfile(speaker, nameof(speaker));
        if (probabilities.Length < Model.Labels.Count)
            throw new ArgumentException($"The probabilities buffer holds {probabilities.Length} values; model '{Model.Name}' has {Model.Labels.Count} labels.", nameof(probabilities));
        var worker = Rent();
        try
        {
            ReadOnlySpan<float> mono = ToModelRate(worker, interleaved, channels, sampleRate);
            ExtractInto(worker, mono, worker.Features, worker.CopyFeatures);
            PredictMean(worker, worker.Features, worker.CopyFeatures, speaker);
            worker.Probabilities.CopyTo(probabilities);
            return Classification.IndexOfTop(worker.Probabilities);
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>Classifies a clip of any rate and channel count (channels are averaged to mono).</summary>
    /// <param name="clip">The audio.</param>
    /// <exception cref="ArgumentException">The clip is empty.</exception>
    public Classification Classify(AudioClip clip) => Classify(clip, null);

    /// <summary>Classifies a clip of the speaker described by <paramref name="speaker"/> (see <see cref="EmotionModel.SpeakerNormalization"/>).</summary>
    /// <param name="clip">The audio.</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The clip is empty, or the profile has another feature count.</exception>
    public Classification Classify(AudioClip clip, SpeakerProfile? speaker)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return Classify(clip.Interleaved, clip.Channels, clip.SampleRate, speaker);
    }

    /// <summary>Classifies mono audio at <paramref name="sampleRate"/> Hz (resampled to the model's rate when they differ).</summary>
    /// <param name="mono">Samples, nominally in [-1, 1].</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <exception cref="ArgumentException">The audio is empty, or a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is outside <see cref="InputLimits"/>' range or its ratio to the model's is unsupported.</exception>
    public Classification Classify(ReadOnlySpan<float> mono, int sampleRate) => Classify(mono, 1, sampleRate, null);

    /// <summary>Classifies mono audio of the speaker described by <paramref name="speaker"/> (resampled to the model's rate when the rates differ).</summary>
    /// <param name="mono">Samples, nominally in [-1, 1].</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The audio is empty, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is outside <see cref="InputLimits"/>' range or its ratio to the model's is unsupported.</exception>
    public Classification Classify(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile? speaker) => Classify(mono, 1, sampleRate, speaker);

    /// <summary>
    /// Classifies interleaved audio (see <see cref="Classify(ReadOnlySpan{float}, int, int, Span{float}, SpeakerProfile?)"/>)
    /// into a new <see cref="Classification"/>.
    /// </summary>
    /// <param name="interleaved">Samples, nominally in [-1, 1], <paramref name="channels"/> per frame.</param>
    /// <param name="channels">Channels per frame (1 to <see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The audio is empty or not whole frames, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channel count or sample rate is outside <see cref="InputLimits"/>' range, or the rate's ratio to the model's is unsupported.</exception>
    public Classification Classify(ReadOnlySpan<float> interleaved, int channels, int sampleRate, SpeakerProfile? speaker)
    {
        var probabilities = new float[Model.Labels.Count];
        int top = Classify(interleaved, channels, sampleRate, probabilities, speaker);
        return new Classification(Model.Labels[top], probabilities[top], Model.Labels, probabilities, (double)(interleaved.Length / channels) / sampleRate);
    }

    /// <summary>
    /// Adds the features of one utterance of a speaker to <paramref name="profile"/>, computed exactly as
    /// <see cref="Classify(AudioClip, SpeakerProfile?)"/> computes them for the clip itself (a profile describes the
    /// speaker's real voice, so test-time speed copies are neither extracted nor added). A silent clip (RMS below
    /// <see cref="EnrollmentSilenceDbfs"/>) is not added: its features describe the room, not the speaker.
    /// </summary>
    /// <param name="clip">The utterance, any rate and channel count.</param>
    /// <param name="profile">The speaker's profile (a new one: <c>new SpeakerProfile(SeedFeatureExtractor.FeatureCount)</c>).</param>
    /// <returns>True when the utterance was added, false when it was silent.</returns>
    /// <exception cref="ArgumentException">The clip is empty, or the profile has another feature count.</exception>
    public bool Enroll(AudioClip clip, SpeakerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return Enroll(clip.Interleaved, clip.Channels, clip.SampleRate, profile);
    }

    /// <summary>As <see cref="Enroll(AudioClip, SpeakerProfile)"/>, for mono audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="mono">Samples, nominally in [-1, 1].</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="profile">The speaker's profile.</param>
    /// <returns>True when the utterance was added, false when it was silent.</returns>
    /// <exception cref="ArgumentException">The audio is empty, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is outside <see cref="InputLimits"/>' range or its ratio to the model's is unsupported.</exception>
    public bool Enroll(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile profile) => Enroll(mono, 1, sampleRate, profile);

    /// <summary>As <see cref="Enroll(AudioClip, SpeakerProfile)"/>, for interleaved audio (averaged to mono) at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="interleaved">Samples, nominally in [-1, 1], <paramref name="channels"/> per frame.</param>
    /// <param name="channels">Channels per frame (1 to <see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="profile">The speaker's profile.</param>
    /// <returns>True when the utterance was added, false when it was silent.</returns>
    /// <exception cref="ArgumentException">The audio is empty or not whole frames, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channel count or sample rate is outside <see cref="InputLimits"/>' range, or the rate's ratio to the model's is unsupported.</exception>
    public bool Enroll(ReadOnlySpan<float> interleaved, int channels, int sampleRate, SpeakerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        CheckAudio(interleaved, channels, sampleRate);
        CheckProfile(profile, nameof(profile));
        var worker = Rent();
        try
        {
            ReadOnlySpan<float> mono = ToModelRate(worker, interleaved, channels, sampleRate);
            if (IsSilentClip(mono))
                return false;
            // The clip alone: a profile never sees the speed copies, so none are made.
            ExtractInto(worker, mono, worker.Features, []);
            profile.Add(worker.Features);
            return true;
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>
    /// The features of a clip, computed exactly as <see cref="Classify(AudioClip, SpeakerProfile?)"/> computes them,
    /// for <see cref="Classify(UtteranceFeatures, SpeakerProfile?)"/> and <see cref="Enroll(UtteranceFeatures, SpeakerProfile)"/>:
    /// classifying a clip and adding it to a profile then costs one extraction, not two. With
    /// <see cref="UsesTestTimeSpeedCopies"/> it also extracts the speed copies' features, for classification.
    /// </summary>
    /// <param name="clip">The audio, any rate and channel count.</param>
    /// <exception cref="ArgumentException">The clip is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate's ratio to the model's is unsupported.</exception>
    public UtteranceFeatures Extract(AudioClip clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return Extract(clip.Interleaved, clip.Channels, clip.SampleRate);
    }

    /// <summary>As <see cref="Extract(AudioClip)"/>, for mono audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="mono">Samples, nominally in [-1, 1].</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <exception cref="ArgumentException">The audio is empty, or a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is outside <see cref="InputLimits"/>' range or its ratio to the model's is unsupported.</exception>
    public UtteranceFeatures Extract(ReadOnlySpan<float> mono, int sampleRate) => Extract(mono, 1, sampleRate);

    /// <summary>As <see cref="Extract(AudioClip)"/>, for interleaved audio (averaged to mono) at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="interleaved">Samples, nominally in [-1, 1], <paramref name="channels"/> per frame.</param>
    /// <param name="channels">Channels per frame (1 to <see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <exception cref="ArgumentException">The audio is empty or not whole frames, or a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The channel count or sample rate is outside <see cref="InputLimits"/>' range, or the rate's ratio to the model's is unsupported.</exception>
    public UtteranceFeatures Extract(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        CheckAudio(interleaved, channels, sampleRate);
        double duration = (double)(interleaved.Length / channels) / sampleRate;
        var features = new float[SeedFeatureExtractor.FeatureCount];
        var copies = new float[_speedFactors.Length][];
        for (int i = 0; i < copies.Length; i++)
            copies[i] = new float[SeedFeatureExtractor.FeatureCount];
        var worker = Rent();
        bool silent;
        try
        {
            ReadOnlySpan<float> mono = ToModelRate(worker, interleaved, channels, sampleRate);
            ExtractInto(worker, mono, features, copies);
            silent = IsSilentClip(mono);
        }
        finally
        {
            _workers.Add(worker);
        }
        return new UtteranceFeatures(features, Model.SampleRate, silent, duration, (float[])_speedFactors.Clone(), copies);
    }

    /// <summary>
    /// Classifies features from <see cref="Extract(AudioClip)"/>: the same result as classifying the clip itself
    /// with <paramref name="speaker"/>, without extracting again.
    /// </summary>
    /// <param name="utterance">
    /// Features extracted by a classifier of a model with this one's sample rate and, when this classifier
    /// <see cref="UsesTestTimeSpeedCopies"/>, with the same speed factors (a single-pass classifier ignores any copies).
    /// </param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">
    /// The features were computed at another rate or without this classifier's speed copies, or the profile has another feature count.
    /// </exception>
    public Classification Classify(UtteranceFeatures utterance, SpeakerProfile? speaker)
    {
        CheckUtterance(utterance);
        CheckProfile(speaker, nameof(speaker));
        if (UsesTestTimeSpeedCopies && !utterance.SpeedFactors.SequenceEqual(_speedFactors))
        {
            throw new ArgumentException(
                $"The features hold speed copies at [{FactorList(utterance.SpeedFactors)}]; this classifier of model '{Model.Name}' classifies copies at [{FactorList(_speedFactors)}]. Extract them with this classifier.",
                nameof(utterance));
        }
        var worker = Rent();
        try
        {
            PredictMean(worker, utterance.Features, UsesTestTimeSpeedCopies ? utterance.CopyFeatures : [], speaker);
            return ToClassification(worker.Probabilities, utterance.DurationSeconds);
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>
    /// Adds features from <see cref="Extract(AudioClip)"/> to <paramref name="profile"/> unless the clip was silent:
    /// the same statistics as <see cref="Enroll(AudioClip, SpeakerProfile)"/> of the clip itself (the clip's own
    /// features only, never its speed copies'). Allocates nothing.
    /// </summary>
    /// <param name="utterance">Features extracted by a classifier of a model with this one's sample rate.</param>
    /// <param name="profile">The speaker's profile.</param>
    /// <returns>True when the utterance was added, false when it was silent.</returns>
    /// <exception cref="ArgumentException">The features were computed at another rate, or the profile has another feature count.</exception>
    public bool Enroll(UtteranceFeatures utterance, SpeakerProfile profile)
    {
        CheckUtterance(utterance);
        ArgumentNullException.ThrowIfNull(profile);
        CheckProfile(profile, nameof(profile));
        if (utterance.IsSilent)
            return false;
        profile.Add(utterance.Features);
        return true;
    }

    /// <summary>
    /// Classifies consecutive segments of <paramref name="segmentSeconds"/> (a timeline for long recordings): the
    /// audio is averaged to mono and resampled to the model's rate once, then cut at the model's rate, so a timeline
    /// is the same whatever the input's rate. A remainder shorter than half a segment is added to the last segment
    /// rather than classified alone. Each segment is classified as a clip of its own, speed copies included. The one
    /// segmentation of <c>emoser classify --segment</c> and the HTTP API's <c>?segment=</c>.
    /// </summary>
    /// <param name="interleaved">Samples, nominally in [-1, 1], <paramref name="channels"/> per frame.</param>
    /// <param name="channels">Channels per frame (1 to <see cref="InputLimits.MaxChannels"/>).</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least 0.1).</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <returns>The segments in order; their bounds are in seconds at the model's rate.</returns>
    /// <exception cref="ArgumentException">The audio is empty or not whole frames, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length, channel count or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> interleaved, int channels, int sampleRate, double segmentSeconds, SpeakerProfile? speaker = null)
    {
        CheckAudio(interleaved, channels, sampleRate);
        if (!(segmentSeconds >= 0.1) || double.IsInfinity(segmentSeconds))
            throw new ArgumentOutOfRangeException(nameof(segmentSeconds), segmentSeconds, "The segment length must be at least 0.1 s.");
        CheckProfile(speaker, nameof(speaker));
        ReadOnlySpan<float> audio = channels == 1 && sampleRate == Model.SampleRate ? interleaved : ModelRateArray(interleaved, channels, sampleRate);
        int rate = Model.SampleRate;
        long segment = Math.Max(1, (long)Math.Round(segmentSeconds * rate));
        var result = new List<SegmentClassification>();
        foreach (var (start, end) in TimelineSegments.Bounds(audio.Length, segment))
        {
            var piece = audio[start..end];
            result.Add(new SegmentClassification((double)start / rate, (double)end / rate, ClassifyAtModelRate(piece, (double)piece.Length / rate, speaker)));
        }
        return result;
    }

    /// <summary>As <see cref="ClassifySegments(ReadOnlySpan{float}, int, int, double, SpeakerProfile?)"/>, for mono audio.</summary>
    /// <param name="mono">Samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least 0.1).</param>
    /// <exception cref="ArgumentException">The audio is empty, or a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> mono, int sampleRate, double segmentSeconds)
        => ClassifySegments(mono, 1, sampleRate, segmentSeconds, null);

    /// <summary>As <see cref="ClassifySegments(ReadOnlySpan{float}, int, int, double, SpeakerProfile?)"/>, for mono audio of the speaker described by <paramref name="speaker"/>.</summary>
    /// <param name="mono">Samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least 0.1).</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The audio is empty, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> mono, int sampleRate, double segmentSeconds, SpeakerProfile? speaker)
        => ClassifySegments(mono, 1, sampleRate, segmentSeconds, speaker);

    /// <summary>As <see cref="ClassifySegments(ReadOnlySpan{float}, int, int, double, SpeakerProfile?)"/>, for a clip of any rate and channel count.</summary>
    /// <param name="clip">The audio.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least 0.1).</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The clip is empty, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(AudioClip clip, double segmentSeconds, SpeakerProfile? speaker = null)
    {
        ArgumentNullException.ThrowIfNull(clip);
        return ClassifySegments(clip.Interleaved, clip.Channels, clip.SampleRate, segmentSeconds, speaker);
    }

    /// <summary>Builds a <see cref="Classification"/> from probabilities (copied).</summary>
    internal Classification ToClassification(ReadOnlySpan<float> probabilities, double durationSeconds)
    {
        int top = Classification.IndexOfTop(probabilities);
        return new Classification(Model.Labels[top], probabilities[top], Model.Labels, probabilities.ToArray(), durationSeconds);
    }

    /// <summary>
    /// True when a clip at the model's rate is silent, so that it is not enrolled: with a front end, when no 10 ms
    /// block reaches its activity floor (a quiet microphone is not silence); without one, when its mean square is
    /// below the enrollment silence level.
    /// </summary>
    private bool IsSilentClip(ReadOnlySpan<float> mono) =>
        Model.FrontEnd is { } frontEnd ? FrontEnd.IsSilent(mono, Model.SampleRate, frontEnd) : IsSilent(mono);

    /// <summary>True when the mean square of <paramref name="mono"/> is below the enrollment silence level.</summary>
    internal static bool IsSilent(ReadOnlySpan<float> mono)
    {
        double sum = 0;
        foreach (float v in mono)
            sum += (double)v * v;
        return sum < EnrollmentSilenceMeanSquare * mono.Length;
    }

    /// <summary>
    /// The checks of every entry point that takes audio, before any work: whole frames of 1 to
    /// <see cref="InputLimits.MaxChannels"/> channels, a rate within <see cref="InputLimits"/> (a rate far below the
    /// model's would multiply the work of resampling) and every sample finite and within
    /// <see cref="InputLimits.MaxSampleMagnitude"/> (beyond it the features overflow).
    /// </summary>
    private static void CheckAudio(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        if (channels < 1 || channels > InputLimits.MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"The channel count must be in [1, {InputLimits.MaxChannels}].");
        if (interleaved.IsEmpty)
            throw new ArgumentException("The audio is empty.", channels == 1 ? "mono" : nameof(interleaved));
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"The audio holds {interleaved.Length} samples, not a whole number of {channels}-channel frames.", nameof(interleaved));
        if (InputLimits.SampleRateProblem(sampleRate) is { } rate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, rate);
        if (InputLimits.IndexOfInvalidSample(interleaved) is int bad and >= 0)
            throw new ArgumentException(InputLimits.InvalidSampleProblem(interleaved, bad, channels), channels == 1 ? "mono" : nameof(interleaved));
    }

    /// <summary>
    /// The audio as the model takes it: averaged to mono (<see cref="AudioClip.ToMono"/>'s sums) into the worker's
    /// buffer, then resampled and dithered (<see cref="ResamplingDither.Resample"/>) when the rate is not the model's.
    /// Mono audio at the model's rate is returned as it is.
    /// </summary>
    private ReadOnlySpan<float> ToModelRate(Worker worker, ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        ReadOnlySpan<float> mono = interleaved;
        if (channels > 1)
        {
            Span<float> mix = worker.MixBuffer(interleaved.Length / channels);
            ChannelMixer.AverageToMono(interleaved, channels, mix);
            mono = mix;
        }
        // Resampled audio gets a 16-bit noise floor above the resampler's passband, as the training recordings had.
        return sampleRate == Model.SampleRate ? mono : ResamplingDither.Resample(mono, sampleRate, Model.SampleRate);
    }

    /// <summary>As <see cref="ToModelRate"/>, into an array of the caller's own (the span of a worker's buffer cannot outlive the rental).</summary>
    private float[] ModelRateArray(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        float[] mono;
        if (channels == 1)
        {
            if (sampleRate != Model.SampleRate)
                return ResamplingDither.Resample(interleaved, sampleRate, Model.SampleRate);
            return interleaved.ToArray();
        }
        mono = new float[interleaved.Length / channels];
        ChannelMixer.AverageToMono(interleaved, channels, mono);
        return sampleRate == Model.SampleRate ? mono : ResamplingDither.Resample(mono, sampleRate, Model.SampleRate);
    }

    private void CheckProfile(SpeakerProfile? profile, string parameter)
    {
        // A model without speaker normalization ignores the profile, but a profile of other features is a caller's mistake either way.
        if (profile is not null && profile.FeatureCount != SeedFeatureExtractor.FeatureCount)
            throw new ArgumentException($"The speaker profile has {profile.FeatureCount} features; the seed features are {SeedFeatureExtractor.FeatureCount}.", parameter);
    }

    private void CheckUtterance(UtteranceFeatures utterance)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        // Features of another rate describe other spectra: the model's statistics do not apply to them.
        if (utterance.SampleRate != Model.SampleRate)
            throw new ArgumentException($"The features were computed at {utterance.SampleRate} Hz; model '{Model.Name}' takes features at {Model.SampleRate} Hz.", nameof(utterance));
    }

    private static string FactorList(IEnumerable<float> factors) =>
        string.Join(", ", factors.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Every feature extraction of this classifier goes through here, so tests can count them: the clip's features
    /// and, for each of <paramref name="copies"/> (one per speed factor, or none), those of its speed copy. One clip
    /// extraction, however many copies. With more than one core, thread-pool helpers start on the copies while this
    /// thread extracts the clip and then takes any copy left: each extraction is independent and deterministic, so the features
    /// are the same bits either way, and on two cores a clip with two copies takes about two thirds of the wall time
    /// it takes one after the other.
    /// </summary>
    private void ExtractInto(Worker worker, ReadOnlySpan<float> mono, Span<float> features, float[][] copies)
    {
        // The model's front end first (docs/front-end.md): the features, and the speed copies made from the clip,
        // are of the processed clip, as in training.
        if (Model.FrontEnd is { } frontEnd)
        {
            float[] buffer = worker.FrontEndBuffer(mono.Length);
            int length = FrontEnd.Process(mono, Model.SampleRate, frontEnd, buffer).Length;
            mono = buffer.AsSpan(0, length);
        }
        if (copies.Length == 0 || !ParallelCopies)
        {
            worker.Extractor.Extract(mono, features);
            for (int i = 0; i < copies.Length; i++)
                ExtractCopy(worker, mono, i, copies[i]);
        }
        else
        {
            ExtractWithCopiesInParallel(worker, mono, features, copies);
        }
        Interlocked.Increment(ref _extractions);
    }

    /// <summary>
    /// Whether copies are extracted beside the clip on other threads (more than one core). Internal so that tests can
    /// compare both ways on one machine.
    /// </summary>
    internal bool ParallelCopies { get; set; } = Environment.ProcessorCount > 1;

    private void ExtractCopy(Worker worker, ReadOnlySpan<float> mono, int index, Span<float> features)
    {
        // The worker's own converter for this factor and a pooled buffer: a new array per copy would be a
        // large-object allocation per call (a 3 s copy is ~200 KB), and those trigger full collections that stall
        // every thread. Process + Flush of a reset converter gives exactly SpeedChange.Apply's samples.
        Resampler resampler = worker.CopyResampler(index, _speedFactors[index]);
        resampler.Reset();
        float[] copy = ArrayPool<float>.Shared.Rent(resampler.MaxOutputLength(mono.Length) + resampler.MaxOutputLength(0));
        try
        {
            int length = resampler.Process(mono, copy);
            length += resampler.Flush(copy.AsSpan(length));
            worker.Extractor.Extract(copy.AsSpan(0, length), features);
            Interlocked.Increment(ref _copyExtractions);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// How a helper is started (<see cref="Task.Run(Action)"/>); tests replace it to run a helper late or never, as a
    /// saturated thread pool would.
    /// </summary>
    internal Action<Action> StartHelper { get; set; } = static help => Task.Run(help);

    private void ExtractWithCopiesInParallel(Worker worker, ReadOnlySpan<float> mono, Span<float> features, float[][] copies)
    {
        // A span cannot cross threads: the copies read the clip from a pooled array.
        float[] shared = ArrayPool<float>.Shared.Rent(mono.Length);
        mono.CopyTo(shared);
        // At most one helper per other core, so that no more threads than cores compete. Helpers and then this
        // thread, once the clip is done, claim the copies in factor order from one counter; on two cores the helper
        // takes the first copy while this thread extracts the clip and then the second copy.
        var work = new CopyWork(this, shared, mono.Length, copies);
        try
        {
            for (int h = Math.Min(copies.Length, Environment.ProcessorCount - 1); h > 0; h--)
                StartHelper(work.Help);
            worker.Extractor.Extract(mono, features);
            work.ExtractRemaining(worker);
        }
        finally
        {
            // Closes the claims and waits for the copies helpers did claim, whatever happened to the clip, so no
            // copy reads the shared array once it is back in the pool. A helper that has not started by now (a busy
            // pool) finds nothing to claim and is not waited for.
            work.CloseAndWait();
            ArrayPool<float>.Shared.Return(shared);
        }
        work.ThrowIfFailed();
    }

    /// <summary>The copies of one clip, claimed one at a time by whichever thread is free.</summary>
    private sealed class CopyWork(EmotionClassifier owner, float[] clip, int length, float[][] copies)
    {
        private int _next = -1;      // last claimed index
        private int _done;           // claimed copies finished (or failed)
        private int _target = int.MaxValue; // copies CloseAndWait waits for
        private ExceptionDispatchInfo? _failure;

        /// <summary>A helper: extracts copies with a worker of its own until none is left.</summary>
        public void Help()
        {
            // Started after every copy was claimed (the pool was busy): nothing to do, and no worker to take.
            if (Volatile.Read(ref _next) + 1 >= copies.Length)
                return;
            var worker = owner.Rent();
            try
            {
                ExtractRemaining(worker);
            }
            finally
            {
                owner._workers.Add(worker);
            }
        }

        /// <summary>Claims and extracts copies until none is left; a failure is kept for the caller, not thrown here.</summary>
        public void ExtractRemaining(Worker worker)
        {
            for (int i = Interlocked.Increment(ref _next); i < copies.Length; i = Interlocked.Increment(ref _next))
            {
                try
                {
                    owner.ExtractCopy(worker, clip.AsSpan(0, length), i, copies[i]);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    // Interlocked on both sides: either this sees the waiter's target or the waiter sees this count.
                    if (Interlocked.Increment(ref _done) >= Volatile.Read(ref _target))
                    {
                        lock (this)
                            Monitor.PulseAll(this);
                    }
                }
            }
        }

        /// <summary>Ends claiming and waits until every claimed copy is finished.</summary>
        public void CloseAndWait()
        {
            int claimed = Math.Min(Interlocked.Exchange(ref _next, copies.Length) + 1, copies.Length);
            Interlocked.Exchange(ref _target, claimed);
            if (Volatile.Read(ref _done) >= claimed)
                return;
            lock (this)
            {
                while (Volatile.Read(ref _done) < claimed)
                    Monitor.Wait(this);
            }
        }

        /// <summary>Rethrows the first copy's failure, as thrown.</summary>
        public void ThrowIfFailed() => _failure?.Throw();
    }

    /// <summary>
    /// Probabilities into <c>worker.Probabilities</c>: of <paramref name="features"/> alone, or the mean over it and
    /// <paramref name="copies"/>, summed in float in that order and then divided by the count.
    /// </summary>
    private void PredictMean(Worker worker, ReadOnlySpan<float> features, float[][] copies, SpeakerProfile? speaker)
    {
        float[] sum = worker.Probabilities;
        Model.Predict(features, sum, worker.Workspace, speaker);
        if (copies.Length == 0)
            return;
        float[] copyProbabilities = worker.CopyProbabilities;
        foreach (float[] copy in copies)
        {
            Model.Predict(copy, copyProbabilities, worker.Workspace, speaker);
            for (int j = 0; j < sum.Length; j++)
                sum[j] += copyProbabilities[j];
        }
        float count = copies.Length + 1;
        for (int j = 0; j < sum.Length; j++)
            sum[j] /= count;
    }

    private Classification ClassifyAtModelRate(ReadOnlySpan<float> mono, double durationSeconds, SpeakerProfile? speaker)
    {
        var worker = Rent();
        try
        {
            ExtractInto(worker, mono, worker.Features, worker.CopyFeatures);
            PredictMean(worker, worker.Features, worker.CopyFeatures, speaker);
            return ToClassification(worker.Probabilities, durationSeconds);
        }
        finally
        {
            _workers.Add(worker);
        }
    }

    /// <summary>A pooled worker, or a new one when every worker is in use; give it back with <c>_workers.Add</c>.</summary>
    private Worker Rent() => _workers.TryTake(out var worker) ? worker : new Worker(Model, _speedFactors.Length);

    /// <summary>Per-call state: one thread uses a worker at a time.</summary>
    private sealed class Worker(EmotionModel model, int speedCopies)
    {
        public SeedFeatureExtractor Extractor { get; } = new(model.SampleRate);

        public InferenceWorkspace Workspace { get; } = model.CreateWorkspace();

        public float[] Features { get; } = new float[SeedFeatureExtractor.FeatureCount];

        /// <summary>One feature vector per speed copy (none when copies are not used).</summary>
        public float[][] CopyFeatures { get; } = [.. Enumerable.Range(0, speedCopies).Select(_ => new float[SeedFeatureExtractor.FeatureCount])];

        public float[] Probabilities { get; } = new float[model.Labels.Count];

        public float[] CopyProbabilities { get; } = new float[model.Labels.Count];

        private float[] _frontEnd = [];
        private float[] _mix = [];

        /// <summary>A buffer of <paramref name="frames"/> samples for the mono mix-down, kept for the next call.</summary>
        public Span<float> MixBuffer(int frames)
        {
            if (_mix.Length < frames)
                _mix = new float[Math.Max(frames, _mix.Length + _mix.Length / 4)];
            return _mix.AsSpan(0, frames);
        }

        /// <summary>A buffer of at least <paramref name="length"/> samples for the front end's output, kept for the next call.</summary>
        public float[] FrontEndBuffer(int length)
        {
            if (_frontEnd.Length < length)
                _frontEnd = new float[Math.Max(length, _frontEnd.Length + _frontEnd.Length / 4)];
            return _frontEnd;
        }

        // One converter per speed factor, made on first use (a worker that only enrolls never needs them).
        private readonly Resampler?[] _copyResamplers = new Resampler?[speedCopies];

        public Resampler CopyResampler(int index, float factor) =>
            _copyResamplers[index] ??= SpeedChange.CreateResampler(model.SampleRate, factor);
    }
}
