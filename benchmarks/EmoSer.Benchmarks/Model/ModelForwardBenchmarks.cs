using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Model.Kernels;
using EmoSer.Trainer.Tests.Parity;
using static TorchSharp.torch;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Benchmarks.Model;

/// <summary>
/// Batch-1 Model A forward (193 features -> 7 probabilities, standardization included): our kernels against
/// TorchSharp's functional forward on the same weights, single-threaded (torch.set_num_threads(1)).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ModelForwardBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min, new GflopsColumn());
    }

    private static bool s_interopThreadsSet;
    private EmotionModel _v256 = null!, _v128 = null!;
    private InferenceWorkspace _ws256 = null!, _ws128 = null!;
    private TorchReferenceForward _torch = null!;
    private Tensor _torchInput = null!;
    private float[] _features = [];
    private readonly float[] _probs = new float[ModelAShape.Labels];

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(1);
        // libtorch aborts the process if this is set twice (in-process runs call GlobalSetup per benchmark).
        if (!s_interopThreadsSet)
        {
            set_num_interop_threads(1);
            s_interopThreadsSet = true;
        }
        var def = ModelAShape.Create();
        byte[] file = ModelFileWriter.Serialize(def);
        _v256 = EmotionModel.Load(file, "bench", KernelPath.V256);
        _v128 = EmotionModel.Load(file, "bench", KernelPath.V128);
        _ws256 = _v256.CreateWorkspace();
        _ws128 = _v128.CreateWorkspace();
        _features = ModelAShape.Features();
        _torch = new TorchReferenceForward(ModelFileReader.Read(file, "bench"));
        _torchInput = tensor(_features).reshape(1, ModelAShape.Length);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchInput.Dispose();
        _torch.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp forward (1 thread)")]
    [Flops(ModelAShape.ModelFlops)]
    public float TorchSharp()
    {
        using var p = _torch.Forward(_torchInput);
        return p[0, 0].item<float>();
    }

    [Benchmark(Description = "EmoSer forward, v256 kernels")]
    [Flops(ModelAShape.ModelFlops)]
    public float EmoSerV256()
    {
        _v256.Predict(_features, _probs, _ws256);
        return _probs[0];
    }

    [Benchmark(Description = "EmoSer forward, v128 kernels")]
    [Flops(ModelAShape.ModelFlops)]
    public float EmoSerV128()
    {
        _v128.Predict(_features, _probs, _ws128);
        return _probs[0];
    }
}
