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
    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate) => _classifier.Classify(mono, sampleRate).Probabilities;
}
