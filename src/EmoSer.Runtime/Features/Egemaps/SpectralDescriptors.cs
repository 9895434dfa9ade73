using System.Numerics.Tensors;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// The descriptors eGeMAPSv02 takes from the 20 ms Hamming spectrum: loudness (cMelspec 26 bands, 20-8000 Hz,
/// power; cPlp auditory weighting and cubic-root-like compression 0.33; cVectorOperation ll1), alpha ratio,
/// Hammarberg index and the 0-500 / 500-1500 Hz log-spectral slopes (cSpectral on the power spectrum in dB),
/// spectral flux (0-5000 Hz, magnitudes) and MFCC 1-4 (HTK-scaled 26-band mel power, log, DCT-II, lifter 22).
/// Float arithmetic where openSMILE's FLOAT_DMEM is float; table geometry in double as it does.
/// </summary>
internal sealed class SpectralDescriptors
{
    private const int Bands = 26;
    private const float MelFloorAuditory = 0.00000000093f;
    private const float SpecFloor = 1e-14f;          // 0.0000001^2
    private const float LogSpecFloor = -140f;         // 10 log10(1e-14)

    private readonly int _bins;
    private readonly double[] _frq;
    private readonly float[] _power;
    private readonly float[] _logPower;
    private readonly float[] _prevMagnitude;
    private bool _havePrevious;
    private readonly int _fluxLo, _fluxHi;

    // mel filterbank (cMelspec "lr" triangles by rising-slope weight and channel map)
    private readonly int _melLo, _melHi;
    private readonly int[] _chanMap;
    private readonly float[] _melCoeff;
    private readonly float[] _mel = new float[Bands];
    private readonly float[] _eqlCurve = new float[Bands];
    private readonly float _compression = 0.33f;
    private readonly float[] _mfccCos;   // 4 x 26
    private readonly float[] _mfccLift = new float[4];
    private readonly float _mfccFactor;
    private readonly float[] _logMel = new float[Bands];

    // slopes: 0-500 and 500-1500 Hz
    private readonly SlopeBand _slopeLow;
    private readonly SlopeBand _slopeMid;

    public SpectralDescriptors(int bins, double fftSeconds)
    {
        _bins = bins;
        _frq = new double[bins];
        double f0 = 1.0 / fftSeconds;
        for (int i = 0; i < bins; i++)
            _frq[i] = f0 * i;
        _power = new float[bins];
        _logPower = new float[bins];
        _prevMagnitude = new float[bins];

        // cSpectral freqRange 0-5000: lower = last bin with 0 >= f, upper = last bin with 5000 > f.
        _fluxLo = 0;
        _fluxHi = -1;
        for (int i = 0; i < bins; i++)
        {
            if (0.0 >= _frq[i]) _fluxLo = i;
            if (5000.0 > _frq[i]) _fluxHi = i;
        }
        if (_fluxHi < 0 || _fluxHi >= bins) _fluxHi = bins - 1;

        _slopeLow = new SlopeBand(_frq, 0, 500);
        _slopeMid = new SlopeBand(_frq, 500, 1500);

        // Mel filterbank, cMelspec::computeFilters (standard "lr" bank) in its float arithmetic.
        float n = (bins - 1) * 2;
        float fBin = (float)(1.0 / fftSeconds);
        float fs = (float)(n / fftSeconds);
        float lo = 20f, hi = 8000f;
        if (lo < 0 || lo > fs / 2.0 || lo > hi) lo = 0;
        if (hi < lo || hi > fs / 2.0 || hi <= 0) hi = fs / 2f;
        float loMel = (float)Mel(lo), hiMel = (float)Mel(hi);
        _melLo = Math.Min(bins, (int)Math.Round((double)(lo / fBin), MidpointRounding.AwayFromZero));
        _melHi = Math.Min(bins, (int)Math.Round((double)(hi / fBin), MidpointRounding.AwayFromZero));
        var cfs = new float[Bands + 2];
        float bandw = (hiMel - loMel) / (Bands + 1f);
        for (int m = 0; m <= Bands + 1; m++)
            cfs[m] = loMel + m * bandw;
        _chanMap = new int[bins];
        int mm = 0;
        for (int k = 0; k < bins; k++)
        {
            if (k <= _melLo || k >= _melHi)
            {
                _chanMap[k] = -3;
                continue;
            }
            while (cfs[mm] < BinMel(k, fBin))
            {
                if (mm > Bands) break;
                mm++;
            }
            _chanMap[k] = mm - 2;
        }
        _melCoeff = new float[bins];
        mm = 0;
        for (int k = _melLo; k < _melHi; k++)
        {
            float nm = BinMel(k, fBin);
            while (nm > cfs[mm + 1] && mm <= Bands) mm++;
            _melCoeff[k] = (cfs[mm + 1] - nm) / (cfs[mm + 1] - cfs[mm]);
        }
        for (int m = 1; m <= Bands; m++)
        {
            double centre = 700.0 * (Math.Exp(cfs[m] / 1127.0) - 1.0);
            _eqlCurve[m - 1] = (float)EqualLoudness(centre);
        }

        _mfccCos = new float[4 * Bands];
        for (int i = 1; i <= 4; i++)
        {
            for (int m = 0; m < Bands; m++)
                _mfccCos[(i - 1) * Bands + m] = (float)Math.Cos(Math.PI * (i / (double)Bands) * (m + 0.5));
            _mfccLift[i - 1] = 1f + 22f / 2f * MathF.Sin(MathF.PI * i / 22f);
        }
        _mfccFactor = (float)Math.Sqrt(2.0 / Bands);
    }

    /// <summary>Forgets the previous frame (spectral flux of the next frame is 0, as for a stream's first frame).</summary>
    public void Reset() => _havePrevious = false;

    /// <summary>
    /// Computes the descriptors of one frame's magnitude spectrum into <paramref name="d"/>:
    /// [0] loudness, [1] alpha ratio, [2] Hammarberg index, [3] slope 0-500, [4] slope 500-1500, [5] flux,
    /// [6..9] MFCC 1-4.
    /// </summary>
    public void Compute(ReadOnlySpan<float> magnitude, Span<float> d)
    {
        ReadOnlySpan<float> mag = magnitude[.._bins];
        Span<float> p = _power;
        TensorPrimitives.Multiply(mag, mag, p);

        // Log power spectrum in dB (natural log in float, times 10/ln 10 rounded to float).
        const float logFactor = (float)(10.0 / 2.302585092994046);
        Span<float> lp = _logPower;
        TensorPrimitives.Log(p, lp);
        TensorPrimitives.Multiply(lp, logFactor, lp);
        for (int i = 0; i < p.Length; i++)
            if (p[i] <= SpecFloor) lp[i] = LogSpecFloor;

        d[3] = _slopeLow.Slope(_logPower);
        d[4] = _slopeMid.Slope(_logPower);
        d[1] = AlphaRatio(p);
        d[2] = Hammarberg(p);
        d[5] = Flux(mag);

        // Mel power bands.
        Span<float> mel = _mel;
        mel.Clear();
        for (int k = _melLo; k < _melHi; k++)
        {
            int m = _chanMap[k];
            if (m <= -2) continue;
            double a = (double)p[k] * _melCoeff[k];
            if (m > -1) mel[m] += (float)a;
            if (m < Bands - 1) mel[m + 1] += p[k] - (float)a;
        }

        // Loudness: auditory spectrum (floored, equal-loudness weighted, compressed) averaged over the bands.
        float loud = 0f;
        for (int m = 0; m < Bands; m++)
        {
            float v = mel[m];
            if (v < MelFloorAuditory) v = MelFloorAuditory;
            v *= _eqlCurve[m];
            loud += (float)Math.Pow(v, _compression);
        }
        d[0] = loud / Bands;

        // MFCC 1-4 on the HTK-scaled mel power (x 32767^2, floor 1 before the log).
        const float htkScale = (float)(32767.0 * 32767.0);
        for (int m = 0; m < Bands; m++)
        {
            float v = mel[m] * htkScale;
            _logMel[m] = v < 1f ? 0f : MathF.Log(v);
        }
        for (int i = 0; i < 4; i++)
        {
            float s = 0f;
            ReadOnlySpan<float> c = _mfccCos.AsSpan(i * Bands, Bands);
            for (int m = 0; m < Bands; m++)
                s += _logMel[m] * c[m];
            d[6 + i] = s * (_mfccLift[i] * _mfccFactor);
        }
    }

    private float AlphaRatio(ReadOnlySpan<float> p)
    {
        float sum01 = 0f, sum15 = 0f;
        for (int j = 0; j < p.Length; j++)
        {
            if (_frq[j] > 5000.0) break;
            if (_frq[j] < 1000.0) sum01 += p[j];
            else sum15 += p[j];
        }
        if (!(sum01 > 0f)) return 0f;
        return sum15 > SpecFloor
            ? (float)(10.0 * MathF.Log(sum15 / sum01) / Math.Log(10.0))
            : (float)(10.0 * (MathF.Log(SpecFloor) - MathF.Log(sum01)) / Math.Log(10.0));
    }

    private float Hammarberg(ReadOnlySpan<float> p)
    {
        float max02 = 0f, max25 = 0f;
        for (int j = 0; j < p.Length; j++)
        {
            if (_frq[j] > 5000.0) break;
            if (_frq[j] < 2000.0) { if (p[j] > max02) max02 = p[j]; }
            else if (p[j] > max25) max25 = p[j];
        }
        if (!(max25 > 0f)) return 0f;
        return max02 > SpecFloor
            ? (float)(10.0 * MathF.Log(max02 / max25) / Math.Log(10.0))
            : (float)(10.0 * (MathF.Log(SpecFloor) - MathF.Log(max25)) / Math.Log(10.0));
    }

    private float Flux(ReadOnlySpan<float> mag)
    {
        float result = 0f;
        int nBins = _fluxHi - _fluxLo + 1;
        if (_havePrevious)
        {
            double acc = 0.0;
            for (int j = _fluxLo; j <= _fluxHi; j++)
            {
                double b = (double)mag[j] - _prevMagnitude[j - _fluxLo];
                acc += b * b;
            }
            double flux = nBins > 0 ? acc / nBins : 0.0;
            result = flux > 0.0 ? (float)Math.Sqrt(flux) : 0f;
        }
        mag.Slice(_fluxLo, nBins).CopyTo(_prevMagnitude);
        _havePrevious = true;
        return result;
    }

    private static double Mel(double f) => f > 0.0 ? 1127.0 * Math.Log(1.0 + f / 700.0) : 0.0;

    private static float BinMel(int k, float fBin) => (float)Mel((double)((float)k * fBin));

    /// <summary>Hermansky's equal-loudness curve as openSMILE scales it (smileDsp_equalLoudnessWeight).</summary>
    private static double EqualLoudness(double frequency)
    {
        double w = 2.0 * Math.PI * frequency;
        double w2 = w * w;
        double c = w2 + 6300000.0;
        if (!(c > 0.0)) return 0.0;
        return 1e32 * ((w2 + 56.8e6) * w2 * w2) / (c * c * (w2 + 0.38e9) * (w2 * w2 * w2 * w + 1.7e31));
    }

    /// <summary>
    /// cSpectral's slope of the log spectrum over one band: least squares on the band's bins with fractional
    /// edge weights, and the quirk that the point count used is (upper index - lower index), not the number of
    /// points summed.
    /// </summary>
    private sealed class SlopeBand
    {
        private readonly double[] _frq;
        private readonly int _iL, _iR;
        private readonly double _wL, _wR, _nInd;

        public SlopeBand(double[] frq, long loHz, long hiHz)
        {
            _frq = frq;
            int nScale = frq.Length;
            int ii;
            for (ii = 0; ii < nScale; ii++)
                if (frq[ii] > loHz) break;
            double wL = ii < nScale && ii > 0 ? (frq[ii] - loHz) / (frq[ii] - frq[ii - 1]) : 1.0;
            double idxL = ii - 1.0;
            if (idxL < 0) idxL = 0;
            if (idxL >= nScale) idxL = nScale;
            for (ii = 0; ii < nScale; ii++)
                if (frq[ii] >= (float)hiHz) break;
            double wR = ii < nScale && ii > 0 ? (hiHz - frq[ii - 1]) / (frq[ii] - frq[ii - 1]) : 1.0;
            double idxR = ii < nScale && frq[ii] == (float)hiHz ? ii : ii - 1.0;
            if (idxR >= nScale) idxR = nScale - 1;
            if (wL == 0.0) wL = 1.0;
            if (wR == 0.0) wR = 1.0;
            int iL = (int)Math.Floor(idxL), iR = (int)Math.Floor(idxR);
            if (iL >= nScale) { iL = iR = nScale - 1; wR = 0.0; wL = 0.0; }
            if (iR >= nScale) { iR = nScale - 1; wR = 1.0; }
            if (iL < 0) iL = 0;
            if (iR < 0) iR = 0;
            _iL = iL; _iR = iR; _wL = wL; _wR = wR;
            _nInd = idxR - idxL;
        }

        public float Slope(ReadOnlySpan<float> logSpec)
        {
            double sf = _frq[_iL] * _wL;
            double s2f = sf * sf;
            double sumA = _frq[_iL] * _wL * logSpec[_iL];
            double sumB = _wL * logSpec[_iL];
            for (int i = _iL + 1; i < _iR && i < _frq.Length; i++)
            {
                s2f += _frq[i] * _frq[i];
                sf += _frq[i];
                sumA += _frq[i] * (double)logSpec[i];
                sumB += logSpec[i];
            }
            s2f += _frq[_iR] * _wR * _frq[_iR] * _wR;
            sf += _frq[_iR] * _wR;
            sumA += _frq[_iR] * _wR * logSpec[_iR];
            sumB += _wR * (double)logSpec[_iR];
            double deno = _nInd * s2f - sf * sf;
            return deno != 0.0 ? (float)((_nInd * sumA - sf * sumB) / deno) : 0f;
        }
    }
}
