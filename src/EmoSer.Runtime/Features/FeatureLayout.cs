namespace EmoSer.Runtime.Features;

/// <summary>Where each block of the 193 seed features sits in the vector (the order of the seed's concatenation).</summary>
internal static class FeatureLayout
{
    /// <summary>Total number of features.</summary>
    public const int Count = 193;

    /// <summary>[0, 50): mean of 50 MFCCs (128-band mel power, power_to_db with global top_db 80, orthonormal DCT-II).</summary>
    public const int MfccStart = 0;

    /// <summary>[50, 130): mean of the 80-bin chromagram of the magnitude STFT (tuning estimated over the whole input).</summary>
    public const int ChromaStart = 50;

    /// <summary>[130, 180): mean of the 50-band mel power spectrogram.</summary>
    public const int Mel50Start = 130;

    /// <summary>[180, 187): mean spectral contrast in dB (fmin 200 Hz, 6 bands + the rest, quantile 0.02).</summary>
    public const int ContrastStart = 180;

    /// <summary>[187, 193): mean tonnetz of the 80-bin chroma.</summary>
    public const int TonnetzStart = 187;

    /// <summary>Block names and ranges, in vector order.</summary>
    public static IReadOnlyList<(string Name, int Start, int End)> Blocks { get; } =
    [
        ("mfcc50", MfccStart, ChromaStart),
        ("chroma80", ChromaStart, Mel50Start),
        ("mel50", Mel50Start, ContrastStart),
        ("contrast7", ContrastStart, TonnetzStart),
        ("tonnetz6", TonnetzStart, Count),
    ];
}
