namespace EmoSer.Runtime.Audio;

/// <summary>Tells an audio file's format from its first bytes (<see cref="HeadLength"/> are enough, except that an
/// ID3v2 tag hides whether MP3 or FLAC follows: <see cref="Identify"/> then needs the bytes after the tag).</summary>
internal static class AudioFormatSniffer
{
    /// <summary>Bytes <see cref="Identify"/> looks at, beyond an ID3v2 tag.</summary>
    public const int HeadLength = 16;

    private static ReadOnlySpan<byte> MatroskaMagic => [0x1A, 0x45, 0xDF, 0xA3];

    private static ReadOnlySpan<byte> AsfGuid => [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11];

    /// <summary>The format of the file that starts with <paramref name="head"/>.</summary>
    public static AudioFileFormat Identify(ReadOnlySpan<byte> head)
    {
        // Any RIFF (and its big-endian and 64-bit variants) or IFF file goes to the WAV or AIFF reader, which says
        // precisely what is wrong with one it cannot read (an AVI, RF64, an 8SVX form).
        if (head.StartsWith("RIFF"u8) || head.StartsWith("RIFX"u8) || head.StartsWith("RF64"u8) || head.StartsWith("BW64"u8))
            return AudioFileFormat.Wav;
        if (head.StartsWith("FORM"u8))
            return AudioFileFormat.Aiff;
        if (head.StartsWith("ID3"u8))
            return FlacDecoder.IsFlac(head) ? AudioFileFormat.Flac : AudioFileFormat.Mp3;
        if (head.StartsWith("fLaC"u8))
            return AudioFileFormat.Flac;
        if (head.StartsWith("OggS"u8))
            return AudioFileFormat.Ogg;
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
            return AudioFileFormat.Mp4;
        if (head.StartsWith(MatroskaMagic))
            return AudioFileFormat.WebM;
        if (head.StartsWith(AsfGuid))
            return AudioFileFormat.Wma;
        if (head.StartsWith("caff"u8))
            return AudioFileFormat.Caf;
        if (head.StartsWith("#!AMR"u8))
            return AudioFileFormat.Amr;
        if (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            // The 11-bit frame sync is shared: layer bits 00 are AAC's ADTS, the other layers MPEG audio.
            if ((head[1] & 0x06) == 0)
                return (head[1] & 0xF0) == 0xF0 ? AudioFileFormat.Aac : AudioFileFormat.Unknown;
            // MPEG version bits 01 are reserved.
            return (head[1] & 0x18) == 0x08 ? AudioFileFormat.Unknown : AudioFileFormat.Mp3;
        }
        return AudioFileFormat.Unknown;
    }

    /// <summary>True for the formats the runtime decodes itself.</summary>
    public static bool IsBuiltIn(AudioFileFormat format) => format is AudioFileFormat.Wav or AudioFileFormat.Aiff or AudioFileFormat.Flac;

    /// <summary>The format's name in messages.</summary>
    public static string Describe(AudioFileFormat format) => format switch
    {
        AudioFileFormat.Wav => "WAV",
        AudioFileFormat.Aiff => "AIFF",
        AudioFileFormat.Flac => "FLAC",
        AudioFileFormat.Mp3 => "MP3",
        AudioFileFormat.Aac => "AAC (ADTS)",
        AudioFileFormat.Ogg => "Ogg (Vorbis/Opus)",
        AudioFileFormat.Mp4 => "MP4/M4A",
        AudioFileFormat.WebM => "WebM/Matroska",
        AudioFileFormat.Wma => "WMA/ASF",
        AudioFileFormat.Caf => "CAF",
        AudioFileFormat.Amr => "AMR",
        _ => "unknown",
    };

    /// <summary>Why an unrecognised file was refused.</summary>
    public static string DescribeUnknown(ReadOnlySpan<byte> head)
    {
        var hex = new System.Text.StringBuilder();
        foreach (byte b in head[..Math.Min(head.Length, 4)])
            hex.Append(hex.Length == 0 ? "" : " ").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        return $"no WAV, AIFF, FLAC, MP3, Ogg, MP4 or WebM header (starts with {hex})";
    }
}
