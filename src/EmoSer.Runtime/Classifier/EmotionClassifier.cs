using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Classifier;

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
public sealed partial class EmotionClassifier
{
    // Each call rents its own extractor, workspace and buffers: concurrent calls never share one.
    private readonly WorkerPool _pool;

    // The factors whose copies are classified with every clip: the model's, or none when copies are switched off.
    private readonly float[] _speedFactors;

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
        _pool = new WorkerPool(model, _speedFactors.Length);
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
        var worker = _pool.Rent();
        try
        {
            ReadOnlySpan<float> mono = ToModelRate(worker, interleaved, channels, sampleRate);
            ExtractInto(worker, mono, worker.Features, worker.CopyFeatures, CopyPrediction.Into(worker, speaker));
            PredictMean(worker, worker.Features, worker.CopyFeatures, speaker, predicted: true);
            worker.Probabilities.CopyTo(probabilities);
            return Classification.IndexOfTop(worker.Probabilities);
        }
        finally
        {
            _pool.Return(worker);
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
        var worker = _pool.Rent();
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
            _pool.Return(worker);
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
        var worker = _pool.Rent();
        bool silent;
        try
        {
            ReadOnlySpan<float> mono = ToModelRate(worker, interleaved, channels, sampleRate);
            ExtractInto(worker, mono, features, copies);
            silent = IsSilentClip(mono);
        }
        finally
        {
            _pool.Return(worker);
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
        var worker = _pool.Rent();
        try
        {
            PredictMean(worker, utterance.Features, UsesTestTimeSpeedCopies ? utterance.CopyFeatures : [], speaker);
            return ToClassification(worker.Probabilities, utterance.DurationSeconds);
        }
        finally
        {
            _pool.Return(worker);
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
    /// <param name="segmentSeconds">Segment length in seconds (at least <see cref="InputLimits.MinSegmentSeconds"/>).</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <returns>The segments in order; their bounds are in seconds at the model's rate.</returns>
    /// <exception cref="ArgumentException">The audio is empty or not whole frames, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length, channel count or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> interleaved, int channels, int sampleRate, double segmentSeconds, SpeakerProfile? speaker = null)
    {
        CheckAudio(interleaved, channels, sampleRate);
        if (InputLimits.SegmentLengthProblem(segmentSeconds) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(segmentSeconds), segmentSeconds, problem);
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
    /// <param name="segmentSeconds">Segment length in seconds (at least <see cref="InputLimits.MinSegmentSeconds"/>).</param>
    /// <exception cref="ArgumentException">The audio is empty, or a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> mono, int sampleRate, double segmentSeconds)
        => ClassifySegments(mono, 1, sampleRate, segmentSeconds, null);

    /// <summary>As <see cref="ClassifySegments(ReadOnlySpan{float}, int, int, double, SpeakerProfile?)"/>, for mono audio of the speaker described by <paramref name="speaker"/>.</summary>
    /// <param name="mono">Samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Their sample rate.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least <see cref="InputLimits.MinSegmentSeconds"/>).</param>
    /// <param name="speaker">The speaker's profile, or null for the population statistics; ignored by a model without speaker normalization.</param>
    /// <exception cref="ArgumentException">The audio is empty, a sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>, or the profile has another feature count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The segment length or sample rate is out of range.</exception>
    public IReadOnlyList<SegmentClassification> ClassifySegments(ReadOnlySpan<float> mono, int sampleRate, double segmentSeconds, SpeakerProfile? speaker)
        => ClassifySegments(mono, 1, sampleRate, segmentSeconds, speaker);

    /// <summary>As <see cref="ClassifySegments(ReadOnlySpan{float}, int, int, double, SpeakerProfile?)"/>, for a clip of any rate and channel count.</summary>
    /// <param name="clip">The audio.</param>
    /// <param name="segmentSeconds">Segment length in seconds (at least <see cref="InputLimits.MinSegmentSeconds"/>).</param>
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
}
