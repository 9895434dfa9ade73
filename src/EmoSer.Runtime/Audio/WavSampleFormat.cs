namespace EmoSer.Runtime.Audio;

/// <summary>Sample formats <see cref="WavWriter"/> can write.</summary>
public enum WavSampleFormat
{
    /// <summary>16-bit signed PCM (format tag 1); samples are scaled by 32768, rounded and clamped.</summary>
    Pcm16,

    /// <summary>32-bit IEEE float (format tag 3); samples are stored unchanged.</summary>
    Float32,
}
