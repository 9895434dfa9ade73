namespace EmoSer.Runtime.Audio;

/// <summary>The container of an audio file, as its first bytes tell (never its name).</summary>
internal enum AudioFileFormat
{
    /// <summary>No format this library recognises.</summary>
    Unknown,
    /// <summary>RIFF/WAVE, decoded by the runtime.</summary>
    Wav,
    /// <summary>AIFF or AIFF-C, decoded by the runtime.</summary>
    Aiff,
    /// <summary>Native FLAC, decoded by the runtime.</summary>
    Flac,
    /// <summary>MPEG audio (MP3), decoded through ffmpeg.</summary>
    Mp3,
    /// <summary>AAC in ADTS frames, decoded through ffmpeg.</summary>
    Aac,
    /// <summary>Ogg (Vorbis, Opus, FLAC in Ogg), decoded through ffmpeg.</summary>
    Ogg,
    /// <summary>MP4/M4A/3GP (AAC, ALAC), decoded through ffmpeg.</summary>
    Mp4,
    /// <summary>WebM/Matroska, decoded through ffmpeg.</summary>
    WebM,
    /// <summary>Windows Media (ASF/WMA), decoded through ffmpeg.</summary>
    Wma,
    /// <summary>Core Audio Format, decoded through ffmpeg.</summary>
    Caf,
    /// <summary>AMR narrow/wide band, decoded through ffmpeg.</summary>
    Amr,
}
