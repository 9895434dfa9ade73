namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// F0 candidates of one 60 ms Gaussian-windowed spectrum by subharmonic summation, as eGeMAPSv02's cSpecScale
/// (peak enhancement, 3-point smoothing, natural cubic spline onto a log2 frequency axis from 25 Hz to Nyquist
/// with as many points as bins, auditory weighting) and cPitchShs (15 harmonics compressed by 0.85, greedy peak
/// picking of up to 6 candidates, parabolic interpolation, voicing 1 - mean/peak, 55-1000 Hz range) compute
/// them, followed by cPitchBase's range filter and move of the best-scored candidate to the front.
/// </summary>
internal sealed class SubharmonicPitch
{
    public const int Candidates = 6;
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

        f0[..Candidates].Clear();
        voicing[..Candidates].Clear();
        score[..Candidates].Clear();
        int nCand = 0;
        double ssMean = ss[0];
        int i;
        for (i = 1; i < n - 1; i++)
        {
            if (ss[i - 1] < ss[i] && ss[i] > ss[i + 1])
            {
                for (int j = 0; j < Candidates; j++)
                {
                    if (score[j] == 0f || score[j] < ss[i])
                    {
                        for (int jj = Candidates - 1; jj > j; jj--)
                        {
                            score[jj] = score[jj - 1];
                            f0[jj] = f0[jj - 1];
                        }
                        f0[j] = i;
                        score[j] = ss[i];
                        if (nCand < Candidates) nCand++;
                        break;
                    }
                }
            }
            ssMean += ss[i];
        }
        ssMean = (ssMean + ss[i]) / n;

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
