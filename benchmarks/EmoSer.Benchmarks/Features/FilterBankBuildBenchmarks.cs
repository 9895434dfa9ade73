using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Features;

/// <summary>
/// Building the seed extractor's filterbanks, which a one-shot `emoser classify` pays on its critical path: the mel
/// banks once per process, a chroma bank per extraction (its tuning is estimated per clip, and each speed copy has its own).
/// </summary>
[MemoryDiagnoser]
public class FilterBankBuildBenchmarks
{
    [Benchmark]
    public int Mel128() => new MelFilterBank(16000, 2048, 128).MelCount;

    [Benchmark]
    public int Chroma80Dense() => ChromaFilterBank.BuildLibrosaFilterBank(16000, 2048, WindowFeatureAggregator.ChromaCount, -0.07).Length;

    [Benchmark]
    public int Chroma80() => new ChromaFilterBank(16000, 2048, WindowFeatureAggregator.ChromaCount, -0.07).NonZeroWeights;
}
