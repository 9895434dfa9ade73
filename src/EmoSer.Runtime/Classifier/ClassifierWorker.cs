using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;

namespace EmoSer.Runtime.Classifier;

/// <summary>Per-call state: one thread uses a worker at a time.</summary>
internal sealed class ClassifierWorker(EmotionModel model, int speedCopies)
{
    public SeedFeatureExtractor Extractor { get; } = new(model.SampleRate);

    public InferenceWorkspace Workspace { get; } = model.CreateWorkspace();

    public float[] Features { get; } = new float[SeedFeatureExtractor.FeatureCount];

    /// <summary>One feature vector per speed copy (none when copies are not used).</summary>
    public float[][] CopyFeatures { get; } = [.. Enumerable.Range(0, speedCopies).Select(_ => new float[SeedFeatureExtractor.FeatureCount])];

    public float[] Probabilities { get; } = new float[model.Labels.Count];

    public float[] CopyProbabilities { get; } = new float[model.Labels.Count];

    /// <summary>One probability vector per speed copy, for copies predicted by whichever thread extracted them.</summary>
    public float[][] CopyPredictions { get; } = [.. Enumerable.Range(0, speedCopies).Select(_ => new float[model.Labels.Count])];

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
