namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// Turns the engine's raw records into eGeMAPSv02's outputs: the 25 smoothed low-level descriptors per frame and
/// the 88 functionals. openSMILE smooths each level separately (3-frame moving average; the "nz" variants average
/// only non-zero neighbours and keep zeros), reading past either end of a level repeats its first/last frame, and at
/// the end of the input every smoothed level has one more frame than its source (the last frame repeated). The
/// 20 ms levels therefore give their functionals more frames than the 60 ms ones, and the per-frame output stops
/// where the 60 ms levels end.
/// </summary>
internal sealed class EgemapsAssembler
{
    private const float Period = (float)EgemapsParameters.StepSeconds;
    private float[] _raw = new float[256];
    private float[] _smooth = new float[257];
    private readonly ContourFunctionals _stats = new();

    /// <summary>Per-frame outputs available: the 60 ms levels' smoothed length (one frame behind until the end).</summary>
    public static long LldFrames(EgemapsEngine e)
    {
        long f = e.DecidedFrames;
        if (e.Completed) return f == 0 ? 0 : f + 1;
        return Math.Max(0, f - 1);
    }

    /// <summary>The 25 descriptors of output frame <paramref name="t"/> (t &lt; <see cref="LldFrames"/>).</summary>
    public static void WriteLld(EgemapsEngine e, long t, Span<float> d)
    {
        ReadOnlySpan<float> er = e.ERecords;
        ReadOnlySpan<float> fr = e.FRecords;
        long ne = e.ShortFrames, nf = e.DecidedFrames;
        // At the first end of input the 60 ms set can only be smoothed up to the frames jitter had processed
        // (the frames the pitch smoother had decided): its last one is smoothed with itself as right neighbour,
        // and that output stays even though the real neighbour arrives later.
        long padAt = e.Completed && e.DecidedBeforeEnd < nf ? e.DecidedBeforeEnd - 1 : -1;
        long nfAt = t == padAt ? t + 1 : nf;
        for (int i = 0; i < 10; i++)
            d[i] = Smooth(er, EgemapsEngine.EWidth, i, ne, t, false);
        for (int i = 0; i < 6; i++)
            d[10 + i] = Smooth(fr, EgemapsEngine.FWidth, i, nfAt, t, true);
        for (int f = 0; f < 3; f++)
        {
            d[16 + 3 * f] = Smooth(er, EgemapsEngine.EWidth, EgemapsEngine.EFormants + f, nfAt, t, true);
            d[17 + 3 * f] = Smooth(er, EgemapsEngine.EWidth, EgemapsEngine.EFormants + 3 + f, nfAt, t, true);
            d[18 + 3 * f] = Smooth(fr, EgemapsEngine.FWidth, 6 + f, nfAt, t, true);
        }
    }

    /// <summary>
    /// The 88 functionals (the engine must be completed). openSMILE computes them in the first end-of-input pass,
    /// when each level holds only what its chain has delivered by then: the 20 ms levels all their frames with the
    /// last one smoothed against itself (no extra frame yet); the 60 ms levels the D frames the pitch smoother had
    /// decided before its flush, where F0 and the voiced/unvoiced spectral sets already see frame D as right
    /// neighbour and the jitter/harmonics/formant set (which jitter holds back) pads frame D-1 with itself.
    /// </summary>
    public void WriteFunctionals(EgemapsEngine e, Span<float> d)
    {
        ReadOnlySpan<float> er = e.ERecords;
        ReadOnlySpan<float> fr = e.FRecords;
        int ne = (int)e.ShortFrames, nf = (int)e.DecidedFrames;
        int nD = (int)e.DecidedBeforeEnd;
        int nNext = Math.Min(nD + 1, nf);   // frames the F0 chain holds when the functionals run
        Ensure(Math.Max(ne, nf) + 1);
        int o = 0;

        // F0 semitone (non-zero frames): moments, percentiles, slopes
        ReadOnlySpan<float> f0 = SmoothedColumn(fr, EgemapsEngine.FWidth, 0, nNext, nD, true, _smooth);
        ReadOnlySpan<float> voicedF0 = _stats.Select(f0, nonZero: true);
        ContourFunctionals.Moments(voicedF0, out d[o], out d[o + 1]);
        _stats.Percentiles(voicedF0, d.Slice(o + 2, 4));
        _stats.Peaks(voicedF0, Period, out _, out d[o + 6], out d[o + 7], out d[o + 8], out d[o + 9]);
        o += 10;

        // loudness (all frames)
        ReadOnlySpan<float> loud = SmoothedColumn(er, EgemapsEngine.EWidth, 0, ne, ne, false, _smooth);
        ReadOnlySpan<float> loudAll = _stats.Select(loud, nonZero: false);
        ContourFunctionals.Moments(loudAll, out d[o], out d[o + 1]);
        _stats.Percentiles(loudAll, d.Slice(o + 2, 4));
        _stats.Peaks(loudAll, Period, out float peaksPerSec, out d[o + 6], out d[o + 7], out d[o + 8], out d[o + 9]);
        o += 10;

        // spectral flux, MFCC 1-4 (all frames)
        for (int i = 5; i <= 9; i++)
        {
            ReadOnlySpan<float> s = SmoothedColumn(er, EgemapsEngine.EWidth, i, ne, ne, false, _smooth);
            ContourFunctionals.Moments(s, out d[o], out d[o + 1]);
            o += 2;
        }

        // voiced-only: jitter, shimmer, HNR, H1-H2, H1-A3, formants (frequency and bandwidth gated by voicing,
        // amplitude as the harmonics component leaves it: -201 when unvoiced); this set ends at D frames.
        for (int i = 1; i <= 5; i++)
            o = VoicedMoments(Gated(fr, EgemapsEngine.FWidth, i, nD, fr, gate: false, voiced: true), nD, nD, d, o);
        for (int f = 0; f < 3; f++)
        {
            o = VoicedMoments(Gated(er, EgemapsEngine.EWidth, EgemapsEngine.EFormants + f, nD, fr, gate: true, voiced: true), nD, nD, d, o);
            o = VoicedMoments(Gated(er, EgemapsEngine.EWidth, EgemapsEngine.EFormants + 3 + f, nD, fr, gate: true, voiced: true), nD, nD, d, o);
            o = VoicedMoments(Gated(fr, EgemapsEngine.FWidth, 6 + f, nD, fr, gate: false, voiced: true), nD, nD, d, o);
        }
        // spectral descriptors of voiced frames (their chain follows F0's)
        for (int i = 1; i <= 9; i++)
            o = VoicedMoments(Gated(er, EgemapsEngine.EWidth, i, nNext, fr, gate: true, voiced: true), nNext, nD, d, o);
        // spectral descriptors of unvoiced frames: mean only
        for (int i = 1; i <= 5; i++)
        {
            ReadOnlySpan<float> raw = Gated(er, EgemapsEngine.EWidth, i, nNext, fr, gate: true, voiced: false);
            ReadOnlySpan<float> s = SmoothedColumn(raw, 1, 0, nNext, nD, true, _smooth);
            ReadOnlySpan<float> nz = _stats.Select(s, nonZero: true);
            d[o++] = nz.Length > 0 ? ContourFunctionals.Mean(nz) : 0f;
        }

        // temporal: loudness peaks per second; voiced and unvoiced segments of the F0 contour
        d[o++] = peaksPerSec;
        f0 = SmoothedColumn(fr, EgemapsEngine.FWidth, 0, nNext, nD, true, _smooth);
        _stats.Segments(f0, ofZeros: false, Period, out d[o], out d[o + 1], out d[o + 2]);
        _stats.Segments(f0, ofZeros: true, Period, out _, out d[o + 3], out d[o + 4]);
        o += 5;

        // equivalent sound level: 10 log10 of the mean of the 20 ms frames' mean squares
        double sum = 0.0;
        for (int k = 0; k < ne; k++)
            sum += er[k * EgemapsEngine.EWidth + EgemapsEngine.EEnergy];
        float meanEnergy = ne > 0 ? (float)(sum / ne) : 0f;
        const float dbFactor = (float)(10.0 / 2.302585092994046);
        const float logFloor = 0.000000000001f;
        d[o++] = meanEnergy > logFloor ? dbFactor * MathF.Log(meanEnergy) : dbFactor * MathF.Log(logFloor);
    }

    private int VoicedMoments(ReadOnlySpan<float> raw, int n, int count, Span<float> d, int o)
    {
        ReadOnlySpan<float> s = SmoothedColumn(raw, 1, 0, n, count, true, _smooth);
        ContourFunctionals.Moments(_stats.Select(s, nonZero: true), out d[o], out d[o + 1]);
        return o + 2;
    }

    /// <summary>Column <paramref name="col"/> of the first n records, zeroed where the frame's voicing disagrees (when gated).</summary>
    private ReadOnlySpan<float> Gated(ReadOnlySpan<float> rec, int width, int col, int n, ReadOnlySpan<float> f, bool gate, bool voiced)
    {
        for (int k = 0; k < n; k++)
        {
            float v = rec[k * width + col];
            if (gate && (f[k * EgemapsEngine.FWidth] > 0.000001f) != voiced)
                v = 0f;
            _raw[k] = v;
        }
        return _raw.AsSpan(0, n);
    }

    /// <summary>The first <paramref name="count"/> smoothed values of a level holding <paramref name="n"/> frames.</summary>
    private static ReadOnlySpan<float> SmoothedColumn(ReadOnlySpan<float> rec, int width, int col, int n, int count, bool nz, float[] dst)
    {
        if (n == 0 || count == 0) return [];
        for (int t = 0; t < count; t++)
            dst[t] = Smooth(rec, width, col, n, t, nz);
        return dst.AsSpan(0, count);
    }

    /// <summary>openSMILE's cContourSmoother (window 3) at frame t of a level with n frames (t &lt;= n).</summary>
    internal static float Smooth(ReadOnlySpan<float> rec, int width, int col, long n, long t, bool nz)
    {
        long last = n - 1;
        float x = rec[(int)(Math.Min(t, last) * width + col)];
        float xm = rec[(int)(Math.Min(Math.Max(t - 1, 0), last) * width + col)];
        float xp = rec[(int)(Math.Min(t + 1, last) * width + col)];
        if (!nz)
        {
            float y = x;
            y += xm;
            y += xp;
            return y / 3f;
        }
        if (x == 0f) return 0f;
        float s = x;
        int cnt = 1;
        if (xm != 0f) { s += xm; cnt++; }
        if (xp != 0f) { s += xp; cnt++; }
        return s / cnt;
    }

    private void Ensure(int n)
    {
        if (_raw.Length < n) _raw = new float[Math.Max(n, 2 * _raw.Length)];
        if (_smooth.Length < n + 1) _smooth = new float[Math.Max(n + 1, 2 * _smooth.Length)];
    }
}
