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
                for (long lag = t0MinF; lag <= t0MaxF; lag++)
                    _cc[lag - t0MinF] = CrossCorr(mat.Slice((int)start, (int)lag), mat.Slice((int)(start + lag), (int)lag));
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
    /// Normalised cross-correlation of two equally long pieces (cPitchJitter::crossCorr), in double; with
    /// <paramref name="vector"/> false, the scalar reference (the vector path sums four partial sums, so it
    /// differs from it only by double rounding).
    /// </summary>
    internal static double CrossCorr(ReadOnlySpan<float> x, ReadOnlySpan<float> y, bool vector = true)
    {
        int n = Math.Min(x.Length, y.Length);
        x = x[..n];
        y = y[..n];
        double mx = Sum(x) / n, my = Sum(y) / n;
        double cc = 0, nx = 0, ny = 0;
        int i = 0;
        if (vector && Vector256.IsHardwareAccelerated && n >= 8)
        {
            var vmx = Vector256.Create(mx);
            var vmy = Vector256.Create(my);
            Vector256<double> vcc = default, vnx = default, vny = default;
            for (; i <= n - 4; i += 4)
            {
                var dx = Vector256.Create((double)x[i], x[i + 1], x[i + 2], x[i + 3]) - vmx;
                var dy = Vector256.Create((double)y[i], y[i + 1], y[i + 2], y[i + 3]) - vmy;
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

    private static double Sum(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
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
