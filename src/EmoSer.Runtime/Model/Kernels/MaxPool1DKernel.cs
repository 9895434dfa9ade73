using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>MaxPool1D over the length axis of a channels-last (length, channels) activation, Keras 'valid'.</summary>
internal static class MaxPool1DKernel
{
    public static int OutputLength(int length, int pool, int stride) => ((length - pool) / stride) + 1;

    /// <summary>y[o, c] = max_{p &lt; pool} x[o * stride + p, c].</summary>
    public static void Run(ReadOnlySpan<float> x, int length, int channels, int pool, int stride, Span<float> y, KernelPath path)
    {
        int outLength = OutputLength(length, pool, stride);
        if (x.Length < length * channels || y.Length < outLength * channels || pool > length)
            throw new ArgumentException("MaxPool1D spans do not match the shape.");
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        for (int o = 0; o < outLength; o++)
        {
            nuint src = (nuint)(o * stride * channels), dst = (nuint)(o * channels);
            int c = 0;
            if (path == KernelPath.V256)
            {
                for (; c <= channels - Vector256<float>.Count; c += Vector256<float>.Count)
                {
                    var m = Vector256.LoadUnsafe(ref xs, src + (nuint)c);
                    for (int p = 1; p < pool; p++)
                        m = Vector256.Max(m, Vector256.LoadUnsafe(ref xs, src + (nuint)(p * channels) + (nuint)c));
                    m.StoreUnsafe(ref ys, dst + (nuint)c);
                }
            }
            else if (path == KernelPath.V128)
            {
                for (; c <= channels - Vector128<float>.Count; c += Vector128<float>.Count)
                {
                    var m = Vector128.LoadUnsafe(ref xs, src + (nuint)c);
                    for (int p = 1; p < pool; p++)
                        m = Vector128.Max(m, Vector128.LoadUnsafe(ref xs, src + (nuint)(p * channels) + (nuint)c));
                    m.StoreUnsafe(ref ys, dst + (nuint)c);
                }
            }
            for (; c < channels; c++)
            {
                float m = x[(int)src + c];
                for (int p = 1; p < pool; p++)
                    m = Math.Max(m, x[(int)src + (p * channels) + c]);
                y[(int)dst + c] = m;
            }
        }
    }
}
