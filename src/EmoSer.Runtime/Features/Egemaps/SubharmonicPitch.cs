using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// F0 candidates of one 60 ms Gaussian-windowed spectrum by subharmonic summation, as eGeMAPSv02's cSpecScale
/// (peak enhancement, 3-point smoothing, natural cubic spline onto a log2 frequency axis from 25 Hz to Nyquist
/// with as many points as bins, auditory weighting) and cPitchShs (15 harmonics compressed by 0.85, greedy peak
/// picking of up to 6 candidates, parabolic interpolation, voicing 1 - mean/peak, 55-1000 Hz range) compute
/// them, followed by cPitchBase's range filter and move of the best-scored candidate to the front.
/// </summary>
/// <remarks>
/// <see cref="ComputeBatch"/> runs up to <see cref="Lanes"/> frames at once: the spline's two recurrences (a chain of
/// dependent multiplies and adds per frame, which no single frame can run faster than its latency) go through
/// two groups of Vector256 lanes, one frame per lane, each lane doing the scalar reference's operations in its order, so every
/// frame gets the bits of <see cref="Compute"/>.
/// </remarks>
internal sealed class SubharmonicPitch
{
    public const int Candidates = 6;

    /// <summary>Frames <see cref="ComputeBatch"/> analyses at once (one per lane of two Vector256&lt;double&gt;).</summary>
    public const int Lanes = 8;
    private const int Harmonics = 15;
    private const float Compression = 0.85f;
    private const double MinPitch = 55.0, MaxPitch = 1000.0;

    private readonly int _n;
    private readonly double[] _fT;       // log2 frequency of each input bin
    private readonly double[] _y;
    private readonly double[] _y2;
    private readonly double[] _u;
    // spline caches (depend on the axis only)
    private readonly double[] _sigma, _diff1, _diff2, _p;
    private readonly int[] _k;
    private readonly double[] _ca, _cc, _cd;
    private readonly double[] _audw;
    private readonly float[] _scaled;
    private readonly float[] _ss;
    private readonly int[] _shift = new int[Harmonics + 1];
    private readonly float _fmint, _fstept;
    private readonly long[] _posmax;

    // Lane buffers of ComputeBatch: bin-major, frame-minor ([bin * Lanes + lane]).
    private readonly double[] _oneMinusA;   // 1 - _ca[i], as the reference computes it per point
    private readonly double[] _laneSmooth, _laneU, _laneY2;
    private readonly float[][] _laneEnhanced, _laneScaled, _laneSs;
    private readonly ulong[] _peakBits, _keepBits;

    public SubharmonicPitch(EgemapsParameters par)
    {
        int n = par.LongBins;
        _n = n;
        double fsSec = (float)par.LongFftSeconds;
        double deltaF = 1.0 / fsSec;
        double maxF = deltaF * (n - 1);
        const double minF = 25.0;
        double log2 = Math.Log(2.0);
        double fminT = Math.Log(minF) / log2, fmaxT = Math.Log(maxF) / log2;
        double deltaT = (fmaxT - fminT) / (n - 1);
        _fT = new double[n];
        for (int i = 1; i < n; i++)
            _fT[i] = Math.Log(i * deltaF) / log2;
        _fT[0] = 2.0 * _fT[1] - _fT[2];

        _sigma = new double[n];
        _diff1 = new double[n];
        _diff2 = new double[n];
        _p = new double[n];
        for (int i = 1; i < n - 1; i++)
        {
            _sigma[i] = (_fT[i] - _fT[i - 1]) / (_fT[i + 1] - _fT[i - 1]);
            // reciprocals of openSMILE's cached differences (a multiply instead of its divide)
            _diff1[i] = 1.0 / ((_fT[i + 1] - _fT[i]) * (_fT[i + 1] - _fT[i - 1]));
            _diff2[i] = 1.0 / ((_fT[i] - _fT[i - 1]) * (_fT[i + 1] - _fT[i - 1]));
        }
        // y2 of the tridiagonal sweep depends only on the axis: precompute p and the y2 factors.
        _y2 = new double[n];
        _u = new double[n];
        _y = new double[n];
        double prev = 0.0;
        var y2Factor = new double[n];
        for (int i = 1; i < n - 1; i++)
        {
            _p[i] = 1.0 / (_sigma[i] * prev + 2.0);
            prev = (_sigma[i] - 1.0) * _p[i];
            y2Factor[i] = prev;
        }
        _y2Factor = y2Factor;

        _k = new int[n];
        _ca = new double[n];
        _cc = new double[n];
        _cd = new double[n];
        int kupper = 1;
        for (int i = 0; i < n; i++)
        {
            double x = fminT + i * deltaT;
            while (kupper < n && _fT[kupper] < x) kupper++;
            if (kupper == n) kupper = n - 1;
            int klower = kupper - 1;
            _k[i] = klower;
            double range = _fT[kupper] - _fT[klower];
            double a = (_fT[kupper] - x) / range;
            double b = 1.0 - a;
            double range2 = range * range / 6.0;
            _ca[i] = a;
            _cc[i] = (a * a * a - a) * range2;
            _cd[i] = (b * b * b - b) * range2;
        }

        double nOctaves = Math.Log(maxF / minF) / log2;
        double nPointsPerOctave = n / nOctaves;
        double atanS = nPointsPerOctave * (Math.Log(65.0 / 50.0) / log2) - 1.0;
        _audw = new double[n];
        for (int i = 0; i < n; i++)
            _audw[i] = 0.5 + Math.Atan(3.0 * (i + 1 - atanS) / nPointsPerOctave) / Math.PI;

        // cPitchShs reads these through the level's float meta data.
        float ppoF = (float)nPointsPerOctave;
        _fmint = (float)fminT;
        _fstept = ((float)fmaxT - (float)fminT) / (n - 1);
        for (int h = 2; h <= Harmonics; h++)
            _shift[h] = (int)Math.Floor(ppoF * (Math.Log(h) / log2));
        _scaled = new float[n];
        _ss = new float[n];
        _posmax = new long[(n + 1) / 2 + 1];

        _oneMinusA = new double[n];
        for (int i = 0; i < n; i++)
            _oneMinusA[i] = 1.0 - _ca[i];
        _laneSmooth = new double[n * Lanes];
        _laneU = new double[n * Lanes];
        _laneY2 = new double[n * Lanes];
        _laneEnhanced = new float[Lanes][];
        _laneScaled = new float[Lanes][];
        _laneSs = new float[Lanes][];
        for (int l = 0; l < Lanes; l++)
        {
            _laneEnhanced[l] = new float[n + 8];
            _laneScaled[l] = new float[n];
            _laneSs[l] = new float[n];
        }
        int words = (n + 2 + 63) / 64;
        _peakBits = new ulong[words];
        _keepBits = new ulong[words];
    }

    private readonly double[] _y2Factor;

    /// <summary>
    /// Candidates of one magnitude spectrum: <paramref name="f0"/>, <paramref name="voicing"/> and
    /// <paramref name="score"/> receive <see cref="Candidates"/> values each (unused slots 0).
    /// </summary>
    public void Compute(ReadOnlySpan<float> magnitude, Span<float> f0, Span<float> voicing, Span<float> score)
    {
        int n = _n;
        double[] y = _y;
        for (int i = 0; i < n; i++)
            y[i] = magnitude[i];
        EnhancePeaks(y, n);
        // 3-point smoothing (the last bin is left as it is)
        double aim1 = 0.0;
        for (int i = 0; i < n - 1; i++)
        {
            double ai = y[i];
            y[i] = (aim1 + 2.0 * ai + y[i + 1]) / 4.0;
            aim1 = ai;
        }
        // natural cubic spline: forward sweep (u) then back substitution (y2)
        double[] u = _u, y2 = _y2;
        u[0] = 0.0;
        y2[0] = 0.0;
        for (int i = 1; i < n - 1; i++)
        {
            double ut = (y[i + 1] - y[i]) * _diff1[i] - (y[i] - y[i - 1]) * _diff2[i];
            u[i] = _p[i] * (6.0 * ut - _sigma[i] * u[i - 1]);
            y2[i] = _y2Factor[i];
        }
        y2[n - 1] = 0.0;
        for (int j = n - 2; j >= 0; j--)
            y2[j] = y2[j] * y2[j + 1] + u[j];
        float[] sc = _scaled;
        for (int i = 0; i < n; i++)
        {
            int k = _k[i];
            double a = _ca[i];
            double v = a * y[k] + (1.0 - a) * y[k + 1] + _cc[i] * y2[k] + _cd[i] * y2[k + 1];
            float o = (float)v;
            sc[i] = o > 0f ? (float)(o * _audw[i]) : 0f;
        }

        Shs(sc, f0, voicing, score);
    }

    /// <summary>
    /// Candidates of <c>offsets.Length</c> (1 to <see cref="Lanes"/>) magnitude spectra at <paramref name="offsets"/> in
    /// <paramref name="spectra"/>, bit for bit as <see cref="Compute"/> gives them one by one. Frame j's candidates go to
    /// <c>[j * Candidates, (j + 1) * Candidates)</c> of <paramref name="f0"/>, <paramref name="voicing"/> and
    /// <paramref name="score"/>.
    /// </summary>
    public void ComputeBatch(ReadOnlySpan<float> spectra, ReadOnlySpan<int> offsets, Span<float> f0, Span<float> voicing, Span<float> score)
    {
        int count = offsets.Length;
        if (count < 1 || count > Lanes)
            throw new ArgumentOutOfRangeException(nameof(offsets), count, $"1 to {Lanes} frames per batch.");
        int n = _n;
        if (!Vector256.IsHardwareAccelerated)
        {
            for (int j = 0; j < count; j++)
                Compute(spectra.Slice(offsets[j], n), f0.Slice(j * Candidates, Candidates),
                    voicing.Slice(j * Candidates, Candidates), score.Slice(j * Candidates, Candidates));
            return;
        }
        for (int j = 0; j < count; j++)
            Enhance(spectra.Slice(offsets[j], n), _laneEnhanced[j]);
        ScaleLanes(count);
        for (int j = 0; j < count; j++)
            ShsSum(_laneScaled[j], _laneSs[j]);
        // the mean of each frame's subharmonic sums: a serial double sum, one frame per lane
        Span<double> means = stackalloc double[Lanes];
        for (int g = 0; g < count; g += 4)
        {
            float[] ss0 = _laneSs[g], ss1 = _laneSs[g + 1 < count ? g + 1 : g];
            float[] ss2 = _laneSs[g + 2 < count ? g + 2 : g], ss3 = _laneSs[g + 3 < count ? g + 3 : g];
            Vector256<double> sum = Widen(ss0[0], ss1[0], ss2[0], ss3[0]);
            for (int i = 1; i < n; i++)
                sum += Widen(ss0[i], ss1[i], ss2[i], ss3[i]);
            (sum / Vector256.Create((double)n)).CopyTo(means[g..]);
        }
        for (int j = 0; j < count; j++)
        {
            Span<float> cf = f0.Slice(j * Candidates, Candidates), cv = voicing.Slice(j * Candidates, Candidates);
            Span<float> cs = score.Slice(j * Candidates, Candidates);
            int found = PickPeaksVector(_laneSs[j], cf, cs);
            FinishCandidates(_laneSs[j], means[j], found, cf, cv, cs);
        }
    }

    /// <summary>
    /// smileDsp_specEnhanceSHS of one spectrum into <paramref name="enhanced"/> (kept bins, the others 0), by way of a
    /// bit mask of the bins it keeps. The reference zeroes, between each two consecutive local maxima p &lt; q, the
    /// bins p + 3 .. q - 3: so a bin is kept when it lies within 2 of a maximum or outside the first and last
    /// maximum; with a single maximum it zeroes every bin from 3 on (it reads the unset second position, 0); with
    /// none it keeps all.
    /// </summary>
    private void Enhance(ReadOnlySpan<float> a, float[] enhanced)
    {
        int n = _n;
        ulong[] peaks = _peakBits, keep = _keepBits;
        Array.Clear(peaks);
        ref float a0 = ref MemoryMarshal.GetReference(a);
        // Local maxima: a[i] > a[i-1] and a[i] >= a[i+1]; the end bins against their one neighbour. Comparing the
        // floats is comparing the reference's doubles (the conversion is exact and monotonic).
        if (a[0] > a[1]) peaks[0] |= 1;
        int i = 1;
        for (; i + 8 <= n - 1; i += 8)
        {
            Vector256<float> c = Vector256.LoadUnsafe(ref a0, (nuint)i);
            Vector256<float> left = Vector256.LoadUnsafe(ref a0, (nuint)(i - 1));
            Vector256<float> right = Vector256.LoadUnsafe(ref a0, (nuint)(i + 1));
            ulong bits = (Vector256.GreaterThan(c, left) & Vector256.GreaterThanOrEqual(c, right)).ExtractMostSignificantBits();
            if (bits != 0)
                SetBits(peaks, i, bits);
        }
        for (; i < n - 1; i++)
            if (a[i] > a[i - 1] && a[i] >= a[i + 1]) peaks[i >> 6] |= 1UL << (i & 63);
        if (a[n - 1] > a[n - 2]) peaks[(n - 1) >> 6] |= 1UL << ((n - 1) & 63);

        int words = (n + 63) >> 6, count = 0, first = -1, last = -1;
        for (int w = 0; w < words; w++)
        {
            ulong p = peaks[w];
            if (p == 0) continue;
            count += BitOperations.PopCount(p);
            if (first < 0) first = 64 * w + BitOperations.TrailingZeroCount(p);
            last = 64 * w + 63 - BitOperations.LeadingZeroCount(p);
        }
        if (count == 0)
        {
            Array.Fill(keep, ~0UL);
        }
        else if (count == 1)
        {
            Array.Clear(keep);
            keep[0] = 0b111;
        }
        else
        {
            for (int w = 0; w < words; w++)
            {
                ulong p = peaks[w];
                ulong below = w > 0 ? peaks[w - 1] : 0, above = w + 1 < peaks.Length ? peaks[w + 1] : 0;
                ulong near = p | (p << 1) | (below >> 63) | (p << 2) | (below >> 62) | (p >> 1) | (above << 63) | (p >> 2) | (above << 62);
                // bins before the first and after the last maximum
                int lo = 64 * w;
                ulong outside = 0;
                if (first > lo) outside |= first - lo >= 64 ? ~0UL : (1UL << (first - lo)) - 1;
                if (last < lo + 63) outside |= last < lo ? ~0UL : ~0UL << (last - lo + 1);
                keep[w] = near | outside;
            }
        }

        // apply the mask eight bins at a time: bit t of the byte selects lane t
        ref float e = ref MemoryMarshal.GetArrayDataReference(enhanced);
        var laneBit = Vector256.Create(1, 2, 4, 8, 16, 32, 64, 128);
        int k = 0;
        for (; k + 8 <= n; k += 8)
        {
            int bits = (int)(keep[k >> 6] >> (k & 63)) & 0xFF;
            Vector256<int> selected = Vector256.Equals(Vector256.Create(bits) & laneBit, laneBit);
            (Vector256.LoadUnsafe(ref a0, (nuint)k) & selected.AsSingle()).StoreUnsafe(ref e, (nuint)k);
        }
        for (; k < n; k++)
            Unsafe.Add(ref e, k) = (keep[k >> 6] & (1UL << (k & 63))) != 0 ? Unsafe.Add(ref a0, k) : 0f;
    }

    private static void SetBits(ulong[] words, int at, ulong bits)
    {
        int w = at >> 6, s = at & 63;
        words[w] |= bits << s;
        if (s > 56)
            words[w + 1] |= bits >> (64 - s);
    }

    /// <summary>
    /// cSpecScale of the enhanced spectra of frames 0 .. count - 1 (the others repeat frame 0), one frame per lane
    /// of two Vector256 groups whose chains interleave: 3-point smoothing, the natural cubic spline onto the log
    /// axis and the auditory weighting, into <see cref="_laneScaled"/>; each lane does the operations of the scalar
    /// reference in <see cref="Compute"/> in its order (x / 4 as x * 0.25, which is the same rounding).
    /// </summary>
    private void ScaleLanes(int count)
    {
        int n = _n;
        ref double sm = ref MemoryMarshal.GetArrayDataReference(_laneSmooth);
        ref double u = ref MemoryMarshal.GetArrayDataReference(_laneU);
        ref double y2 = ref MemoryMarshal.GetArrayDataReference(_laneY2);
        ref float e0 = ref Enhanced(0, count), e1 = ref Enhanced(1, count), e2 = ref Enhanced(2, count), e3 = ref Enhanced(3, count);
        ref float e4 = ref Enhanced(4, count), e5 = ref Enhanced(5, count), e6 = ref Enhanced(6, count), e7 = ref Enhanced(7, count);

        // (y[i-1] + 2 y[i] + y[i+1]) / 4 on the unsmoothed values, y[-1] = 0; the last bin kept.
        var quarter = Vector256.Create(0.25);
        Vector256<double> prevA = Vector256<double>.Zero, prevB = Vector256<double>.Zero;
        Vector256<double> curA = Widen(e0, e1, e2, e3), curB = Widen(e4, e5, e6, e7);
        for (int i = 0; i < n - 1; i++)
        {
            int j = i + 1;
            Vector256<double> nextA = Widen(Unsafe.Add(ref e0, j), Unsafe.Add(ref e1, j), Unsafe.Add(ref e2, j), Unsafe.Add(ref e3, j));
            Vector256<double> nextB = Widen(Unsafe.Add(ref e4, j), Unsafe.Add(ref e5, j), Unsafe.Add(ref e6, j), Unsafe.Add(ref e7, j));
            (((prevA + (curA + curA)) + nextA) * quarter).StoreUnsafe(ref sm, (nuint)(i * Lanes));
            (((prevB + (curB + curB)) + nextB) * quarter).StoreUnsafe(ref sm, (nuint)(i * Lanes + 4));
            prevA = curA;
            curA = nextA;
            prevB = curB;
            curB = nextB;
        }
        curA.StoreUnsafe(ref sm, (nuint)((n - 1) * Lanes));
        curB.StoreUnsafe(ref sm, (nuint)((n - 1) * Lanes + 4));

        // Forward sweep: u[i] = p[i] (6 ut - sigma[i] u[i-1]), the one serial chain; ut does not depend on it.
        ref double diff1 = ref MemoryMarshal.GetArrayDataReference(_diff1);
        ref double diff2 = ref MemoryMarshal.GetArrayDataReference(_diff2);
        ref double sigma = ref MemoryMarshal.GetArrayDataReference(_sigma);
        ref double pp = ref MemoryMarshal.GetArrayDataReference(_p);
        var six = Vector256.Create(6.0);
        Vector256<double> uA = Vector256<double>.Zero, uB = Vector256<double>.Zero;
        uA.StoreUnsafe(ref u);
        uB.StoreUnsafe(ref u, 4);
        Vector256<double> sPrevA = Vector256.LoadUnsafe(ref sm), sCurA = Vector256.LoadUnsafe(ref sm, Lanes);
        Vector256<double> sPrevB = Vector256.LoadUnsafe(ref sm, 4), sCurB = Vector256.LoadUnsafe(ref sm, Lanes + 4);
        for (int i = 1; i < n - 1; i++)
        {
            nuint o = (nuint)(i * Lanes);
            Vector256<double> d1 = Vector256.Create(Unsafe.Add(ref diff1, i)), d2 = Vector256.Create(Unsafe.Add(ref diff2, i));
            Vector256<double> pi = Vector256.Create(Unsafe.Add(ref pp, i)), si = Vector256.Create(Unsafe.Add(ref sigma, i));
            Vector256<double> sNextA = Vector256.LoadUnsafe(ref sm, o + Lanes), sNextB = Vector256.LoadUnsafe(ref sm, o + Lanes + 4);
            Vector256<double> utA = (sNextA - sCurA) * d1 - (sCurA - sPrevA) * d2;
            Vector256<double> utB = (sNextB - sCurB) * d1 - (sCurB - sPrevB) * d2;
            uA = pi * (six * utA - si * uA);
            uB = pi * (six * utB - si * uB);
            uA.StoreUnsafe(ref u, o);
            uB.StoreUnsafe(ref u, o + 4);
            sPrevA = sCurA;
            sCurA = sNextA;
            sPrevB = sCurB;
            sCurB = sNextB;
        }

        // Back substitution: y2[j] = factor[j] y2[j+1] + u[j], y2[n-1] = 0 (factor[0] and u[0] are 0).
        ref double factor = ref MemoryMarshal.GetArrayDataReference(_y2Factor);
        Vector256<double> y2A = Vector256<double>.Zero, y2B = Vector256<double>.Zero;
        y2A.StoreUnsafe(ref y2, (nuint)((n - 1) * Lanes));
        y2B.StoreUnsafe(ref y2, (nuint)((n - 1) * Lanes + 4));
        for (int j = n - 2; j >= 0; j--)
        {
            nuint o = (nuint)(j * Lanes);
            Vector256<double> f = Vector256.Create(Unsafe.Add(ref factor, j));
            y2A = f * y2A + Vector256.LoadUnsafe(ref u, o);
            y2B = f * y2B + Vector256.LoadUnsafe(ref u, o + 4);
            y2A.StoreUnsafe(ref y2, o);
            y2B.StoreUnsafe(ref y2, o + 4);
        }

        // Spline values on the log axis, rounded to float, times the auditory weight (in double), rounded again.
        ref int kk = ref MemoryMarshal.GetArrayDataReference(_k);
        ref double ca = ref MemoryMarshal.GetArrayDataReference(_ca);
        ref double cb = ref MemoryMarshal.GetArrayDataReference(_oneMinusA);
        ref double cc = ref MemoryMarshal.GetArrayDataReference(_cc);
        ref double cd = ref MemoryMarshal.GetArrayDataReference(_cd);
        ref double aw = ref MemoryMarshal.GetArrayDataReference(_audw);
        for (int i = 0; i < n; i++)
        {
            nuint k = (nuint)(Unsafe.Add(ref kk, i) * Lanes);
            Vector256<double> a = Vector256.Create(Unsafe.Add(ref ca, i)), b = Vector256.Create(Unsafe.Add(ref cb, i));
            Vector256<double> c = Vector256.Create(Unsafe.Add(ref cc, i)), d = Vector256.Create(Unsafe.Add(ref cd, i));
            Vector256<double> weight = Vector256.Create(Unsafe.Add(ref aw, i));
            Vector256<double> vA = a * Vector256.LoadUnsafe(ref sm, k) + b * Vector256.LoadUnsafe(ref sm, k + Lanes)
                + c * Vector256.LoadUnsafe(ref y2, k) + d * Vector256.LoadUnsafe(ref y2, k + Lanes);
            Vector256<double> vB = a * Vector256.LoadUnsafe(ref sm, k + 4) + b * Vector256.LoadUnsafe(ref sm, k + Lanes + 4)
                + c * Vector256.LoadUnsafe(ref y2, k + 4) + d * Vector256.LoadUnsafe(ref y2, k + Lanes + 4);
            Vector128<float> wA = AuditoryWeighted(vA, weight), wB = AuditoryWeighted(vB, weight);
            _laneScaled[0][i] = wA.GetElement(0);
            _laneScaled[1][i] = wA.GetElement(1);
            _laneScaled[2][i] = wA.GetElement(2);
            _laneScaled[3][i] = wA.GetElement(3);
            _laneScaled[4][i] = wB.GetElement(0);
            _laneScaled[5][i] = wB.GetElement(1);
            _laneScaled[6][i] = wB.GetElement(2);
            _laneScaled[7][i] = wB.GetElement(3);
        }
    }

    private ref float Enhanced(int lane, int count) => ref MemoryMarshal.GetArrayDataReference(_laneEnhanced[lane < count ? lane : 0]);

    /// <summary>Four floats as doubles (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(float a, float b, float c, float d) =>
        Vector256.WidenLower(Vector128.Create(a, b, c, d).ToVector256Unsafe());

    /// <summary>o = (float)v; o &gt; 0 ? (float)(o * weight) : 0, per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> AuditoryWeighted(Vector256<double> v, Vector256<double> weight)
    {
        Vector256<double> o = RoundToFloat(v);
        Vector256<double> w = Vector256.ConditionalSelect(Vector256.GreaterThan(o, Vector256<double>.Zero), o * weight, Vector256<double>.Zero);
        return Vector256.Narrow(w, w).GetLower();
    }

    /// <summary>Each lane rounded to float and back (exact in double), as a (float) cast does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> RoundToFloat(Vector256<double> v) =>
        Vector256.WidenLower(Vector256.Narrow(v, v));

    private void EnhancePeaks(double[] a, int n)
    {
        // smileDsp_specEnhanceSHS, including its use of the second maximum position when only one is found.
        long nmax = 0;
        long[] posmax = _posmax;
        Array.Clear(posmax);
        if (a[0] > a[1]) posmax[nmax++] = 0;
        for (int i = 1; i < n - 1; i++)
            if (a[i] > a[i - 1] && a[i] >= a[i + 1]) posmax[nmax++] = i;
        if (a[n - 1] > a[n - 2]) posmax[nmax++] = n - 1;
        if (nmax == 1)
        {
            for (long j = 0; j <= posmax[1] - 3; j++) a[j] = 0;
            for (long j = posmax[1] + 3; j < n; j++) a[j] = 0;
        }
        else
        {
            for (long i = 1; i < nmax; i++)
                for (long j = posmax[i - 1] + 3; j <= posmax[i] - 3; j++)
                    a[j] = 0;
        }
    }

    private void Shs(float[] input, Span<float> f0, Span<float> voicing, Span<float> score)
    {
        int n = _n;
        float[] ss = _ss;
        ShsSum(input, ss);
        f0[..Candidates].Clear();
        voicing[..Candidates].Clear();
        score[..Candidates].Clear();
        int nCand = 0;
        double ssMean = ss[0];
        int i;
        for (i = 1; i < n - 1; i++)
        {
            if (ss[i - 1] < ss[i] && ss[i] > ss[i + 1])
                Insert(i, ss[i], f0, score, ref nCand);
            ssMean += ss[i];
        }
        ssMean = (ssMean + ss[i]) / n;
        FinishCandidates(ss, ssMean, nCand, f0, voicing, score);
    }

    /// <summary>
    /// The local maxima of <paramref name="ss"/> (bins 1 .. n-2, strictly above both neighbours) inserted in bin order
    /// into the greedy top list, as the reference's scan does, found eight bins at a time; returns their number.
    /// </summary>
    private int PickPeaksVector(float[] ss, Span<float> f0, Span<float> score)
    {
        int n = _n;
        f0[..Candidates].Clear();
        score[..Candidates].Clear();
        int nCand = 0;
        ref float s0 = ref MemoryMarshal.GetArrayDataReference(ss);
        int i0 = 1;
        for (; i0 + 8 <= n - 1; i0 += 8)
        {
            Vector256<float> c = Vector256.LoadUnsafe(ref s0, (nuint)i0);
            // Once the list is full a peak enters only above its last score (peaks are > 0, so 0 bars nothing
            // before): testing against the score at the start of the block skips no peak the scan would insert,
            // since that score only rises.
            Vector256<float> bar = Vector256.Create(nCand == Candidates ? score[Candidates - 1] : 0f);
            uint bits = (Vector256.LessThan(Vector256.LoadUnsafe(ref s0, (nuint)(i0 - 1)), c)
                & Vector256.GreaterThan(c, Vector256.LoadUnsafe(ref s0, (nuint)(i0 + 1)))
                & Vector256.GreaterThan(c, bar)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int i = i0 + BitOperations.TrailingZeroCount(bits);
                Insert(i, ss[i], f0, score, ref nCand);
                bits &= bits - 1;
            }
        }
        for (int i = i0; i < n - 1; i++)
            if (ss[i - 1] < ss[i] && ss[i] > ss[i + 1])
                Insert(i, ss[i], f0, score, ref nCand);
        return nCand;
    }

    /// <summary>cPitchShs's greedy insertion of a peak into the score-ordered candidate list.</summary>
    private static void Insert(int bin, float value, Span<float> f0, Span<float> score, ref int nCand)
    {
        for (int j = 0; j < Candidates; j++)
        {
            if (score[j] == 0f || score[j] < value)
            {
                for (int jj = Candidates - 1; jj > j; jj--)
                {
                    score[jj] = score[jj - 1];
                    f0[jj] = f0[jj - 1];
                }
                f0[j] = bin;
                score[j] = value;
                if (nCand < Candidates) nCand++;
                return;
            }
        }
    }

    /// <summary>The subharmonic sum of a scaled spectrum, divided by the harmonic count, negatives to 0.</summary>
    private void ShsSum(float[] input, float[] ss)
    {
        int n = _n;
        Array.Copy(input, ss, n);
        float scale = Compression;
        for (int h = 2; h <= Harmonics; h++)
        {
            int shift = _shift[h];
            // multiply then add, each rounded to float as openSMILE's loop
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(input.AsSpan(shift, n - shift), scale,
                ss.AsSpan(0, n - shift), ss.AsSpan(0, n - shift));
            scale *= Compression;
        }
        // ss[j] / 15 (a true division, as openSMILE's), negatives to 0 (a -0 may become +0: no comparison sees it)
        System.Numerics.Tensors.TensorPrimitives.Divide(ss.AsSpan(0, n), (float)Harmonics, ss.AsSpan(0, n));
        System.Numerics.Tensors.TensorPrimitives.Max(ss.AsSpan(0, n), 0f, ss.AsSpan(0, n));
    }

    /// <summary>
    /// cPitchShs after the peak picking: parabolic interpolation and voicing of the <paramref name="nCand"/> peaks,
    /// then cPitchBase's range filter and the best score moved to the front.
    /// </summary>
    private void FinishCandidates(float[] ss, double ssMean, int nCand, Span<float> f0, Span<float> voicing, Span<float> score)
    {
        voicing[..Candidates].Clear();
        for (int c = 0; c < nCand; c++)
        {
            int j = (int)f0[c];
            float f1 = f0[c] * _fstept + _fmint;
            float f2 = (f0[c] + 1f) * _fstept + _fmint;
            float fm = (f0[c] - 1f) * _fstept + _fmint;
            double fx = QuadPeak(fm, ss[j - 1], f1, ss[j], f2, ss[j + 1], out double sc);
            f0[c] = (float)Math.Exp(fx * Math.Log(2.0));
            score[c] = (float)sc;
            voicing[c] = sc > 0.0 && sc > ssMean ? (float)(1.0 - ssMean / sc) : 0f;
        }

        // cPitchBase: drop out-of-range candidates (shifting the rest up), then move the best score to the front.
        for (int c = 0; c < Candidates && nCand > 0; c++)
        {
            if (f0[c] > MaxPitch || f0[c] < MinPitch)
            {
                float orig = f0[c];
                int j;
                for (j = c + 1; j < Candidates; j++)
                {
                    f0[j - 1] = f0[j];
                    voicing[j - 1] = voicing[j];
                    score[j - 1] = score[j];
                }
                f0[j - 1] = 0f;
                voicing[j - 1] = 0f;
                score[j - 1] = 0f;
                if (orig > 0f) { nCand--; c--; }
            }
        }
        int maxI = 0;
        float max = score[0];
        for (int c = 1; c < Candidates; c++)
        {
            if (score[c] > max) { max = score[c]; maxI = c; }
        }
        if (maxI > 0)
        {
            (f0[0], f0[maxI]) = (f0[maxI], f0[0]);
            (voicing[0], voicing[maxI]) = (voicing[maxI], voicing[0]);
            (score[0], score[maxI]) = (score[maxI], score[0]);
        }
    }

    /// <summary>smileMath_quadFrom3pts: vertex of the parabola through three points (peak picking as fallback).</summary>
    internal static double QuadPeak(double x1, double y1, double x2, double y2, double x3, double y3, out double y)
    {
        double den = x1 * x1 * x2 + x2 * x2 * x3 + x3 * x3 * x1 - x3 * x3 * x2 - x2 * x2 * x1 - x1 * x1 * x3;
        if (den != 0.0)
        {
            double a = (y1 * x2 + y2 * x3 + y3 * x1 - y3 * x2 - y2 * x1 - y1 * x3) / den;
            double b = (x1 * x1 * y2 + x2 * x2 * y3 + x3 * x3 * y1 - x3 * x3 * y2 - x2 * x2 * y1 - x1 * x1 * y3) / den;
            double c = (x1 * x1 * x2 * y3 + x2 * x2 * x3 * y1 + x3 * x3 * x1 * y2 - x3 * x3 * x2 * y1 - x2 * x2 * x1 * y3 - x1 * x1 * x3 * y2) / den;
            if (a != 0.0)
            {
                double x = -b / (2.0 * a);
                y = c - a * x * x;
                return x;
            }
        }
        if (y1 > y2 && y1 > y3) { y = y1; return x1; }
        if (y2 > y1 && y2 > y3) { y = y2; return x2; }
        if (y3 > y1 && y3 > y2) { y = y3; return x3; }
        y = y1;
        return x1;
    }
}
