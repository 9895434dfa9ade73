using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// The harmonic descriptors of eGeMAPSv02 from the 60 ms Gaussian spectrum, as openSMILE's cHarmonics computes
/// them: harmonic peaks searched near multiples of F0 (up to 100), their levels in dB relative to the F0 peak,
/// the differences H1-H2 and H1-A3 (openSMILE's harmonic index 0 is F0, so "H1" and "H2" are the peaks at 2 F0
/// and 3 F0), the formant amplitudes (strongest harmonic within 0.8-1.2 x each formant frequency), and HNR from
/// the autocorrelation (inverse FFT of the power spectrum) at the peak nearest the F0 period.
/// </summary>
internal sealed class HarmonicAnalyzer
{
    private const int NHarmonics = 100;
    private const float FloorUnvoiced = -201f;

    private readonly double[] _frq;
    private readonly double _df;
    private readonly int _n;
    private readonly RealFft _ifft;
    private readonly float[] _powRe, _powIm, _acfTime, _acf;
    private readonly int[] _bin = new int[NHarmonics];
    private readonly float[] _freqInterp = new float[NHarmonics];
    private readonly float[] _mag = new float[NHarmonics];
    private readonly float[] _magInterp = new float[NHarmonics];
    private readonly bool[] _duplicate = new bool[NHarmonics];
    private bool _logRelEnabled;
    private float _logMagF0;

    public HarmonicAnalyzer(EgemapsParameters p)
    {
        _n = p.LongBins;
        _frq = new double[_n];
        double f0 = 1.0 / p.LongFftSeconds;
        _df = f0;
        for (int i = 0; i < _n; i++)
            _frq[i] = f0 * i;
        _ifft = new RealFft(p.LongFft);
        _powRe = new float[_n];
        _powIm = new float[_n];
        _acfTime = new float[p.LongFft];
        _acf = new float[_n];
    }

    /// <summary>
    /// Descriptors of one frame: [0] HNR (dB, ACF), [1] H1-H2, [2] H1-A3, [3..5] F1-F3 amplitude relative to F0.
    /// <paramref name="formants"/> holds the frame's formant frequencies (at least 3).
    /// </summary>
    public void Compute(ReadOnlySpan<float> magnitude, float f0, ReadOnlySpan<float> formants, Span<float> d)
    {
        d[0] = AcfHnr(magnitude, f0);
        if (!(f0 > 0f))
        {
            d[1] = 0f;
            d[2] = 0f;
            d[3] = d[4] = d[5] = FloorUnvoiced;
            return;
        }
        // Only harmonics 0-2 and those that can fall within 1.2 x the highest formant are read below; each harmonic's
        // values depend on the ones before it only, so the rest need not be found (see HarmonicsNeeded).
        float reach = Math.Max(Math.Max(1.2f * formants[0], 1.2f * formants[1]), 1.2f * formants[2]);
        int found = FindHarmonicPeaks(f0, magnitude, reach);
        PostProcess(found);

        Span<int> fa = stackalloc int[3];
        for (int f = 0; f < 3; f++)
        {
            float left = 0.8f * formants[f], right = 1.2f * formants[f];
            int maxIdx = -1;
            float maxMag = 0f;
            for (int h = 0; h < found; h++)
            {
                if (_freqInterp[h] >= left && _freqInterp[h] <= right && _mag[h] > maxMag)
                {
                    maxIdx = h;
                    maxMag = _mag[h];
                }
            }
            fa[f] = maxIdx;
        }
        d[1] = Difference(1, 2);
        d[2] = Difference(1, fa[2]);
        for (int f = 0; f < 3; f++)
            d[3 + f] = fa[f] >= 0 ? LogRel(fa[f]) : 0f;
    }

    /// <summary>
    /// Whether harmonic i (i &gt;= 3) or a later one can have an interpolated frequency at or below
    /// <paramref name="reach"/>. Its peak is a strict local maximum at or above the bin of (i + 0.5) F0 less one
    /// (cHarmonics searches from there up, or from the bin of (i + 1) F0 at or above the previous harmonic's), and
    /// the parabola's vertex through a strict maximum lies within its neighbours, so its frequency exceeds
    /// (i + 0.5) F0 - 2 bins; 3 bins leave room for rounding. Harmonics beyond the last bin get frequency 0 and
    /// magnitude 0, which no formant range selects. A NaN reach keeps every harmonic.
    /// </summary>
    private bool HarmonicsNeeded(int i, float pitch, float reach) => i < 3 || !((i + 0.5) * pitch - 3.0 * _df > reach);

    private float Difference(int h1, int h2)
    {
        float v;
        if (h1 >= 0 && h2 >= 0)
            v = LogRel(h1) - LogRel(h2);
        else if (h1 >= 0)
            v = LogRel(h1) - 201.0f;
        else if (h2 >= 0)
            v = (float)(-201.0 - LogRel(h2));
        else
            return 0f;
        if (v < -201f) v = -201f;
        if (v > 201f) v = 201f;
        return v;
    }

    /// <summary>
    /// cHarmonics::freqToBin: the first bin from <paramref name="startBin"/> on above <paramref name="freq"/>, or the
    /// bin below it when that one is strictly closer; 0 when no bin lies above. Found by division on the uniform
    /// axis and checked against the stored frequencies (the linear scan gives the same answer).
    /// </summary>
    private int FreqToBin(float freq, int startBin)
    {
        double f = freq;
        if (startBin >= _n || !(_frq[_n - 1] > f))
            return 0;
        int g;
        if (f < 0.0)
        {
            g = startBin;
            if (g == 0) return 0;
        }
        else
        {
            g = Math.Clamp((int)(f / _df) + 1, 1, _n - 1);
            while (g > 1 && _frq[g - 1] > f) g--;
            while (!(_frq[g] > f)) g++;
            if (g < startBin) g = startBin;
        }
        return _frq[g] - f > f - _frq[g - 1] ? g - 1 : g;
    }

    private static bool IsPeak(ReadOnlySpan<float> x, int n, int i)
    {
        if (i >= n || i < 0) return false;
        if (i + 1 < n)
            return i > 0 ? x[i] > x[i - 1] && x[i] > x[i + 1] : x[0] > x[1];
        return i > 0 && x[i] > x[i - 1];
    }

    /// <summary>cHarmonics's peak search for harmonics 0 .. (returned count - 1), stopping where none later is needed.</summary>
    private int FindHarmonicPeaks(float pitch, ReadOnlySpan<float> mag, float reach)
    {
        int n = _n;
        int lastBin = FreqToBin(0.5f * pitch, 1);
        int firstBin = FreqToBin(0.5f * pitch, lastBin);
        for (int i = 0; i < NHarmonics; i++)
        {
            if (!HarmonicsNeeded(i, pitch, reach))
                return i;
            int cand = FreqToBin((i + 1) * pitch, lastBin);
            int peak = -1;
            if (cand >= n)
            {
                _bin[i] = -1;
                _freqInterp[i] = 0f;
                _mag[i] = 0f;
                _magInterp[i] = 0f;
                continue;
            }
            if (IsPeak(mag, n, cand))
            {
                peak = cand;
            }
            else
            {
                int l = cand - 1, r = cand + 1;
                int lower = FreqToBin((i + 0.5f) * pitch, lastBin);
                int upper = FreqToBin((i + 1.5f) * pitch, cand);
                while ((l >= lower || r <= upper) && peak == -1)
                {
                    if (r <= upper)
                    {
                        if (IsPeak(mag, n, r)) { peak = r; break; }
                        r++;
                    }
                    if (l >= lower)
                    {
                        if (IsPeak(mag, n, l)) { peak = l; break; }
                        l--;
                    }
                }
            }
            if (peak >= firstBin && peak < n - 1)
            {
                _bin[i] = peak;
                _mag[i] = mag[peak];
                _freqInterp[i] = (float)SubharmonicPitch.QuadPeak(_frq[peak - 1], mag[peak - 1], _frq[peak], mag[peak],
                    _frq[peak + 1], mag[peak + 1], out double mi);
                _magInterp[i] = (float)mi;
            }
            else
            {
                _bin[i] = cand;
                _freqInterp[i] = 0f;
                _mag[i] = 0f;
                _magInterp[i] = 0f;
            }
            lastBin = cand;
        }
        return NHarmonics;
    }

    /// <summary>
    /// cHarmonics's post-processing of the first <paramref name="count"/> harmonics: a harmonic on the same bin as the
    /// one before it is cleared (its level -201). The levels relative to F0 are computed when read (<see cref="LogRel"/>).
    /// </summary>
    private void PostProcess(int count)
    {
        _logRelEnabled = _mag[0] != 0f;
        _logMagF0 = _logRelEnabled ? MathF.Log10(_mag[0]) : 0f;
        _duplicate[0] = false;
        for (int i = 1; i < count; i++)
        {
            _duplicate[i] = _bin[i] == _bin[i - 1];
            if (_duplicate[i])
            {
                _bin[i] = 0;
                _freqInterp[i] = 0f;
                _mag[i] = 0f;
                _magInterp[i] = 0f;
            }
        }
    }

    /// <summary>Level of harmonic i in dB relative to F0's peak (20 log10, floor -200; -201 cleared or without an F0 peak).</summary>
    private float LogRel(int i)
    {
        if (i == 0) return 0f;
        if (_duplicate[i] || !_logRelEnabled) return -201f;
        if (!(_magInterp[i] > 0f)) return -200f;
        double tmp = MathF.Log10(_magInterp[i]);
        float v = (float)(20.0 * (tmp - _logMagF0));
        return v < -200f ? -200f : v;
    }

    private float AcfHnr(ReadOnlySpan<float> mag, float f0)
    {
        int bin = 0;
        if (f0 > 0f)
        {
            double fs = _frq[_n - 1] * 2.0;
            bin = (int)Math.Floor(fs / f0);
        }
        if (bin <= 0)
            return 0f;
        // ACF = |inverse FFT of the power spectrum|; the scale cancels in the ratio.
        for (int i = 0; i < _n; i++)
        {
            _powRe[i] = mag[i] * mag[i];
            _powIm[i] = 0f;
        }
        _ifft.Inverse(_powRe, _powIm, _acfTime);
        for (int i = 0; i < _n; i++)
            _acf[i] = MathF.Abs(_acfTime[i]);
        int peak = ClosestPeak(_acf, _n, bin);
        double hnr = _acf[0] - _acf[peak];
        if (peak <= 0)
            return 0f;
        hnr = hnr == 0.0 ? 10e10 : _acf[peak] / hnr;
        double ret = hnr > 10e10 ? 10.0 * Math.Log10(10e10) : hnr < 10e-10 ? 10.0 * Math.Log10(10e-10) : 10.0 * Math.Log10(hnr);
        return (float)ret;
    }

    private static int ClosestPeak(ReadOnlySpan<float> x, int n, int idx)
    {
        if (IsPeak(x, n, idx)) return idx;
        for (int o = 1; idx - o > 0 || idx + o < n - 1; o++)
        {
            if (idx - o > 0 && IsPeak(x, n, idx - o)) return idx - o;
            if (idx + o < n - 1 && IsPeak(x, n, idx + o)) return idx + o;
        }
        if (idx >= n) idx = n - 1;
        if (x[0] > x[idx] && x[n - 1] <= x[idx]) return 0;
        if (x[0] <= x[idx] && x[n - 1] > x[idx]) return n - 1;
        if (x[0] > x[idx] && x[n - 1] > x[idx]) return idx < n / 2 ? 0 : n - 1;
        return idx;
    }
}
