namespace EmoSer.Runtime.Audio;

/// <summary>On-disk sample encodings the decoders understand (little-endian unless the name ends in Be).</summary>
internal enum SampleEncoding
{
    /// <summary>Unsigned 8-bit, (b - 128) / 128.</summary>
    U8,
    /// <summary>Signed 16-bit, v / 32768.</summary>
    S16,
    /// <summary>Signed 24-bit packed, v / 8388608.</summary>
    S24,
    /// <summary>Signed 32-bit, v / 2147483648.</summary>
    S32,
    /// <summary>IEEE float 32.</summary>
    F32,
    /// <summary>IEEE float 64, rounded to float32.</summary>
    F64,
    /// <summary>Signed 8-bit (AIFF), v / 128.</summary>
    S8,
    /// <summary>Signed 16-bit big-endian, v / 32768.</summary>
    S16Be,
    /// <summary>Signed 24-bit packed big-endian, v / 8388608.</summary>
    S24Be,
    /// <summary>Signed 32-bit big-endian, v / 2147483648.</summary>
    S32Be,
    /// <summary>IEEE float 32 big-endian.</summary>
    F32Be,
    /// <summary>IEEE float 64 big-endian, rounded to float32.</summary>
    F64Be,
}
