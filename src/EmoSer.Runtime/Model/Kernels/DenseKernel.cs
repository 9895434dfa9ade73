using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>Dense layer: y[o] = bias[o] + sum_i weight[o, i] * x[i], weight row-major (out, in).</summary>
internal static class DenseKernel
{
    public static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, KernelPath path)
    {
        int inF = x.Length, outF = bias.Length;
        if (weight.Length != inF * outF || y.Length < outF)
            throw new ArgumentException("Dense spans do not match the shape.");
        for (int o = 0; o < outF; o++)
            y[o] = bias[o] + Dot(x, weight.Slice(o * inF, inF), path);
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, KernelPath path)
    {
        int n = a.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        float sum = 0;
        if (path == KernelPath.V256)
        {
            // Four independent accumulators hide the FMA latency.
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            const int W = 8;
            for (; i <= n - (4 * W); i += 4 * W)
            {
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i), s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref pa, (nuint)(i + W)), Vector256.LoadUnsafe(ref pb, (nuint)(i + W)), s1);
                s2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref pa, (nuint)(i + (2 * W))), Vector256.LoadUnsafe(ref pb, (nuint)(i + (2 * W))), s2);
                s3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref pa, (nuint)(i + (3 * W))), Vector256.LoadUnsafe(ref pb, (nuint)(i + (3 * W))), s3);
            }
            for (; i <= n - W; i += W)
                s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i), s0);
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        else if (path == KernelPath.V128)
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
            const int W = 4;
            for (; i <= n - (4 * W); i += 4 * W)
            {
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref pa, (nuint)i), Vector128.LoadUnsafe(ref pb, (nuint)i), s0);
                s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref pa, (nuint)(i + W)), Vector128.LoadUnsafe(ref pb, (nuint)(i + W)), s1);
                s2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref pa, (nuint)(i + (2 * W))), Vector128.LoadUnsafe(ref pb, (nuint)(i + (2 * W))), s2);
                s3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref pa, (nuint)(i + (3 * W))), Vector128.LoadUnsafe(ref pb, (nuint)(i + (3 * W))), s3);
            }
            for (; i <= n - W; i += W)
                s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref pa, (nuint)i), Vector128.LoadUnsafe(ref pb, (nuint)i), s0);
            sum = Vector128.Sum((s0 + s1) + (s2 + s3));
        }
        for (; i < n; i++)
            sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return sum;
    }
}
