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
/// fused), combined pairwise, then the tail in index order. With 256-bit vectors the eight sums are one vector.
/// </summary>
internal static class ReproducibleDot
{
    /// <summary>Σ x[i]·y[i] over the common length, in the fixed order described on the type.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y) =>
        Compute(x, y, Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0);

    /// <summary>
    /// <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float})"/> with the vector width chosen (256, 128, or 0 for
    /// scalar), so that tests can run every path on one machine. All three give the same bits.
    /// </summary>
    internal static float Compute(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int vectorBits)
    {
        if (x.Length != y.Length)
            throw new ArgumentException("The spans differ in length.", nameof(y));
        int n = x.Length, i = 0;
        float sum = 0;
        if (n >= 8)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            if (vectorBits == 256)
            {
                // One 8-lane sum is the two 4-lane sums side by side (lanes 0-3: a, 4-7: b): the same operations on the
                // same values in the same order, in half the instructions.
                Vector256<float> ab = Vector256<float>.Zero;
                for (; i <= n - 8; i += 8)
                    ab += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
                sum = Combine(ab.GetLower(), ab.GetUpper());
            }
            else if (vectorBits == 128)
            {
                Vector128<float> a = Vector128<float>.Zero, b = Vector128<float>.Zero;
                for (; i <= n - 8; i += 8)
                {
                    a += Vector128.LoadUnsafe(ref xr, (nuint)i) * Vector128.LoadUnsafe(ref yr, (nuint)i);
                    b += Vector128.LoadUnsafe(ref xr, (nuint)(i + 4)) * Vector128.LoadUnsafe(ref yr, (nuint)(i + 4));
                }
                sum = Combine(a, b);
            }
            else
            {
                // A separate counter: passing i by reference would keep it in memory through the vector loops.
                int done = 0;
                sum = ScalarBlocks(x, y, ref done);
                i = done;
            }
        }
        for (; i < n; i++)
            sum += x[i] * y[i];
        return sum;
    }

    /// <summary>
    /// Two dot products of equal length at once: each is exactly <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// of its pair (the same bits), but their running sums are independent chains the CPU overlaps, so the pair costs
    /// little more than one (one sum is bound by the latency of its adds, not by arithmetic).
    /// </summary>
    /// <exception cref="ArgumentException">The four spans are not all the same length.</exception>
    public static (float First, float Second) ComputePair(ReadOnlySpan<float> x0, ReadOnlySpan<float> y0, ReadOnlySpan<float> x1, ReadOnlySpan<float> y1) =>
        ComputePair(x0, y0, x1, y1, Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0);

    /// <summary><see cref="ComputePair(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/> with the vector width chosen, for tests.</summary>
    internal static (float First, float Second) ComputePair(ReadOnlySpan<float> x0, ReadOnlySpan<float> y0, ReadOnlySpan<float> x1, ReadOnlySpan<float> y1, int vectorBits)
    {
        if (x0.Length != y0.Length || x1.Length != x0.Length || y1.Length != x0.Length)
            throw new ArgumentException("The spans differ in length.", nameof(y1));
        int n = x0.Length, i = 0;
        if (n < 8 || vectorBits == 0)
            return (Compute(x0, y0, vectorBits), Compute(x1, y1, vectorBits));
        float sum0, sum1;
        ref float xr0 = ref MemoryMarshal.GetReference(x0);
        ref float yr0 = ref MemoryMarshal.GetReference(y0);
        ref float xr1 = ref MemoryMarshal.GetReference(x1);
        ref float yr1 = ref MemoryMarshal.GetReference(y1);
        if (vectorBits == 256)
        {
            Vector256<float> ab0 = Vector256<float>.Zero, ab1 = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                ab0 += Vector256.LoadUnsafe(ref xr0, (nuint)i) * Vector256.LoadUnsafe(ref yr0, (nuint)i);
                ab1 += Vector256.LoadUnsafe(ref xr1, (nuint)i) * Vector256.LoadUnsafe(ref yr1, (nuint)i);
            }
            sum0 = Combine(ab0.GetLower(), ab0.GetUpper());
            sum1 = Combine(ab1.GetLower(), ab1.GetUpper());
        }
        else
        {
            Vector128<float> a0 = Vector128<float>.Zero, b0 = Vector128<float>.Zero, a1 = Vector128<float>.Zero, b1 = Vector128<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                a0 += Vector128.LoadUnsafe(ref xr0, (nuint)i) * Vector128.LoadUnsafe(ref yr0, (nuint)i);
                a1 += Vector128.LoadUnsafe(ref xr1, (nuint)i) * Vector128.LoadUnsafe(ref yr1, (nuint)i);
                b0 += Vector128.LoadUnsafe(ref xr0, (nuint)(i + 4)) * Vector128.LoadUnsafe(ref yr0, (nuint)(i + 4));
                b1 += Vector128.LoadUnsafe(ref xr1, (nuint)(i + 4)) * Vector128.LoadUnsafe(ref yr1, (nuint)(i + 4));
            }
            sum0 = Combine(a0, b0);
            sum1 = Combine(a1, b1);
        }
        for (; i < n; i++)
        {
            sum0 += x0[i] * y0[i];
            sum1 += x1[i] * y1[i];
        }
        return (sum0, sum1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Combine(Vector128<float> a, Vector128<float> b)
    {
        Vector128<float> s = a + b;
        return (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
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
