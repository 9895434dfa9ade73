using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>ReLU and input standardization.</summary>
internal static class ElementwiseKernels
{
    /// <summary>y = max(x, 0); <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y, KernelPath path)
    {
        if (y.Length < x.Length)
            throw new ArgumentException("Output is shorter than the input.", nameof(y));
        int n = x.Length, i = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        if (path == KernelPath.V256)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Max(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256<float>.Zero).StoreUnsafe(ref ys, (nuint)i);
        }
        else if (path == KernelPath.V128)
        {
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                Vector128.Max(Vector128.LoadUnsafe(ref xs, (nuint)i), Vector128<float>.Zero).StoreUnsafe(ref ys, (nuint)i);
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xs, i);
            Unsafe.Add(ref ys, i) = v > 0 ? v : 0;
        }
    }

    /// <summary>y = (x - mean) / std, elementwise (a true division, as the trainer's reference does).</summary>
    public static void Standardize(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, Span<float> y)
    {
        if (mean.Length != x.Length || std.Length != x.Length || y.Length < x.Length)
            throw new ArgumentException("Standardization vectors do not match the input length.");
        for (int i = 0; i < x.Length; i++)
            y[i] = (x[i] - mean[i]) / std[i];
    }
}
