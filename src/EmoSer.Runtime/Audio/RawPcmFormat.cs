namespace EmoSer.Runtime.Audio;

/// <summary>Sample encodings accepted for headerless (raw) PCM input.</summary>
public enum RawPcmFormat
{
    /// <summary>Signed 16-bit little-endian integers, scaled by 1/32768.</summary>
    S16Le,

    /// <summary>32-bit IEEE float little-endian, used as is.</summary>
    F32Le,
}
