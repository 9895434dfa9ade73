using BenchmarkDotNet.Attributes;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Benchmarks.Native;

/// <summary>
/// The C# side of the C API timing (benchmarks/native-classify-timing.sh): what one emoser_classify_s16 call does
/// on a 3 s, 16 kHz utterance (s16 to float, then EmotionClassifier.Classify), measured from managed code (JIT).
/// The C side is examples/c/timing.c on the AOT library. The utterance is $EMOSER_TIMING_WAV, else Emo-DB 03a05Aa.wav.
/// <see cref="Mode"/>: the shipped model's speed copies extracted beside the clip on other cores (the default), the
/// same copies one after the other on the calling thread, or a single pass without copies.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class ClassifyS16Benchmarks
{
    private short[] _pcm = [];
    private float[] _samples = [];
    private EmotionClassifier _classifier = null!;

    /// <summary>copies-parallel (the default), copies-in-turn, single-pass.</summary>
    [Params("copies-parallel", "copies-in-turn", "single-pass")]
    public string Mode { get; set; } = "copies-parallel";

    [GlobalSetup]
    public void Setup()
    {
        string wav = Environment.GetEnvironmentVariable("EMOSER_TIMING_WAV") is { Length: > 0 } p
            ? p
            : Path.Combine(FindRepoRoot(), "..", "shared", "data", "emodb", "wav", "03a05Aa.wav");
        AudioClip clip = WavReader.ReadFile(wav);
        int frames = 3 * clip.SampleRate;
        if (clip.FrameCount < frames || clip.Channels != 1)
            throw new InvalidOperationException($"{wav}: need a mono utterance of at least 3 s");
        _pcm = clip.Interleaved[..frames].Select(s => (short)Math.Round(s * 32768f)).ToArray();
        _samples = new float[frames];
        var model = EmotionModel.Load(Path.Combine(FindRepoRoot(), "weights", "model-a.emow"));
        _classifier = new EmotionClassifier(model, testTimeSpeedCopies: Mode != "single-pass") { ParallelCopies = Mode == "copies-parallel" };
    }

    /// <summary>The body of emoser_classify_s16 for mono input: convert, classify.</summary>
    [Benchmark]
    public float ClassifyS16_3s()
    {
        for (int i = 0; i < _pcm.Length; i++)
            _samples[i] = _pcm[i] * (1f / 32768f);
        return _classifier.Classify(_samples, 16000).Confidence;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EmoSer.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("EmoSer.sln not found");
    }
}
