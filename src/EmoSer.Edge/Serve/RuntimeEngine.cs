using EmoSer.Runtime;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Serve;

/// <summary>The served engine over the runtime: <see cref="EmotionClassifier"/> resamples, extracts and predicts.</summary>
internal sealed class RuntimeEngine(EmotionModel model, string version) : IClassifierEngine
{
    private readonly EmotionClassifier _classifier = new(model);

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
    public SpeakerFeatures? SpeakerFeatures { get; } = model.SpeakerNormalization is null
        ? null
        : new SpeakerFeatures(model.FeatureSetId, model.ExtractorVersion, model.SampleRate, model.InputLength * model.InputChannels);

    /// <inheritdoc/>
    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate) => _classifier.Classify(mono, sampleRate).Probabilities;

    /// <inheritdoc/>
    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile speaker) =>
        _classifier.Classify(mono, sampleRate, speaker).Probabilities;

    /// <inheritdoc/>
    public float[]? EnrollmentFeatures(ReadOnlySpan<float> mono, int sampleRate)
    {
        // Enrolling into a fresh profile yields the exact vector Enroll adds (its mean after one Add is the vector,
        // float to double and back is exact), so the server can add it to the shared profile under a short lock.
        var single = new SpeakerProfile(model.InputLength * model.InputChannels);
        if (!_classifier.Enroll(mono, sampleRate, single))
            return null;
        var features = new float[single.FeatureCount];
        for (int i = 0; i < features.Length; i++)
            features[i] = (float)single.Mean[i];
        return features;
    }

    /// <inheritdoc/>
    public string? ProfileMismatch(SpeakerProfileFile file) =>
        SpeakerFeatures is null ? $"model '{model.Name}' has no speaker normalization" : file.Mismatch(model);
}
