namespace EmoSer.Runtime.Audio;

/// <summary>What the WAV header says about the sample data that follows it.</summary>
/// <param name="Encoding">Sample encoding.</param>
/// <param name="Channels">Channels per frame (1..<see cref="InputLimits.MaxChannels"/>).</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="DataLength">Bytes in the data chunk, or -1 when the data runs to the end of the input.</param>
internal readonly record struct WavDataFormat(SampleEncoding Encoding, int Channels, int SampleRate, long DataLength)
{
    /// <summary>Bytes per frame.</summary>
    public int BlockAlign => Channels * SampleDecoder.BytesPerSample(Encoding);
}
