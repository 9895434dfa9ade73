namespace EmoSer.Runtime.Streaming;

/// <summary>How an <see cref="EmotionStream"/> cuts, gates and classifies its input; every property has a default.</summary>
public sealed record EmotionStreamOptions
{
    /// <summary>Length of each classified window in seconds (<see cref="InputLimits.MinStreamWindowSeconds"/> to <see cref="InputLimits.MaxStreamWindowSeconds"/>; default 3).</summary>
    public double WindowSeconds { get; init; } = 3;

    /// <summary>Time between results in seconds (<see cref="InputLimits.MinStreamHopSeconds"/> to <see cref="InputLimits.MaxStreamHopSeconds"/>; default 1).</summary>
    public double HopSeconds { get; init; } = 1;

    /// <summary>
    /// Windows whose RMS level is below this (dB relative to full scale 1.0) are reported as silence, not classified;
    /// <see cref="double.NegativeInfinity"/> disables the gate. Default -50.
    /// </summary>
    public double SilenceDbfs { get; init; } = InputLimits.DefaultStreamSilenceDbfs;

    /// <summary>Sample rate of the pushed audio (<see cref="InputLimits.MinSampleRate"/>..<see cref="InputLimits.MaxSampleRate"/>; default 16000).</summary>
    public int InputSampleRate { get; init; } = 16000;

    /// <summary>Speaker statistics for a model with speaker normalization; null (the default) is <see cref="StreamSpeaker.Adaptive"/>.</summary>
    public StreamSpeaker? Speaker { get; init; }
}
