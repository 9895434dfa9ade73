using System.Text;
using EmoSer.Serve;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve.Tests;

/// <summary>
/// A test engine for the HTTP plumbing (limits, errors, queueing, job orchestration) so those tests do not
/// depend on a trained model. Its "weights" are the text "probe:NAME"; anything else is refused like a
/// corrupt file. Probabilities come from the audio (RMS and zero-crossing rate), so they are deterministic.
/// </summary>
internal sealed class ProbeEngine(string name, string version, ProbeEngine.Behaviour behaviour) : IClassifierEngine
{
    public static readonly string[] EmotionLabels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"];

    /// <summary>Hooks tests use to hold classifications (queue tests) and count them.</summary>
    public sealed class Behaviour
    {
        public SemaphoreSlim? Hold { get; init; }
        public int Calls;
        public int Entered;
    }

    public string Name { get; } = name;
    public string Version { get; } = version;
    public IReadOnlyList<string> Labels => EmotionLabels;
    public int SampleRate => 16000;
    public string? ModelCardJson => $"{{\"probe\":\"{Name}\"}}";

    public static byte[] Weights(string name) => Encoding.UTF8.GetBytes("probe:" + name);

    public static ModelFactory Factory(Behaviour? behaviour = null)
    {
        behaviour ??= new Behaviour();
        return (weights, fileName, version) =>
        {
            string text = Encoding.UTF8.GetString(weights);
            if (!text.StartsWith("probe:", StringComparison.Ordinal))
                throw new EmoSer.Runtime.ModelFile.ModelFormatException(fileName, "not a probe model");
            return new ProbeEngine(text["probe:".Length..], version, behaviour);
        };
    }

    public float[] Classify(ReadOnlySpan<float> mono, int sampleRate)
    {
        Interlocked.Increment(ref behaviour.Entered);
        behaviour.Hold?.Wait(TimeSpan.FromSeconds(30));
        Interlocked.Increment(ref behaviour.Calls);
        double energy = 0;
        int crossings = 0;
        for (int i = 0; i < mono.Length; i++)
        {
            energy += mono[i] * mono[i];
            if (i > 0 && (mono[i] >= 0) != (mono[i - 1] >= 0))
                crossings++;
        }
        double rms = Math.Sqrt(energy / Math.Max(1, mono.Length));
        double zcr = (double)crossings / Math.Max(1, mono.Length);
        var scores = new double[EmotionLabels.Length];
        for (int k = 0; k < scores.Length; k++)
            scores[k] = Math.Sin((k + 1) * (rms * 7 + zcr * 13));
        double max = scores.Max();
        double sum = scores.Sum(s => Math.Exp(s - max));
        return scores.Select(s => (float)(Math.Exp(s - max) / sum)).ToArray();
    }

    /// <summary>The runtime's segmentation rule (TimelineSegments, at this engine's rate after resampling), each segment classified by the probe.</summary>
    public IReadOnlyList<SegmentClassification> ClassifySegments(AudioClip clip, double segmentSeconds, SpeakerProfile? speaker)
    {
        float[] mono = clip.SampleRate == SampleRate ? clip.ToMono() : ResamplingDither.Resample(clip.ToMono(), clip.SampleRate, SampleRate);
        var result = new List<SegmentClassification>();
        foreach (var (start, end) in TimelineSegments.Bounds(mono.Length, Math.Max(1, (long)Math.Round(segmentSeconds * SampleRate))))
        {
            float[] p = Classify(mono.AsSpan(start, end - start), SampleRate);
            int top = Classification.IndexOfTop(p);
            result.Add(new SegmentClassification((double)start / SampleRate, (double)end / SampleRate,
                new Classification(EmotionLabels[top], p[top], EmotionLabels, p, (double)(end - start) / SampleRate)));
        }
        return result;
    }
}
