using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Dsp;

/// <summary>
/// A dot product whose result is bit-identical on every CPU and build: x64 under the JIT (which may use 512-bit
/// vectors), x64 native AOT (256-bit) and arm64 (128-bit). <c>TensorPrimitives.Dot</c> sums in an order that follows
/// the vector width, so the same samples resampled by two builds differed in their last bits; the feature extractor's
/// tuning estimate can turn that into ~1e-4 in a probability, and every classification with test-time speed copies
/// resamples the clip. Here the order is fixed: eight running sums (two 4-lane vectors, multiply then add, never
/// fused), combined pairwise, then the tail in index order.
/// </summary>
public static class ReproducibleDot
{
    /// <summary>Σ x[i]·y[i] over the common length, in the fixed order described on the type.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException("The spans differ in length.", nameof(y));
        int n = x.Length, i = 0;
        float sum = 0;
        if (n >= 8)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            if (Vector128.IsHardwareAccelerated)
            {
                Vector128<float> a = Vector128<float>.Zero, b = Vector128<float>.Zero;
                for (; i <= n - 8; i += 8)
                {
                    a += Vector128.LoadUnsafe(ref xr, (nuint)i) * Vector128.LoadUnsafe(ref yr, (nuint)i);
                    b += Vector128.LoadUnsafe(ref xr, (nuint)(i + 4)) * Vector128.LoadUnsafe(ref yr, (nuint)(i + 4));
                }
                Vector128<float> s = a + b;
                sum = (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
            }
            else
            {
                sum = ScalarBlocks(x, y, ref i);
            }
        }
        for (; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }

    /// <summary>The vector path's exact arithmetic, lane by lane, for CPUs without 128-bit vectors (and for tests).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static float ScalarBlocks(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ref int i)
    {
        Span<float> a = stackalloc float[4], b = stackalloc float[4];
        a.Clear();
        b.Clear();
        int n = x.Length;
        for (; i <= n - 8; i += 8)
        {
            for (int l = 0; l < 4; l++)
            {
                // Separate statements: the product is rounded to float before the add, as the vector path does.
                float p = x[i + l] * y[i + l];
                a[l] += p;
                float q = x[i + 4 + l] * y[i + 4 + l];
                b[l] += q;
            }
        }
        float s0 = a[0] + b[0], s1 = a[1] + b[1], s2 = a[2] + b[2], s3 = a[3] + b[3];
        return (s0 + s1) + (s2 + s3);
    }
}
