namespace EmoSer.Runtime.Audio;

/// <summary>On-disk sample encodings the decoders understand (all little-endian).</summary>
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
}
