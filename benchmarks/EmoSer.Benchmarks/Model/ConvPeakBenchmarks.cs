using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Model.Kernels;

namespace EmoSer.Benchmarks.Model;

/// <summary>
/// The conv layers of Model A alone (v256 kernels) and a single-core FMA peak measured the same way, so the
/// GFLOP/s column of the conv rows divided by the peak row is the fraction of peak the kernel reaches. The Winograd
/// rows count the direct conv's FLOPs, so their GFLOP/s is an effective rate that can exceed the peak.
/// </summary>
[Config(typeof(Config))]
public class ConvPeakBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Min, new GflopsColumn());
    }

    private const int PeakIterations = 1 << 20;
    private const int PeakChains = 12;

    private PackedConv1D _conv1 = null!, _conv2 = null!, _conv3 = null!;
    private WinogradConv1D _wino2 = null!, _wino3 = null!;
    private float[] _in1 = [], _in2 = [], _in3 = [], _out = [], _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        PackedConv1D Conv(int inC, int outC) => PackedConv1D.Pack(Rand(outC * inC * 5), Rand(outC), inC, outC, 5);
        _conv1 = Conv(1, 256);
        _conv2 = Conv(256, 128);
        _conv3 = Conv(128, 128);
        _in1 = Rand(Conv1DKernel.PaddedLength(ModelAShape.Length, 1, 5));
        _in2 = Rand(Conv1DKernel.PaddedLength(ModelAShape.Length, 256, 5));
        _in3 = Rand(Conv1DKernel.PaddedLength(ModelAShape.Pooled, 128, 5));
        _out = new float[ModelAShape.Length * 256];
        _wino2 = WinogradConv1D.FromPacked(_conv2);
        _wino3 = WinogradConv1D.FromPacked(_conv3);
        _scratch = new float[Math.Max(_wino2.ScratchElements(ModelAShape.Length), _wino3.ScratchElements(ModelAShape.Pooled))];
    }

    /// <summary>conv2 as the model runs it (Winograd F(4, 5)); GFLOP/s counts the direct conv's FLOPs (effective rate).</summary>
    [Benchmark(Description = "conv2 Winograd F(4,5)")]
    [Flops(ModelAShape.Conv2Flops)]
    public float Conv2Winograd()
    {
        _wino2.Run(_in2, ModelAShape.Length, _out, relu: true, _scratch, KernelPath.V256);
        return _out[0];
    }

    /// <summary>conv3 as the model runs it (Winograd F(4, 5)); effective GFLOP/s as above.</summary>
    [Benchmark(Description = "conv3 Winograd F(4,5)")]
    [Flops(ModelAShape.Conv3Flops)]
    public float Conv3Winograd()
    {
        _wino3.Run(_in3, ModelAShape.Pooled, _out, relu: true, _scratch, KernelPath.V256);
        return _out[0];
    }

    [Benchmark(Description = "conv1 1->256 k5 L193")]
    [Flops(ModelAShape.Conv1Flops)]
    public float Conv1()
    {
        Conv1DKernel.Run(_in1, ModelAShape.Length, _conv1, _out, relu: true, KernelPath.V256);
        return _out[0];
    }

    [Benchmark(Description = "conv2 256->128 k5 L193")]
    [Flops(ModelAShape.Conv2Flops)]
    public float Conv2()
    {
        Conv1DKernel.Run(_in2, ModelAShape.Length, _conv2, _out, relu: true, KernelPath.V256);
        return _out[0];
    }

    [Benchmark(Description = "conv3 128->128 k5 L24")]
    [Flops(ModelAShape.Conv3Flops)]
    public float Conv3()
    {
        Conv1DKernel.Run(_in3, ModelAShape.Pooled, _conv3, _out, relu: true, KernelPath.V256);
        return _out[0];
    }

    /// <summary>12 independent Vector256 FMA chains: enough in flight to cover FMA latency x throughput on current x64 cores.</summary>
    [Benchmark(Description = "FMA peak (Vector256, 12 chains)")]
    [Flops(2.0 * 8 * PeakChains * PeakIterations)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float FmaPeak()
    {
        var m = Vector256.Create(0.9999f);
        var c = Vector256.Create(1e-4f);
        Vector256<float> a0 = Vector256.Create(0f), a1 = Vector256.Create(1f), a2 = Vector256.Create(2f), a3 = Vector256.Create(3f);
        Vector256<float> a4 = Vector256.Create(4f), a5 = Vector256.Create(5f), a6 = Vector256.Create(6f), a7 = Vector256.Create(7f);
        Vector256<float> a8 = Vector256.Create(8f), a9 = Vector256.Create(9f), a10 = Vector256.Create(10f), a11 = Vector256.Create(11f);
        for (int i = 0; i < PeakIterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(s);
    }

    /// <summary>16 chains, to show 12 already saturate the FMA units (same rate) rather than the latency.</summary>
    [Benchmark(Description = "FMA peak (Vector256, 16 chains)")]
    [Flops(2.0 * 8 * 16 * PeakIterations)]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public float FmaPeak16()
    {
        var m = Vector256.Create(0.9999f);
        var c = Vector256.Create(1e-4f);
        Vector256<float> a0 = Vector256.Create(0f), a1 = Vector256.Create(1f), a2 = Vector256.Create(2f), a3 = Vector256.Create(3f);
        Vector256<float> a4 = Vector256.Create(4f), a5 = Vector256.Create(5f), a6 = Vector256.Create(6f), a7 = Vector256.Create(7f);
        Vector256<float> a8 = Vector256.Create(8f), a9 = Vector256.Create(9f), a10 = Vector256.Create(10f), a11 = Vector256.Create(11f);
        Vector256<float> a12 = Vector256.Create(12f), a13 = Vector256.Create(13f), a14 = Vector256.Create(14f), a15 = Vector256.Create(15f);
        for (int i = 0; i < PeakIterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            a12 = Vector256.FusedMultiplyAdd(a12, m, c);
            a13 = Vector256.FusedMultiplyAdd(a13, m, c);
            a14 = Vector256.FusedMultiplyAdd(a14, m, c);
            a15 = Vector256.FusedMultiplyAdd(a15, m, c);
        }
        var s = (((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + (((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15)));
        return Vector256.Sum(s);
    }
}
