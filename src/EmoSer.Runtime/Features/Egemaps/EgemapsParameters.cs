namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// The sample-rate dependent constants of eGeMAPSv02 exactly as openSMILE 3.0.2 derives them from the
/// configuration's seconds: frame lengths and step rounded to samples (C <c>round</c>, half away from zero),
/// FFT sizes rounded up to a power of two with the frame centred in the zero padding, and each spectrum's
/// "frame size in seconds" scaled by the padding (which sets its bin spacing).
/// </summary>
internal sealed class EgemapsParameters
{
    /// <summary>Frame step of every level, in seconds (the functionals' time unit).</summary>
    public const double StepSeconds = 0.010;
    public const double LongFrameSeconds = 0.060;
    public const double ShortFrameSeconds = 0.020;

    public EgemapsParameters(int sampleRate)
    {
        SampleRate = sampleRate;
        SamplePeriod = 1.0 / sampleRate;
        Step = RoundHalfAway(StepSeconds / SamplePeriod);
        LongFrame = RoundHalfAway(LongFrameSeconds / SamplePeriod);
        ShortFrame = RoundHalfAway(ShortFrameSeconds / SamplePeriod);
        LongFft = CeilPow2(LongFrame);
        ShortFft = CeilPow2(ShortFrame);
        LongFftSeconds = LongFft == LongFrame ? LongFrameSeconds : LongFrameSeconds * LongFft / LongFrame;
        ShortFftSeconds = ShortFft == ShortFrame ? ShortFrameSeconds : ShortFrameSeconds * ShortFft / ShortFrame;
        LongBins = LongFft / 2 + 1;
        ShortBins = ShortFft / 2 + 1;
    }

    public int SampleRate { get; }
    public double SamplePeriod { get; }
    public int Step { get; }
    public int LongFrame { get; }
    public int ShortFrame { get; }
    public int LongFft { get; }
    public int ShortFft { get; }
    /// <summary>openSMILE's frameSizeSec of the 60 ms spectrum (bin spacing is its inverse).</summary>
    public double LongFftSeconds { get; }
    public double ShortFftSeconds { get; }
    public int LongBins { get; }
    public int ShortBins { get; }

    /// <summary>Complete 60 ms frames in <paramref name="samples"/> samples.</summary>
    public long LongFrameCount(long samples) => samples < LongFrame ? 0 : (samples - LongFrame) / Step + 1;

    /// <summary>Complete 20 ms frames in <paramref name="samples"/> samples.</summary>
    public long ShortFrameCount(long samples) => samples < ShortFrame ? 0 : (samples - ShortFrame) / Step + 1;

    public static int RoundHalfAway(double x) => (int)Math.Round(x, MidpointRounding.AwayFromZero);

    private static int CeilPow2(int n)
    {
        int p = 4;
        while (p < n)
            p <<= 1;
        return p;
    }
}
