using System.Numerics.Tensors;

namespace EmoSer.Native;

/// <summary>Sample conversions for the 16-bit entry points.</summary>
internal static class Pcm
{
    /// <summary>dst[i] = src[i] / 32768, exactly as the runtime's WAV reader decodes 16-bit PCM.</summary>
    public static void S16ToFloat(ReadOnlySpan<short> src, Span<float> dst)
    {
        dst = dst[..src.Length];
        TensorPrimitives.ConvertTruncating<short, float>(src, dst);
        TensorPrimitives.Multiply(dst, 1f / 32768f, dst);
    }
}
