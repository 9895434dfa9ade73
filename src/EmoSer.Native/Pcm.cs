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

    /// <summary>
    /// Throws when a float sample is NaN or infinite: such input would turn every probability into NaN. One
    /// vectorised sum screens the buffer; only when that is not finite is the culprit searched for.
    /// </summary>
    public static void RequireFinite(ReadOnlySpan<float> samples, string name)
    {
        if (float.IsFinite(TensorPrimitives.Sum(samples)))
            return;
        for (int i = 0; i < samples.Length; i++)
        {
            if (!float.IsFinite(samples[i]))
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"{name}[{i}] is {samples[i]}; samples must be finite");
        }
    }
}
