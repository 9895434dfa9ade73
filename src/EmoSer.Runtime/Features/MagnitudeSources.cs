namespace EmoSer.Runtime.Features;

/// <summary>Where the window statistics read a frame's magnitude spectrum from once the tuning is known.</summary>
internal interface IMagnitudeSource
{
    /// <summary>The magnitude spectrum of frame <paramref name="frame"/>; valid until the next call.</summary>
    ReadOnlySpan<float> Magnitude(int frame);
}

/// <summary>Magnitudes kept in the per-frame store (short inputs, streaming windows).</summary>
internal readonly struct StoredMagnitudes(FeatureFrames frames) : IMagnitudeSource
{
    public ReadOnlySpan<float> Magnitude(int frame) => frames.MagnitudeRow(frame);
}

/// <summary>
/// Magnitudes recomputed from the signal (long inputs): one more FFT per frame instead of keeping 4 KB per
/// frame, so memory stays proportional to a bounded number of frames however long the input.
/// </summary>
internal readonly ref struct RecomputedMagnitudes(ReadOnlySpan<float> signal, FrameAnalyzer analyzer, float[] scratch) : IMagnitudeSource
{
    private readonly ReadOnlySpan<float> _signal = signal;

    public ReadOnlySpan<float> Magnitude(int frame)
    {
        analyzer.ComputeMagnitude(_signal, (long)frame * FrameAnalyzer.HopLength, scratch);
        return scratch;
    }
}
