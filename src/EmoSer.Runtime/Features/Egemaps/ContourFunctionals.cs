namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// The statistics eGeMAPSv02 applies to its contours, as openSMILE's cFunctionals components compute them
/// (float values, double sums where openSMILE uses them): cFunctionalMoments (amean, stddevNorm = stddev / mean
/// without abs), cFunctionalPercentiles (linearly interpolated 20/50/80th percentiles and their range),
/// cFunctionalPeaks2 (peaks after the 10 %-of-range minimum rise/fall rule; rising/falling slope mean and
/// standard deviation; peaks per second), cFunctionalSegments (nonX/eqX with X = 0, minimum segment 3 frames,
/// minimum pause 2 frames). Grow-only scratch; nothing allocated once it is large enough.
/// </summary>
internal sealed class ContourFunctionals
{
    private float[] _values = new float[256];
    private float[] _sorted = new float[256];
    // peak list as a doubly linked list over arrays
    private int[] _next = new int[256], _prev = new int[256], _x = new int[256], _type = new int[256];
    private float[] _y = new float[256];
    private int[] _segLens = new int[64];
    private int _head, _tail, _count;

    /// <summary>The values of <paramref name="contour"/> the functionals see (non-zero ones only when asked).</summary>
    public ReadOnlySpan<float> Select(ReadOnlySpan<float> contour, bool nonZero)
    {
        EnsureCapacity(contour.Length);
        int n = 0;
        if (nonZero)
        {
            foreach (float v in contour)
                if (v != 0f) _values[n++] = v;
        }
        else
        {
            contour.CopyTo(_values);
            n = contour.Length;
        }
        return _values.AsSpan(0, n);
    }

    /// <summary>cFunctionals' mean: double sum of the values, divided by their count, rounded to float.</summary>
    public static float Mean(ReadOnlySpan<float> x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++) m += x[i];
        return (float)(m / x.Length);
    }

    /// <summary>amean and stddevNorm (0 and 0 for an empty input).</summary>
    public static void Moments(ReadOnlySpan<float> x, out float mean, out float stddevNorm)
    {
        mean = 0f;
        stddevNorm = 0f;
        if (x.Length == 0) return;
        mean = Mean(x);
        double md = mean, m2 = 0.0;
        foreach (float v in x)
        {
            double t = v - md;
            m2 += t * t;
        }
        m2 /= x.Length;
        if (m2 > 0.0)
        {
            double mean1 = md == 0.0 ? 1.0 : md;
            stddevNorm = (float)(Math.Sqrt(m2) / mean1);
        }
    }

    /// <summary>Interpolated percentiles 0.2, 0.5, 0.8 and |p80 - p20| into <paramref name="d"/> (zeros when empty).</summary>
    public void Percentiles(ReadOnlySpan<float> x, Span<float> d)
    {
        d[..4].Clear();
        int n = x.Length;
        if (n == 0) return;
        Span<float> s = _sorted.AsSpan(0, n);
        x.CopyTo(s);
        s.Sort();
        d[0] = Interp(0.20, s);
        d[1] = Interp(0.50, s);
        d[2] = Interp(0.80, s);
        d[3] = MathF.Abs(d[2] - d[0]);
    }

    private static float Interp(double p, ReadOnlySpan<float> sorted)
    {
        int n = sorted.Length;
        double idx = p * (n - 1);
        int i1 = (int)Math.Floor(idx), i2 = (int)Math.Ceiling(idx);
        if (i1 < 0) i1 = 0;
        if (i2 < 0) i2 = 0;
        if (i1 >= n) i1 = n - 1;
        if (i2 >= n) i2 = n - 1;
        if (i1 == i2) return sorted[i1];
        double w1 = idx - i1, w2 = i2 - idx;
        return sorted[i1] * (float)w2 + sorted[i2] * (float)w1;
    }

    /// <summary>
    /// cFunctionalPeaks2 on <paramref name="x"/> (frame period <paramref name="period"/> s): number of peaks per
    /// second, and mean / standard deviation of rising and falling slopes (per second).
    /// </summary>
    public void Peaks(ReadOnlySpan<float> x, float period, out float peaksPerSecond, out float meanRising, out float stddevRising,
        out float meanFalling, out float stddevFalling)
    {
        peaksPerSecond = meanRising = stddevRising = meanFalling = stddevFalling = 0f;
        int nin = x.Length;
        if (nin == 0) return;
        float min = x[0], max = x[0];
        for (int i = 1; i < nin; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
        }
        float absThresh = 0.1f * (max - min);
        EnsureCapacity(nin);
        _head = _tail = -1;
        _count = 0;
        for (int i = 2; i < nin - 2; i++)
        {
            if (x[i] > x[i - 1] && x[i] > x[i + 1]) Append(1, x[i], i);
            else if (x[i] < x[i - 1] && x[i] < x[i + 1]) Append(0, x[i], i);
        }

        // step 2a: minimum rise/fall around maxima
        float lastVal = x[0], lastMin = x[0], lastMax = x[0];
        bool minFlag = false;
        int lastMaxPtr = -1;
        for (int el = _head; el != -1;)
        {
            int nextEl = _next[el];
            if (_type[el] == 1)
            {
                float y = _y[el];
                if (MathF.Abs(y - lastVal) < absThresh)
                {
                    if (y - lastMin < absThresh)
                    {
                        Remove(el);
                    }
                    else
                    {
                        if (y > lastMax * 1.05)
                        {
                            if (lastMaxPtr != -1) Remove(lastMaxPtr);
                            lastMax = y;
                            lastMaxPtr = el;
                        }
                        else if (minFlag)
                        {
                            lastMax = y;
                            lastMaxPtr = el;
                        }
                        else
                        {
                            Remove(el);
                        }
                        minFlag = false;
                    }
                }
                else
                {
                    minFlag = false;
                    lastMax = y;
                    lastMaxPtr = el;
                }
            }
            else if (!(MathF.Abs(_y[el] - lastVal) < absThresh))
            {
                minFlag = true;
                lastMin = _y[el];
            }
            lastVal = _y[el];
            el = nextEl;
        }

        // step 2b: small minima
        lastMax = x[0];
        for (int el = _head; el != -1;)
        {
            int nextEl = _next[el];
            if (_type[el] == 0)
            {
                if (lastMax - _y[el] < absThresh) Remove(el);
            }
            else
            {
                lastMax = _y[el];
            }
            el = nextEl;
        }

        // step 3: duplicates (no opposite extremum in between)
        lastMax = x[0];
        lastMin = x[0];
        minFlag = false;
        bool init = true;
        int lastMinPtr = -1;
        lastMaxPtr = -1;
        for (int el = _head; el != -1;)
        {
            int nextEl = _next[el];
            if (_type[el] == 0)
            {
                if (!minFlag || init)
                {
                    lastMin = _y[el];
                    lastMinPtr = el;
                    minFlag = true;
                    init = false;
                }
                else if (_y[el] >= lastMin)
                {
                    Remove(el);
                }
                else if (lastMinPtr != el)
                {
                    Remove(lastMinPtr);
                    lastMinPtr = el;
                    lastMin = _y[el];
                }
            }
            else
            {
                if (minFlag || init)
                {
                    lastMax = _y[el];
                    lastMaxPtr = el;
                    minFlag = false;
                    init = false;
                }
                else if (_y[el] <= lastMax)
                {
                    Remove(el);
                }
                else if (lastMaxPtr != el)
                {
                    Remove(lastMaxPtr);
                    lastMaxPtr = el;
                    lastMax = _y[el];
                }
            }
            el = nextEl;
        }

        int nPeaks = 0;
        for (int el = _head; el != -1; el = _next[el])
            if (_type[el] == 1) nPeaks++;
        peaksPerSecond = nPeaks / (nin * period);

        // slopes
        float sumRise = 0f, sumFall = 0f;
        int nRise = 0, nFall = 0, lastIsMax = -1;
        lastMax = x[0];
        lastMin = x[0];
        int lastMaxPos = 0, lastMinPos = 0;
        for (int el = _head; el != -1; el = _next[el])
        {
            if (_type[el] == 0)
            {
                lastMin = _y[el];
                lastMinPos = _x[el];
                if (lastMinPos - lastMaxPos > 0)
                {
                    sumFall += (lastMax - lastMin) / ((lastMinPos - lastMaxPos) * period);
                    nFall++;
                    lastIsMax = 0;
                }
            }
            else
            {
                lastMax = _y[el];
                lastMaxPos = _x[el];
                if (lastMaxPos - lastMinPos > 0)
                {
                    sumRise += (lastMax - lastMin) / ((lastMaxPos - lastMinPos) * period);
                    nRise++;
                    lastIsMax = 1;
                }
            }
        }
        if (lastIsMax == 1)
        {
            if (nin - 1 - lastMaxPos > 0)
            {
                sumFall += (x[nin - 1] - lastMax) / ((nin - 1 - lastMaxPos) * period);
                nFall++;
            }
        }
        else if (lastIsMax == 0)
        {
            if (nin - 1 - lastMinPos > 0)
            {
                sumRise += (x[nin - 1] - lastMin) / ((nin - 1 - lastMinPos) * period);
                nRise++;
            }
        }
        else
        {
            float slope = (x[nin - 1] - x[0]) / nin;
            if (slope > 0) { sumRise = slope; nRise = 1; }
            else if (slope < 0) { sumFall = slope; nFall = 1; }
        }
        meanRising = nRise > 1 ? sumRise / nRise : sumRise;
        meanFalling = nFall > 1 ? sumFall / nFall : sumFall;

        float varRise = 0f, varFall = 0f;
        lastMax = x[0];
        lastMin = x[0];
        lastMaxPos = 0;
        lastMinPos = 0;
        for (int el = _head; el != -1; el = _next[el])
        {
            if (_type[el] == 0)
            {
                lastMin = _y[el];
                lastMinPos = _x[el];
                if (lastMinPos - lastMaxPos > 0)
                {
                    float s = (lastMax - lastMin) / ((lastMinPos - lastMaxPos) * period);
                    varFall += (s - meanFalling) * (s - meanFalling);
                }
            }
            else
            {
                lastMax = _y[el];
                lastMaxPos = _x[el];
                if (lastMaxPos - lastMinPos != 0)
                {
                    float s = (lastMax - lastMin) / ((lastMaxPos - lastMinPos) * period);
                    varRise += (s - meanRising) * (s - meanRising);
                }
            }
        }
        if (nRise > 1) varRise /= nRise;
        if (nFall > 1) varFall /= nFall;
        stddevRising = varRise > 0f ? MathF.Sqrt(varRise) : 0f;
        stddevFalling = varFall > 0f ? MathF.Sqrt(varFall) : 0f;
    }

    /// <summary>
    /// cFunctionalSegments with X = 0 on <paramref name="x"/>: segments of non-zero values
    /// (<paramref name="ofZeros"/> false, nonX) or of zeros (eqX). Outputs per second and in seconds.
    /// </summary>
    public void Segments(ReadOnlySpan<float> x, bool ofZeros, float period, out float perSecond, out float meanLength, out float stddevLength)
    {
        const int segMinLng = 3, pauseMinLng = 2;
        int nin = x.Length;
        int nSeg = 0;
        long sumLen = 0;
        int start = 0, inSegment = 0, segStart = 0, segEnd = 0;
        int i;
        for (i = 0; i < nin; i++)
        {
            bool inside = ofZeros ? x[i] == 0f : x[i] != 0f;
            if (inside)
            {
                if (inSegment == 1)
                {
                    segEnd = 0;
                    segStart++;
                    if (segStart >= segMinLng) { segStart = 0; inSegment = 2; }
                }
                else if (inSegment == 0)
                {
                    segStart++;
                    start = i;
                    inSegment = 1;
                }
                else
                {
                    segEnd = 0;
                }
            }
            else
            {
                if (inSegment == 2)
                {
                    segStart = 0;
                    segEnd++;
                    if (segEnd >= pauseMinLng)
                    {
                        inSegment = 0;
                        AddSegment(ref nSeg, ref sumLen, i - segEnd - start);
                        segEnd = 0;
                    }
                }
                else if (inSegment == 1)
                {
                    segEnd++;
                    if (segEnd >= pauseMinLng) { inSegment = 0; segEnd = 0; segStart = 0; }
                }
            }
        }
        if (inSegment == 2)
        {
            segEnd++;
            AddSegment(ref nSeg, ref sumLen, i - segEnd - start);
        }

        float mean = nSeg > 1 ? (float)sumLen / nSeg : sumLen;
        float lenDev = 0f;
        for (int s = 0; s < nSeg; s++)
            lenDev += (_segLens[s] - mean) * (_segLens[s] - mean);
        if (nSeg > 1) lenDev = MathF.Sqrt(lenDev / nSeg);
        else lenDev = 0f;
        perSecond = nin > 0 ? nSeg / (period * nin) : 0f;
        meanLength = mean * period;
        stddevLength = lenDev * period;
    }

    private void AddSegment(ref int nSeg, ref long sumLen, int len)
    {
        if (nSeg >= 1000) return;   // maxNumSeg
        if (nSeg >= _segLens.Length) Array.Resize(ref _segLens, _segLens.Length * 2);
        _segLens[nSeg++] = len;
        sumLen += len;
    }

    private void Append(int type, float y, int x)
    {
        int el = _count++;
        _type[el] = type;
        _y[el] = y;
        _x[el] = x;
        _next[el] = -1;
        _prev[el] = _tail;
        if (_tail == -1) _head = el;
        else _next[_tail] = el;
        _tail = el;
    }

    private void Remove(int el)
    {
        int p = _prev[el], n = _next[el];
        if (p != -1) _next[p] = n;
        else _head = n;
        if (n != -1) _prev[n] = p;
        else _tail = p;
    }

    private void EnsureCapacity(int n)
    {
        if (_values.Length >= n) return;
        int size = Math.Max(n, 2 * _values.Length);
        _values = new float[size];
        _sorted = new float[size];
        _next = new int[size];
        _prev = new int[size];
        _x = new int[size];
        _type = new int[size];
        _y = new float[size];
    }
}
