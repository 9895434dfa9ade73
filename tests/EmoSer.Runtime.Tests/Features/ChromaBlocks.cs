using EmoSer.Runtime.Features;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// The seed's chroma-family blocks of one signal, computed with the runtime's per-frame blocks on the
/// test-only STFT the way seed_features.py chains librosa: tuning over all frames, chroma-80 with it,
/// contrast in dB over the whole matrix, tonnetz of the chroma.
/// </summary>
internal sealed class ChromaBlocks
{
    public const int NFft = 2048;
    public const int NChroma = 80;

    public required double Tuning { get; init; }
    public required int Frames { get; init; }
    public required float[] Magnitudes { get; init; }  // frames × bins
    public required float[] Chroma { get; init; }      // frames × 80
    public required float[] Contrast { get; init; }    // frames × 7, dB
    public required double[] Tonnetz { get; init; }    // frames × 6
    public required double[] ChromaMean { get; init; }
    public required double[] ContrastMean { get; init; }
    public required double[] TonnetzMean { get; init; }

    /// <param name="tuningOverride">Use this tuning instead of estimating it (librosa's chroma_stft(tuning=...)).</param>
    public static ChromaBlocks Compute(float[] mono, int sampleRate, ReferenceStft? stft = null, double? tuningOverride = null)
    {
        stft ??= new ReferenceStft(NFft);
        float[] mag = stft.Magnitudes(mono, out int frames);
        int bins = stft.BinCount;

        var tuner = new TuningEstimator(sampleRate, NFft, NChroma);
        for (int t = 0; t < frames; t++)
            tuner.FindCandidates(mag.AsSpan(t * bins, bins));
        double tuning = tuningOverride ?? tuner.Estimate();

        var bank = new ChromaFilterBank(sampleRate, NFft, NChroma, tuning);
        var contrastBlock = new SpectralContrast(sampleRate, NFft);
        int nb = contrastBlock.ValuesPerFrame;
        var chroma = new float[frames * NChroma];
        var peaks = new float[frames * nb];
        var valleys = new float[frames * nb];
        var tonnetz = new double[frames * EmoSer.Runtime.Features.Tonnetz.Dimensions];
        for (int t = 0; t < frames; t++)
        {
            ReadOnlySpan<float> frame = mag.AsSpan(t * bins, bins);
            Span<float> c = chroma.AsSpan(t * NChroma, NChroma);
            bank.Apply(frame, c);
            contrastBlock.ComputeFrame(frame, peaks.AsSpan(t * nb, nb), valleys.AsSpan(t * nb, nb));
            EmoSer.Runtime.Features.Tonnetz.FromChroma(c, tonnetz.AsSpan(t * 6, 6));
        }
        var contrast = new float[frames * nb];
        SpectralContrast.ContrastDb(peaks, valleys, frames, nb, contrast);
        var contrastMeanF = new float[nb];
        SpectralContrast.MeanContrastDb(peaks, valleys, frames, contrastMeanF);

        return new ChromaBlocks
        {
            Tuning = tuning,
            Frames = frames,
            Magnitudes = mag,
            Chroma = chroma,
            Contrast = contrast,
            Tonnetz = tonnetz,
            ChromaMean = ColumnMeans(chroma, frames, NChroma),
            ContrastMean = [.. contrastMeanF.Select(v => (double)v)],
            TonnetzMean = ColumnMeans(tonnetz, frames, 6),
        };
    }

    private static double[] ColumnMeans(float[] m, int frames, int cols)
    {
        var r = new double[cols];
        for (int t = 0; t < frames; t++)
            for (int c = 0; c < cols; c++)
                r[c] += m[t * cols + c];
        for (int c = 0; c < cols; c++) r[c] /= frames;
        return r;
    }

    private static double[] ColumnMeans(double[] m, int frames, int cols)
    {
        var r = new double[cols];
        for (int t = 0; t < frames; t++)
            for (int c = 0; c < cols; c++)
                r[c] += m[t * cols + c];
        for (int c = 0; c < cols; c++) r[c] /= frames;
        return r;
    }

    /// <summary>max |ours − ref| / max |ref| (0 when both are all zero).</summary>
    public static double RelativeError(ReadOnlySpan<double> ours, ReadOnlySpan<double> reference)
    {
        Assert.Equal(reference.Length, ours.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(ours[i] - reference[i]));
            maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
        }
        if (maxRef == 0)
            return maxDiff == 0 ? 0 : double.PositiveInfinity;
        return maxDiff / maxRef;
    }
}
