using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// Local jitter and shimmer (dB) from the waveform and the smoothed F0, as openSMILE's cPitchJitter computes them
/// for eGeMAPSv02 (search range +-10 %, at least 2 periods, cross-correlation period matching, periods whose
/// cross-correlation peak is at most 0.5 are not counted). It is stateful: each F0 frame continues
/// the period search where the previous one stopped (lastIdx/lastMis), and period lengths carry over between
/// consecutive voiced frames.
/// </summary>
internal sealed class PeriodPerturbation
{
    private const double SearchRangeRel = 0.10;
    private const int MinNumPeriods = 2;
    private const float MinCC = 0.5f;

    private readonly double _t;          // sample period
    private readonly long _ppLen;        // step in samples as cPitchJitter rounds it
    private readonly int _frameLength;
    private readonly double[] _cc;

    private long _lastIdx, _lastMis;
    private float _lastT0, _lastDiff, _lastJitterLocal, _lastShimmerLocal;

    public PeriodPerturbation(EgemapsParameters p)
    {
        _t = 1.0 / p.SampleRate;
        _ppLen = (long)Math.Ceiling(EgemapsParameters.StepSeconds / _t);
        _frameLength = p.LongFrame;
        // T0 search covers F0 from 55 Hz: ceil(1.1 sr / 55) lags at most
        int maxLag = (int)Math.Ceiling(1.1 * p.SampleRate / 50.0) + 4;
        _cc = new double[maxLag + 2];
    }

    public void Reset()
    {
        _lastIdx = _lastMis = 0;
        _lastT0 = _lastDiff = _lastJitterLocal = _lastShimmerLocal = 0f;
    }

    /// <summary>First stream sample the next call may read.</summary>
    public long NextReadStart => _lastIdx;

    /// <summary>
    /// Processes F0 frame <paramref name="frame"/> (F0 in Hz, 0 when unvoiced). <paramref name="signal"/> holds
    /// stream samples from <paramref name="signalStart"/> on, at least up to the frame's end.
    /// </summary>
    public void Process(long frame, float f0, ReadOnlySpan<float> signal, long signalStart, long step, out float jitter, out float shimmerDb)
    {
        long startVidx = frame * step;
        long lenF = FrameLengthFromTimeMeta(startVidx);
        long toRead0 = _ppLen + _lastMis;
        long toRead = toRead0;
        double tf = 0;
        long t0f = 0, t0MinF = 0, t0MaxF = 0;
        if (f0 > 0f)
        {
            double t0 = 1.0 / f0;
            tf = t0 / _t;
            t0f = (long)Math.Round(tf, MidpointRounding.AwayFromZero);
            t0MinF = (long)Math.Floor((1.0 - SearchRangeRel) * tf);
            t0MaxF = (long)Math.Ceiling((1.0 + SearchRangeRel) * tf);
            long twoPp = MinNumPeriods * t0MaxF + MinNumPeriods;
            if (toRead < twoPp) toRead = twoPp;
        }
        long maxRead = _lastMis + lenF;
        if (toRead > maxRead) toRead = maxRead;
        if (startVidx - _lastMis != _lastIdx)
        {
            _lastIdx = startVidx;
            if (toRead > lenF) toRead = lenF;
            if (maxRead > lenF) maxRead = lenF;
        }
        // The data memory pads a read past the end of the input with its last sample.
        ReadOnlySpan<float> mat = Read(signal, signalStart, _lastIdx, toRead);

        float nPeriodsLocal = 0, nPeriods = 0, avgPeriod = 0, jitterLocal = 0;
        float avgAmp = 0, avgAmpDiff = 0;
        long lastPeriod = 0;
        if (f0 > 0f)
        {
            long start = 0;
            while (start < mat.Length - 2 * t0MaxF - 1)
            {
                CorrelateLags(mat.Slice((int)start, (int)(2 * t0MaxF)), (int)t0MinF, (int)t0MaxF, _cc);
                long maxI = -1;
                double max = _cc[t0f - t0MinF];
                for (long i = 1; i < t0MaxF - t0MinF - 1; i++)
                {
                    if (_cc[i - 1] < _cc[i] && _cc[i] > _cc[i + 1])
                    {
                        if (maxI == -1 || _cc[i] > max)
                        {
                            maxI = i;
                            max = _cc[i];
                        }
                    }
                }
                long pp = maxI == -1 ? t0f : t0MinF + maxI;
                long os = start;
                if (maxI >= 0)
                {
                    start += pp;
                    float ad = AmplitudeDiff(mat.Slice((int)os, (int)pp), mat.Slice((int)start, (int)pp), out float a0, out float a1);
                    double x = SubharmonicPitch.QuadPeak(maxI - 1, _cc[maxI - 1], maxI, _cc[maxI], maxI + 1, _cc[maxI + 1], out double ccI);
                    double maxId = Math.Abs(t0MinF + x) * _t;
                    if (ccI > MinCC)
                    {
                        float period = (float)maxId;
                        avgPeriod += period;
                        nPeriods += 1f;
                        if (_lastT0 > 0f)
                        {
                            float diff = MathF.Abs(_lastT0 - period);
                            jitterLocal += diff;
                            nPeriodsLocal += 1f;
                            _lastDiff = diff;
                        }
                        _lastT0 = period;
                        avgAmp += (a0 + a1) / 2f;
                        avgAmpDiff += ad;
                    }
                }
                else
                {
                    start += t0f;
                }
                if (start < toRead0 - 1) lastPeriod = start;
            }
            _lastMis = toRead0 - lastPeriod;
        }
        else
        {
            lastPeriod = toRead0;
            _lastMis = 0;
            _lastT0 = 0f;
            _lastDiff = 0f;
            _lastJitterLocal = 0f;
            _lastShimmerLocal = 0f;
        }
        _lastIdx += lastPeriod;

        if (nPeriods > 0f && nPeriodsLocal > 0f && f0 > 0f)
        {
            jitterLocal /= nPeriodsLocal;
            _lastJitterLocal = jitterLocal / (avgPeriod / nPeriods);
        }
        if (nPeriods > 0f && nPeriodsLocal > 0f && f0 > 0f)
        {
            if (_lastJitterLocal > 1f) _lastJitterLocal = 1f;
            jitter = _lastJitterLocal;
        }
        else if (nPeriods == 0f && f0 > 0f)
        {
            if (_lastJitterLocal > 1f) _lastJitterLocal = 1f;
            jitter = _lastJitterLocal;
        }
        else
        {
            jitter = 0f;
        }

        if (nPeriods > 0f && f0 > 0f)
            _lastShimmerLocal = avgAmp > 0f ? avgAmpDiff / avgAmp : 0f;
        if ((nPeriods > 0f && f0 > 0f) || (nPeriods == 0f && f0 > 0f))
        {
            if (_lastShimmerLocal > 1f) _lastShimmerLocal = 1f;
            shimmerDb = (float)AmplitudeRatioToDb(_lastShimmerLocal + 1.0);
        }
        else
        {
            shimmerDb = 0f;
        }
    }

    private long FrameLengthFromTimeMeta(long startVidx)
    {
        // The F0 frame's lengthSec is time(last sample) - time(first) + T, each time vIdx * T in double;
        // cPitchJitter divides it by T again and rounds up.
        double t = _t;
        double lengthSec = (double)(startVidx + _frameLength - 1) * t - (double)startVidx * t + t;
        return (long)Math.Ceiling(lengthSec / t);
    }

    private float[] _padded = new float[64];

    private ReadOnlySpan<float> Read(ReadOnlySpan<float> signal, long signalStart, long from, long length)
    {
        long available = signalStart + signal.Length - from;
        int off = (int)(from - signalStart);
        if (length <= available)
            return signal.Slice(off, (int)length);
        if (_padded.Length < length)
            _padded = new float[Math.Max(length, 2 * _padded.Length)];
        int have = (int)Math.Max(0, available);
        signal.Slice(off, have).CopyTo(_padded);
        float last = have > 0 ? _padded[have - 1] : 0f;
        _padded.AsSpan(have, (int)length - have).Fill(last);
        return _padded.AsSpan(0, (int)length);
    }

    /// <summary>
    /// <see cref="CrossCorr"/> of <c>x[0, L)</c> with <c>x[L, 2L)</c> for every lag L in [minLag, maxLag] into
    /// <c>cc[L - minLag]</c>, bit for bit, with the work shared between lags: the samples are widened to double once;
    /// the mean of the first piece of lag L is the running sum's value after L samples (the reference sums in sample
    /// order, so its sum of L samples is that prefix); the second pieces' sums run four consecutive lags per
    /// Vector256 (lane j adds <c>x[L + j + i]</c> at step i, the loads contiguous), each lane in the reference's order.
    /// </summary>
    internal void CorrelateLags(ReadOnlySpan<float> x, int minLag, int maxLag, Span<double> cc)
    {
        int lags = maxLag - minLag + 1;
        // the lane groups read up to 7 samples past 2 maxLag (lanes of lags beyond maxLag, whose sums are dropped)
        int len = 2 * maxLag;
        EnsureLagBuffers(len + 8, lags + 4);
        double[] wide = _wide, sumX = _sumX, sumY = _sumY;
        for (int i = 0; i < len; i++)
            wide[i] = x[i];
        wide.AsSpan(len, 8).Clear();

        double s = 0;
        for (int i = 0; i < maxLag; i++)
        {
            s += wide[i];
            if (i + 1 >= minLag)
                sumX[i + 1 - minLag] = s;
        }
        int l = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double w = ref MemoryMarshal.GetArrayDataReference(wide);
            var laneOffset = Vector256.Create(0.0, 1.0, 2.0, 3.0);
            for (; l < lags; l += 4)
            {
                int lag0 = minLag + l;
                Vector256<double> acc = Vector256<double>.Zero;
                int i = 0;
                for (; i < lag0; i++)
                    acc += Vector256.LoadUnsafe(ref w, (nuint)(lag0 + i));
                // lane j stops after lag0 + j samples: adding +0 leaves a sum unchanged (a sum begun at +0 is never -0)
                for (; i < lag0 + 3; i++)
                {
                    Vector256<double> active = Vector256.GreaterThan(Vector256.Create((double)(lag0 - i)) + laneOffset, Vector256<double>.Zero);
                    acc += Vector256.LoadUnsafe(ref w, (nuint)(lag0 + i)) & active;
                }
                acc.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(sumY), (nuint)l);
            }
        }
        else
        {
            for (; l < lags; l++)
            {
                int lag = minLag + l;
                double t = 0;
                for (int i = 0; i < lag; i++)
                    t += wide[lag + i];
                sumY[l] = t;
            }
        }
        for (l = 0; l < lags; l++)
        {
            int n = minLag + l;
            cc[l] = CrossCorrFromSums(wide.AsSpan(0, n), wide.AsSpan(n, n), sumX[l] / n, sumY[l] / n);
        }
    }

    private double[] _wide = [], _sumX = [], _sumY = [];

    private void EnsureLagBuffers(int samples, int lags)
    {
        if (_wide.Length < samples)
            _wide = new double[samples];
        if (_sumX.Length < lags)
        {
            _sumX = new double[lags];
            _sumY = new double[lags];
        }
    }

    /// <summary>
    /// <see cref="CrossCorr"/> of widened pieces whose means are known (the same operations in the same order); with
    /// <paramref name="vector"/> false, the scalar reference (the vector path sums four partial sums, so it differs
    /// from it only by double rounding).
    /// </summary>
    private static double CrossCorrFromSums(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double mx, double my, bool vector = true)
    {
        int n = x.Length;
        double cc = 0, nx = 0, ny = 0;
        int i = 0;
        if (vector && Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double yr = ref MemoryMarshal.GetReference(y);
            var vmx = Vector256.Create(mx);
            var vmy = Vector256.Create(my);
            Vector256<double> vcc = default, vnx = default, vny = default;
            for (; i <= n - 4; i += 4)
            {
                var dx = Vector256.LoadUnsafe(ref xr, (nuint)i) - vmx;
                var dy = Vector256.LoadUnsafe(ref yr, (nuint)i) - vmy;
                vcc += dx * dy;
                vnx += dx * dx;
                vny += dy * dy;
            }
            cc = Vector256.Sum(vcc);
            nx = Vector256.Sum(vnx);
            ny = Vector256.Sum(vny);
        }
        for (; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            cc += dx * dy;
            nx += dx * dx;
            ny += dy * dy;
        }
        return cc / (Math.Sqrt(nx) * Math.Sqrt(ny));
    }

    /// <summary>
    /// Normalised cross-correlation of two equally long pieces (cPitchJitter::crossCorr), in double: the reference
    /// <see cref="CorrelateLags"/> is checked against (it allocates; production widens once per frame instead).
    /// </summary>
    internal static double CrossCorr(ReadOnlySpan<float> x, ReadOnlySpan<float> y, bool vector = true)
    {
        int n = Math.Min(x.Length, y.Length);
        double[] wx = new double[n], wy = new double[n];
        double sx = 0, sy = 0;
        for (int i = 0; i < n; i++)
        {
            sx += wx[i] = x[i];
            sy += wy[i] = y[i];
        }
        return CrossCorrFromSums(wx, wy, sx / n, sy / n, vector);
    }

    private static float AmplitudeDiff(ReadOnlySpan<float> x, ReadOnlySpan<float> y, out float a0, out float a1)
    {
        a0 = PeakToPeak(x);
        a1 = PeakToPeak(y);
        return MathF.Abs(a0 - a1);
    }

    private static float PeakToPeak(ReadOnlySpan<float> x)
    {
        // cPitchJitter::amplitudeDiff scans x[1 .. N-2] only.
        float max = x[1], min = x[1];
        for (int i = 1; i < x.Length - 1; i++)
        {
            if (x[i] > max) max = x[i];
            if (x[i] < min) min = x[i];
        }
        return max - min;
    }

    private static double AmplitudeRatioToDb(double a) => a > 10e-50 ? 20.0 * Math.Log(a) / Math.Log(10.0) : -1000.0;
}
