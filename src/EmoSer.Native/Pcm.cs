using System.Globalization;
using System.Numerics.Tensors;
using EmoSer.Runtime;

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
    /// Throws when a float sample is NaN, infinite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>: the features
    /// of such input overflow and every probability would be NaN (the runtime's check, <see cref="InputLimits.IndexOfInvalidSample"/>).
    /// </summary>
    public static void RequireValid(ReadOnlySpan<float> samples, string name, long offset = 0)
    {
        if (InputLimits.IndexOfInvalidSample(samples) is int i and >= 0)
        {
            throw new NativeCallException(EmoserStatus.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                $"{name}[{offset + i}] is {samples[i]:R}; samples must be finite and within ±{InputLimits.MaxSampleMagnitude} (96 dB above full scale), or the features overflow"));
        }
    }
}
