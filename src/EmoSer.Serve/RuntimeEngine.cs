using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;

/// <summary>
/// The served engine over the runtime: <see cref="EmotionClassifier"/> resamples, extracts and predicts, with the
/// model's test-time speed copies unless <paramref name="testTimeSpeedCopies"/> is false.
/// </summary>
internal sealed class RuntimeEngine(EmotionModel model, string version, bool testTimeSpeedCopies = true) : IClassifierEngine
{
    private readonly EmotionClassifier _classifier = new(model, testTimeSpeedCopies);

    /// <summary>The classifier behind this engine.</summary>
    internal EmotionClassifier Classifier => _classifier;

    /// <inheritdoc/>
    public string Name => model.Name;

    /// <inheritdoc/>
    public string Version { get; } = version;

    /// <inheritdoc/>
    public IReadOnlyList<string> Labels => model.Labels;

    /// <inheritdoc/>
    public int SampleRate => model.SampleRate;

    /// <inheritdoc/>
    public string? ModelCardJson => model.ModelCardJson;

    /// <inheritdoc/>
    public IReadOnlyList<float> SpeedCopyFactors => _classifier.SpeedFactors;

    /// <inheritdoc/>
    public SpeakerFeatures? SpeakerFeatures { get; } = model.SpeakerNormalization is null
        ? null
        : new SpeakerFeatures(model.FeatureSetId, model.ExtractorVersion, model.SampleRate, model.InputLength * model.InputChannels);

    /// <inheritdoc/>
    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate) => _classifier.Classify(mono, sampleRate).Probabilities;

    /// <inheritdoc/>
    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile speaker) =>
        _classifier.Classify(mono, sampleRate, speaker).Probabilities;

    /// <inheritdoc/>
    public IReadOnlyList<SegmentClassification> ClassifySegments(AudioClip clip, double segmentSeconds, SpeakerProfile? speaker) =>
        _classifier.ClassifySegments(clip, segmentSeconds, speaker);

    /// <inheritdoc/>
    public SpeakerPrediction ClassifyForSpeaker(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile speaker)
    {
        // One extraction serves both: the prediction, and the vector the server adds to the shared profile under a short lock.
        UtteranceFeatures utterance = _classifier.Extract(mono, sampleRate);
        float[] probabilities = _classifier.Classify(utterance, speaker).Probabilities;
        return new SpeakerPrediction(probabilities, utterance.IsSilent ? null : utterance.Features.ToArray());
    }

    /// <inheritdoc/>
    public EmotionClassifier? StreamClassifier => _classifier;

    /// <inheritdoc/>
    public string? ProfileMismatch(SpeakerProfileFile file) =>
        SpeakerFeatures is null ? $"model '{model.Name}' has no speaker normalization" : file.Mismatch(model);
}
