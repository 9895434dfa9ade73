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

    /// <summary>
    /// Classifies one second of a synthetic voiced sound (150 Hz and its harmonics, about -20 dBFS) and drops the
    /// answer: packs the weights and starts the speed-copy threads, the work a first request would otherwise wait for.
    /// </summary>
    public void WarmUp()
    {
        int rate = model.SampleRate;
        var voice = new float[rate];
        for (int i = 0; i < voice.Length; i++)
        {
            double t = (double)i / rate, sum = 0;
            for (int h = 1; h <= 10; h++)
                sum += Math.Sin(2 * Math.PI * 150 * h * t) / h;
            voice[i] = (float)(0.05 * sum);
        }
        _classifier.Classify(voice, rate);
    }

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
