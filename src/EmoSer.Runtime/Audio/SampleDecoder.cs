using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Converts little-endian sample bytes to float exactly as libsndfile does for <c>librosa.load</c>
/// (integer divided by 2^(bits-1), 8-bit offset by 128, float64 rounded to nearest float32).
/// </summary>
internal static class SampleDecoder
{
    /// <summary>Bytes per sample of <paramref name="encoding"/>.</summary>
    public static int BytesPerSample(SampleEncoding encoding) => encoding switch
    {
        SampleEncoding.U8 or SampleEncoding.S8 => 1,
        SampleEncoding.S16 or SampleEncoding.S16Be => 2,
        SampleEncoding.S24 or SampleEncoding.S24Be => 3,
        SampleEncoding.S32 or SampleEncoding.F32 or SampleEncoding.S32Be or SampleEncoding.F32Be => 4,
        SampleEncoding.F64 or SampleEncoding.F64Be => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    /// <summary>True for the float encodings, whose values may be NaN or infinite.</summary>
    public static bool IsFloat(SampleEncoding encoding) =>
        encoding is SampleEncoding.F32 or SampleEncoding.F64 or SampleEncoding.F32Be or SampleEncoding.F64Be;

    /// <summary>Decodes <c>source.Length / BytesPerSample</c> samples into <paramref name="destination"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, SampleEncoding encoding, Span<float> destination)
    {
        int count = source.Length / BytesPerSample(encoding);
        destination = destination[..count];
        // The span casts below reinterpret little-endian bytes; big-endian hosts take the scalar path.
        bool fast = BitConverter.IsLittleEndian;
        switch (encoding)
        {
            case SampleEncoding.U8:
                for (int i = 0; i < count; i++)
                    destination[i] = (source[i] - 128) * (1f / 128f);
                break;
            case SampleEncoding.S16:
                if (fast)
                {
                    TensorPrimitives.ConvertTruncating<short, float>(MemoryMarshal.Cast<byte, short>(source[..(2 * count)]), destination);
                    TensorPrimitives.Multiply(destination, 1f / 32768f, destination);
                }
                else
                {
                    for (int i = 0; i < count; i++)
                        destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]) * (1f / 32768f);
                }
                break;
            case SampleEncoding.S24:
                for (int i = 0, b = 0; i < count; i++, b += 3)
                {
                    // Sign-extend via the top byte: (b2 << 24 | b1 << 16 | b0 << 8) >> 8.
                    int v = (source[b] << 8 | source[b + 1] << 16 | source[b + 2] << 24) >> 8;
                    destination[i] = v * (1f / 8388608f);
                }
                break;
            case SampleEncoding.S32:
                if (fast)
                {
                    // int -> float rounds to nearest (as libsndfile's cast does); the power-of-two scale is exact.
                    TensorPrimitives.ConvertTruncating<int, float>(MemoryMarshal.Cast<byte, int>(source[..(4 * count)]), destination);
                    TensorPrimitives.Multiply(destination, 1f / 2147483648f, destination);
                }
                else
                {
                    for (int i = 0; i < count; i++)
                        destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]) * (1f / 2147483648f);
                }
                break;
            case SampleEncoding.F32:
                if (fast)
                {
                    MemoryMarshal.Cast<byte, float>(source[..(4 * count)]).CopyTo(destination);
                }
                else
                {
                    for (int i = 0; i < count; i++)
                        destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }
                break;
            case SampleEncoding.F64:
                for (int i = 0; i < count; i++)
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            // Big-endian and signed 8-bit (AIFF): the same values as their little-endian counterparts.
            case SampleEncoding.S8:
                for (int i = 0; i < count; i++)
                    destination[i] = (sbyte)source[i] * (1f / 128f);
                break;
            case SampleEncoding.S16Be:
                for (int i = 0; i < count; i++)
                    destination[i] = BinaryPrimitives.ReadInt16BigEndian(source[(2 * i)..]) * (1f / 32768f);
                break;
            case SampleEncoding.S24Be:
                for (int i = 0, b = 0; i < count; i++, b += 3)
                {
                    int v = (source[b + 2] << 8 | source[b + 1] << 16 | source[b] << 24) >> 8;
                    destination[i] = v * (1f / 8388608f);
                }
                break;
            case SampleEncoding.S32Be:
                for (int i = 0; i < count; i++)
                    destination[i] = BinaryPrimitives.ReadInt32BigEndian(source[(4 * i)..]) * (1f / 2147483648f);
                break;
            case SampleEncoding.F32Be:
                for (int i = 0; i < count; i++)
                    destination[i] = BinaryPrimitives.ReadSingleBigEndian(source[(4 * i)..]);
                break;
            case SampleEncoding.F64Be:
                for (int i = 0; i < count; i++)
                    destination[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(source[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding));
        }
    }
}
