using System.Buffers.Binary;
using System.Text;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Decodes AIFF (Audio IFF 1.3) and AIFF-C files held in memory: uncompressed PCM of 1..32 bits (big-endian,
/// left-justified in whole bytes), and the AIFF-C types <c>NONE</c>, <c>twos</c>, <c>sowt</c> (little-endian),
/// <c>raw </c> (unsigned 8-bit), <c>in24</c>, <c>in32</c>, <c>fl32</c>/<c>FL32</c> and <c>fl64</c>/<c>FL64</c>.
/// Spec and limits: docs/audio-input.md.
/// </summary>
/// <remarks>
/// Work is linear in the input's length and memory is bounded by it: no header value sizes an allocation beyond the
/// bytes actually present (the sample count is the smaller of what COMM declares and what SSND holds, and a COMM that
/// declares more frames than SSND holds is an error). Chunks may come in any order.
/// </remarks>
internal static class AiffDecoder
{
    /// <summary>True when <paramref name="head"/> (at least 12 bytes) starts an AIFF or AIFF-C file.</summary>
    public static bool IsAiff(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && head.StartsWith("FORM"u8) && (head[8..12].SequenceEqual("AIFF"u8) || head[8..12].SequenceEqual("AIFC"u8));

    /// <summary>Decodes a whole AIFF/AIFF-C file of at most <paramref name="maxSeconds"/> (from COMM, before decoding).</summary>
    /// <exception cref="AudioFormatException">The bytes are not a supported, well-formed AIFF file, or hold no samples.</exception>
    /// <exception cref="AudioTooLongException">COMM declares more than <paramref name="maxSeconds"/>.</exception>
    public static AudioClip Decode(ReadOnlySpan<byte> file, string inputName, double maxSeconds)
    {
        if (file.Length < 12 || !file.StartsWith("FORM"u8))
            throw new AudioFormatException(inputName, "not an AIFF file: no FORM header");
        bool aifc = file[8..12].SequenceEqual("AIFC"u8);
        if (!aifc && !file[8..12].SequenceEqual("AIFF"u8))
            throw new AudioFormatException(inputName, $"not an AIFF file: an IFF '{Printable(file[8..12])}' form, not AIFF or AIFC");
        // The FORM size bounds the chunks; a larger declared size than the file is a truncated file, a smaller one
        // leaves trailing bytes that are not part of the form (ignored).
        long formEnd = 8 + (long)BinaryPrimitives.ReadUInt32BigEndian(file[4..]);
        bool truncatedForm = formEnd > file.Length;
        int end = (int)Math.Min(formEnd, file.Length);

        Common? common = null;
        int soundStart = -1, soundLength = 0, position = 12;
        while (position + 8 <= end)
        {
            ReadOnlySpan<byte> id = file.Slice(position, 4);
            long size = BinaryPrimitives.ReadUInt32BigEndian(file[(position + 4)..]);
            int body = position + 8;
            long available = end - body;
            if (id.SequenceEqual("COMM"u8))
            {
                if (common is not null)
                    throw new AudioFormatException(inputName, $"second COMM chunk at byte {position}");
                if (size > available)
                    throw new AudioFormatException(inputName, $"truncated COMM chunk at byte {position}: declares {size} bytes, {available} follow");
                common = ParseCommon(file.Slice(body, (int)size), aifc, inputName);
            }
            else if (id.SequenceEqual("SSND"u8))
            {
                if (soundStart >= 0)
                    throw new AudioFormatException(inputName, $"second SSND chunk at byte {position}");
                if (size < 8)
                    throw new AudioFormatException(inputName, $"SSND chunk too small ({size} bytes, need at least 8)");
                // A cut file keeps the sound it has: the frame count check below says what is missing.
                long chunk = Math.Min(size, available);
                if (chunk < 8)
                    throw new AudioFormatException(inputName, $"truncated SSND chunk at byte {position}");
                long offset = BinaryPrimitives.ReadUInt32BigEndian(file[body..]);
                if (offset > chunk - 8)
                    throw new AudioFormatException(inputName, $"SSND offset {offset} points past the chunk's {chunk - 8} sound bytes");
                soundStart = body + 8 + (int)offset;
                soundLength = (int)(chunk - 8 - offset);
            }
            if (size > available)
                break;
            position = (int)Math.Min(end, body + size + (size & 1));
        }
        if (common is not { } c)
            throw new AudioFormatException(inputName, truncatedForm ? "truncated: the file ends before a COMM chunk" : "no COMM chunk");
        if (c.Frames == 0)
            throw new AudioFormatException(inputName, "no audio samples (0 frames)");
        if (c.Frames > InputLimits.MaxFrames(c.SampleRate, maxSeconds))
            throw new AudioTooLongException(inputName, (double)c.Frames / c.SampleRate, maxSeconds);
        if (soundStart < 0)
            throw new AudioFormatException(inputName, truncatedForm ? "truncated: the file ends before the SSND chunk" : "no SSND chunk");

        int frameBytes = c.Channels * SampleDecoder.BytesPerSample(c.Encoding);
        long declared = c.Frames * frameBytes;
        if (declared > soundLength)
            throw new AudioFormatException(inputName, $"truncated sound data: COMM declares {c.Frames} frames ({declared} bytes), SSND holds {soundLength} bytes");
        if (c.Frames * c.Channels > Array.MaxLength)
            throw new AudioFormatException(inputName, $"too long: more than {Array.MaxLength} samples do not fit in memory");
        var samples = new float[c.Frames * c.Channels];
        SampleDecoder.Decode(file.Slice(soundStart, (int)declared), c.Encoding, samples);
        if (SampleDecoder.IsFloat(c.Encoding) && InputLimits.IndexOfInvalidSample(samples) is int bad and >= 0)
            throw new AudioFormatException(inputName, InputLimits.InvalidSampleProblem(samples, bad, c.Channels));
        return new AudioClip(samples, c.SampleRate, c.Channels);
    }

    /// <summary>What the COMM chunk says.</summary>
    private readonly record struct Common(int Channels, long Frames, int SampleRate, SampleEncoding Encoding);

    private static Common ParseCommon(ReadOnlySpan<byte> comm, bool aifc, string inputName)
    {
        int need = aifc ? 22 : 18;
        if (comm.Length < need)
            throw new AudioFormatException(inputName, $"COMM chunk too small ({comm.Length} bytes, need {need})");
        int channels = BinaryPrimitives.ReadInt16BigEndian(comm);
        long frames = BinaryPrimitives.ReadUInt32BigEndian(comm[2..]);
        int bits = BinaryPrimitives.ReadInt16BigEndian(comm[6..]);
        if (channels < 1)
            throw new AudioFormatException(inputName, $"{channels} channels in COMM chunk");
        if (channels > InputLimits.MaxChannels)
            throw new AudioFormatException(inputName, $"too many channels ({channels}, limit {InputLimits.MaxChannels})");
        int rate = ReadSampleRate(comm.Slice(8, 10), inputName);
        string compression = aifc ? Encoding.Latin1.GetString(comm.Slice(18, 4)) : "NONE";
        SampleEncoding encoding = compression switch
        {
            "NONE" or "twos" => IntegerEncoding(bits, bigEndian: true, inputName),
            "sowt" => IntegerEncoding(bits, bigEndian: false, inputName),
            "in24" => bits is > 16 and <= 24 ? SampleEncoding.S24Be : throw BitsMismatch(compression, bits, inputName),
            "in32" => bits is > 24 and <= 32 ? SampleEncoding.S32Be : throw BitsMismatch(compression, bits, inputName),
            "raw " => bits is > 0 and <= 8 ? SampleEncoding.U8 : throw BitsMismatch(compression, bits, inputName),
            // The sample size of float data is 32 or 64 by definition; some writers leave other values here.
            "fl32" or "FL32" => SampleEncoding.F32Be,
            "fl64" or "FL64" => SampleEncoding.F64Be,
            _ => throw new AudioFormatException(inputName,
                $"unsupported AIFF-C compression '{Printable(comm.Slice(18, 4))}' (supported: NONE, twos, sowt, raw, in24, in32, fl32, fl64; convert other files to WAV or FLAC)"),
        };
        return new Common(channels, frames, rate, encoding);
    }

    private static SampleEncoding IntegerEncoding(int bits, bool bigEndian, string inputName) => bits switch
    {
        // Sample points are left-justified in whole bytes, so a 12-bit sample reads as 16-bit (as libsndfile does).
        >= 1 and <= 8 => SampleEncoding.S8,
        >= 9 and <= 16 => bigEndian ? SampleEncoding.S16Be : SampleEncoding.S16,
        >= 17 and <= 24 => bigEndian ? SampleEncoding.S24Be : SampleEncoding.S24,
        >= 25 and <= 32 => bigEndian ? SampleEncoding.S32Be : SampleEncoding.S32,
        _ => throw new AudioFormatException(inputName, $"unsupported sample size {bits} bits (AIFF allows 1..32)"),
    };

    private static AudioFormatException BitsMismatch(string compression, int bits, string inputName) =>
        new(inputName, $"AIFF-C compression '{compression}' with a sample size of {bits} bits");

    /// <summary>The 80-bit IEEE 754 extended-precision sample rate, as a whole number of Hz.</summary>
    private static int ReadSampleRate(ReadOnlySpan<byte> extended, string inputName)
    {
        int signExponent = BinaryPrimitives.ReadUInt16BigEndian(extended);
        ulong mantissa = BinaryPrimitives.ReadUInt64BigEndian(extended[2..]);
        int exponent = signExponent & 0x7FFF;
        // rate = mantissa × 2^(exponent − 16383 − 63); with the explicit integer bit set it is ≥ 1 exactly when
        // exponent ≥ 16383, and below 2^20 (above the 768 kHz limit) when exponent < 16383 + 20.
        if ((signExponent & 0x8000) != 0 || exponent == 0x7FFF || mantissa == 0 || exponent < 16383 || exponent >= 16383 + 20
            || (mantissa >> 63) == 0)
            throw new AudioFormatException(inputName, $"invalid sample rate in COMM chunk (80-bit value {Convert.ToHexString(extended)})");
        int shift = 63 - (exponent - 16383);
        ulong whole = mantissa >> shift;
        // Round half up on the first dropped bit (a non-integer rate such as 22254.545 Hz becomes 22255 Hz).
        if (((mantissa >> (shift - 1)) & 1) != 0)
            whole++;
        if (InputLimits.SampleRateProblem((int)Math.Min(whole, int.MaxValue)) is { } problem)
            throw new AudioFormatException(inputName, problem);
        return (int)whole;
    }

    private static string Printable(ReadOnlySpan<byte> id)
    {
        foreach (byte b in id)
        {
            if (b < 0x20 || b > 0x7E)
                return Convert.ToHexString(id);
        }
        return Encoding.Latin1.GetString(id);
    }
}
