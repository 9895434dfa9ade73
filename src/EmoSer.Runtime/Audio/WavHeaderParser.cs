using System.Buffers.Binary;
using System.Text;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads a RIFF/WAVE header sequentially (no seeking needed) up to the start of the sample data.
/// Header sizes are validated before use and never drive an allocation beyond <see cref="MaxFmtChunkSize"/>.
/// </summary>
internal static class WavHeaderParser
{
    /// <summary>Largest accepted fmt chunk (a real one is 16..40 bytes).</summary>
    public const int MaxFmtChunkSize = 64 * 1024;

    /// <summary>The data size arecord writes to a pipe when it does not know the length (alsa-utils' aplay.c).</summary>
    private const uint ArecordUnknownLength = 0x7FFFFF00;

    private const ushort FormatPcm = 1;
    private const ushort FormatIeeeFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    // The 14 bytes that follow the format code in KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT.
    private static ReadOnlySpan<byte> SubFormatGuidTail => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Parses the header and leaves <paramref name="stream"/> at the first data byte.</summary>
    /// <exception cref="AudioFormatException">The input is not a readable PCM/float WAV.</exception>
    public static WavDataFormat ReadHeader(Stream stream, string inputName)
    {
        Span<byte> head = stackalloc byte[12];
        int n = StreamReading.ReadAtMost(stream, head);
        if (n == 0)
            throw new AudioFormatException(inputName, "empty input (0 bytes)");
        if (!"RIFF"u8[..Math.Min(n, 4)].SequenceEqual(head[..Math.Min(n, 4)]))
            throw new AudioFormatException(inputName, "not a WAV file: " + DescribeForeignMagic(head[..n]));
        if (n < 12)
            throw new AudioFormatException(inputName, $"truncated header: {n} bytes, a RIFF/WAVE header needs 12");
        if (!head[8..12].SequenceEqual("WAVE"u8))
            throw new AudioFormatException(inputName, $"not a WAV file: a RIFF '{FourCc(head[8..12])}' file, not RIFF 'WAVE'");

        uint riffSize = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        // Streaming writers (ffmpeg/sox to a pipe) cannot patch sizes and leave 0 or 0xFFFFFFFF.
        bool riffSizeUnknown = riffSize is 0 or uint.MaxValue;

        long position = 12;
        WavDataFormat? format = null;
        Span<byte> chunkHeader = stackalloc byte[8];
        while (true)
        {
            int got = StreamReading.ReadAtMost(stream, chunkHeader);
            if (got == 0)
            {
                throw new AudioFormatException(inputName, format is null
                    ? $"no fmt chunk (input ends after {position} bytes)"
                    : $"no data chunk (input ends after {position} bytes)");
            }
            if (got < 8)
                throw new AudioFormatException(inputName, $"truncated chunk header at byte {position}");
            position += 8;
            string id = FourCc(chunkHeader[..4]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);

            if (id == "fmt ")
            {
                if (format is not null)
                    throw new AudioFormatException(inputName, $"second fmt chunk at byte {position - 8}");
                if (size < 16)
                    throw new AudioFormatException(inputName, $"fmt chunk too small ({size} bytes, need at least 16)");
                if (size > MaxFmtChunkSize)
                    throw new AudioFormatException(inputName, $"fmt chunk too large ({size} bytes, limit {MaxFmtChunkSize})");
                byte[] fmt = new byte[size];
                int read = StreamReading.ReadAtMost(stream, fmt);
                if (read < fmt.Length)
                    throw new AudioFormatException(inputName, $"truncated fmt chunk ({read} of {size} bytes)");
                position += size;
                format = ParseFmt(fmt, inputName);
                if ((size & 1) != 0)
                    position += StreamReading.Skip(stream, 1);
            }
            else if (id == "data")
            {
                if (format is not { } f)
                    throw new AudioFormatException(inputName, $"data chunk at byte {position - 8} comes before the fmt chunk");
                long dataLength = size;
                // arecord's placeholder means "until the recording stops" too (`arecord | emoser stream -`, or its
                // output saved by `tee` or cut short): on a pipe always, on a file when the file is shorter, so that a
                // file and the same bytes on a pipe read alike.
                bool arecordPlaceholder = size == ArecordUnknownLength
                    && (StreamReading.Remaining(stream) is not long left || left < size);
                if (size == uint.MaxValue || (size == 0 && riffSizeUnknown) || arecordPlaceholder)
                {
                    dataLength = -1;
                }
                else if (StreamReading.Remaining(stream) is long remaining && dataLength > remaining)
                {
                    if (!riffSizeUnknown)
                        throw new AudioFormatException(inputName, $"data chunk larger than the file: declares {size} bytes, only {remaining} follow");
                    dataLength = -1;
                }
                return f with { DataLength = dataLength };
            }
            else
            {
                long want = size + (size & 1L);
                if (StreamReading.Remaining(stream) is long remaining && size > remaining)
                    throw new AudioFormatException(inputName, $"chunk '{Printable(id)}' at byte {position - 8} larger than the file: declares {size} bytes, only {remaining} follow");
                long skipped = StreamReading.Skip(stream, want);
                position += skipped;
                if (skipped < size)
                    throw new AudioFormatException(inputName, $"no data chunk (input ends inside chunk '{Printable(id)}' after {position} bytes)");
            }
        }
    }

    private static WavDataFormat ParseFmt(ReadOnlySpan<byte> fmt, string inputName)
    {
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40)
                throw new AudioFormatException(inputName, $"WAVE_FORMAT_EXTENSIBLE fmt chunk too small ({fmt.Length} bytes, need 40)");
            ReadOnlySpan<byte> guid = fmt.Slice(24, 16);
            ushort subFormat = BinaryPrimitives.ReadUInt16LittleEndian(guid);
            if (!guid[2..].SequenceEqual(SubFormatGuidTail) || subFormat is not (FormatPcm or FormatIeeeFloat))
                throw new AudioFormatException(inputName, $"unsupported WAVE_FORMAT_EXTENSIBLE subformat {new Guid(guid)} (only PCM and IEEE float)");
            tag = subFormat;
        }

        if (channels == 0)
            throw new AudioFormatException(inputName, "zero channels in fmt chunk");
        if (channels > InputLimits.MaxChannels)
            throw new AudioFormatException(inputName, $"too many channels ({channels}, limit {InputLimits.MaxChannels})");
        if (sampleRate == 0)
            throw new AudioFormatException(inputName, "zero sample rate in fmt chunk");
        // Checked here, before any sample is read: a rate far below the model's would multiply the work of resampling.
        if (InputLimits.SampleRateProblem((int)Math.Min(sampleRate, int.MaxValue)) is { } rateProblem)
            throw new AudioFormatException(inputName, rateProblem);

        SampleEncoding encoding = tag switch
        {
            FormatPcm => bits switch
            {
                8 => SampleEncoding.U8,
                16 => SampleEncoding.S16,
                24 => SampleEncoding.S24,
                32 => SampleEncoding.S32,
                _ => throw new AudioFormatException(inputName, $"unsupported PCM bit depth {bits} (supported: 8, 16, 24, 32)"),
            },
            FormatIeeeFloat => bits switch
            {
                32 => SampleEncoding.F32,
                64 => SampleEncoding.F64,
                _ => throw new AudioFormatException(inputName, $"unsupported IEEE float bit depth {bits} (supported: 32, 64)"),
            },
            _ => throw new AudioFormatException(inputName, $"unsupported format tag 0x{tag:X4}{FormatTagName(tag)} (supported: PCM, IEEE float, extensible PCM/float)"),
        };

        int expected = channels * (bits / 8);
        if (blockAlign != expected)
            throw new AudioFormatException(inputName, $"block align mismatch: fmt says {blockAlign} bytes per frame, {channels} channel(s) of {bits}-bit need {expected}");
        return new WavDataFormat(encoding, channels, (int)sampleRate, -1);
    }

    private static string FormatTagName(ushort tag) => tag switch
    {
        0x0002 => " (Microsoft ADPCM)",
        0x0006 => " (A-law)",
        0x0007 => " (mu-law)",
        0x0011 => " (IMA ADPCM)",
        0x0031 => " (GSM 6.10)",
        0x0050 => " (MPEG)",
        0x0055 => " (MPEG Layer 3)",
        0x00FF or 0x1610 => " (AAC)",
        _ => "",
    };

    /// <summary>Names well-known non-WAV formats from their first bytes.</summary>
    private static string DescribeForeignMagic(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("FORM"u8))
            return "looks like an AIFF/IFF file (FORM header)";
        if (head.StartsWith("ID3"u8))
            return "looks like an MP3 file (ID3 tag)";
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
            return "looks like MP3/MPEG audio (frame sync 0xFFE)";
        if (head.StartsWith("fLaC"u8))
            return "looks like a FLAC file";
        if (head.StartsWith("OggS"u8))
            return "looks like an Ogg file (Vorbis/Opus)";
        if (head.StartsWith("RIFX"u8))
            return "big-endian RIFX WAV is not supported";
        if (head.StartsWith("RF64"u8) || head.StartsWith("BW64"u8))
            return "64-bit RF64/BW64 WAV is not supported";
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
            return "looks like an MP4/M4A file";
        if (head.StartsWith("caff"u8))
            return "looks like a Core Audio (CAF) file";
        var hex = new StringBuilder();
        foreach (byte b in head[..Math.Min(head.Length, 4)])
            hex.Append(hex.Length == 0 ? "" : " ").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        return $"no RIFF header (starts with {hex})";
    }

    private static string FourCc(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static string Printable(string id)
    {
        foreach (char c in id)
        {
            if (c < 0x20 || c > 0x7E)
                return string.Join(' ', id.Select(ch => ((int)ch).ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        }
        return id;
    }
}
