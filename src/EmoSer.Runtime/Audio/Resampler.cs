using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Band-limited sample-rate converter: Kaiser-windowed sinc, polyphase, for any rational ratio
/// (reduced by the gcd). Passband flat to 0.9 × the lower Nyquist, stopband from the lower Nyquist with
/// ≥ 90 dB design attenuation (measured figures in docs/audio-input.md). The kernel is centred on each
/// output instant, so output sample n is the input at time n·from/to: no group delay to compensate.
/// </summary>
/// <remarks>
/// Streaming: call <see cref="Process"/> with consecutive blocks, then <see cref="Flush"/> once; together they
/// produce exactly <c>ceil(inputLength · to / from)</c> samples, the same as <see cref="Resample"/>.
/// Memory is constant (history of one kernel length plus a block). Equal rates pass samples through unchanged.
/// Not thread-safe; use one instance per stream.
/// </remarks>
public sealed class Resampler
{
    /// <summary>Design stopband attenuation in dB (Kaiser formula).</summary>
    public const double DesignAttenuationDb = 90.0;

    /// <summary>Passband edge as a fraction of the lower rate's Nyquist frequency.</summary>
    public const double PassbandEdge = 0.9;

    /// <summary>Largest supported ratio between the two rates (either direction).</summary>
    public const int MaxRatio = 1024;

    /// <summary>
    /// Changes whenever the output of the same input changes, even in its last bits (2: the taps are summed by
    /// <see cref="Dsp.ReproducibleDot"/>), so caches of features computed from resampled audio can tell.
    /// </summary>
    public const int AlgorithmVersion = 2;

    private const int BlockSize = 4096;
    // Tables above this many coefficients (huge co-prime ratios) are not stored: rows are interpolated per output
    // from the kernel sampled this many times per sinc zero-crossing (linear interpolation error < 2e-6 of the peak).
    private const int MaxTableCoefficients = 1 << 20;
    private const int FineKernelResolution = 512;
    // Tables are immutable, so instances for the same reduced ratio share one; a handful of ratios is typical.
    private const int MaxCachedTables = 16;
    private static readonly ConcurrentDictionary<(int Up, int Down), float[]> s_tables = new();

    private readonly int _up;      // L: output rate / gcd
    private readonly int _down;    // M: input rate / gcd
    private readonly int _half;    // H: taps each side of the output instant
    private readonly int _taps;    // K = 2H
    private readonly double _cutoff;   // 2·fc in cycles per input sample
    private readonly double _beta;
    private readonly double _i0Beta;
    private readonly float[]? _table;  // row p (phase p/L) holds the K taps for x[i-H+1 .. i+H]
    private readonly float[]? _rowScratch;
    private readonly float[]? _fineKernel;   // g(u), u = cutoff·tau, step 1/FineKernelResolution, from u = -H·cutoff
    private readonly double[] _rowValues = [];
    private readonly float[] _history;

    private long _histStart;   // absolute input index of _history[0]
    private int _histCount;
    private long _nextIndex;   // absolute index of the next sample appended (input or flush padding)
    private long _inputCount;  // real input samples received
    private long _outIndex;    // output samples produced
    private long _baseIndex;   // floor(outIndex · M / L)
    private int _phase;        // (outIndex · M) mod L

    /// <summary>Whether <paramref name="fromRate"/> converts to <paramref name="toRate"/>: both positive, ratio within 1:<see cref="MaxRatio"/>.</summary>
    public static bool SupportsRatio(int fromRate, int toRate) =>
        fromRate > 0 && toRate > 0 && (long)fromRate <= (long)toRate * MaxRatio && (long)toRate <= (long)fromRate * MaxRatio;

    /// <summary>Creates a converter from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive, or the ratio exceeds <see cref="MaxRatio"/>.</exception>
    public Resampler(int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        if (!SupportsRatio(fromRate, toRate))
            throw new ArgumentOutOfRangeException(nameof(toRate), $"Resampling {fromRate} Hz to {toRate} Hz exceeds the supported ratio of 1:{MaxRatio}.");
        FromRate = fromRate;
        ToRate = toRate;
        int g = Gcd(fromRate, toRate);
        _up = toRate / g;
        _down = fromRate / g;
        if (_up == _down)
        {
            _history = [];
            return;
        }

        // Kaiser design: transition from 0.9 to 1.0 of the lower Nyquist, cutoff in its middle.
        double ratio = Math.Min(1.0, (double)_up / _down);
        double transition = 2 * Math.PI * 0.5 * (1.0 - PassbandEdge) * ratio;   // rad per input sample
        double length = (DesignAttenuationDb - 7.95) / (2.285 * transition);
        _half = (int)Math.Ceiling(length / 2) + 1;
        _taps = 2 * _half;
        _cutoff = ratio * (1.0 + PassbandEdge) / 2;
        _beta = 0.1102 * (DesignAttenuationDb - 8.7);
        _i0Beta = BesselI0(_beta);
        _rowValues = new double[_taps];

        if ((long)_up * _taps <= MaxTableCoefficients)
        {
            if (!s_tables.TryGetValue((_up, _down), out _table))
            {
                _table = new float[_up * _taps];
                for (int p = 0; p < _up; p++)
                    FillRow(p, _table.AsSpan(p * _taps, _taps));
                if (s_tables.Count < MaxCachedTables)
                    s_tables.TryAdd((_up, _down), _table);
            }
        }
        else
        {
            _rowScratch = new float[_taps];
            double origin = _half * _cutoff * FineKernelResolution;
            _fineKernel = new float[(int)Math.Ceiling(2 * origin) + 2];
            for (int i = 0; i < _fineKernel.Length; i++)
            {
                double tau = (i - origin) / (_cutoff * FineKernelResolution);
                _fineKernel[i] = (float)(Sinc(_cutoff * tau) * Kaiser(tau / _half));
            }
        }
        _history = new float[_taps + BlockSize];
        Reset();
    }

    /// <summary>Input sample rate in Hz.</summary>
    public int FromRate { get; }

    /// <summary>Output sample rate in Hz.</summary>
    public int ToRate { get; }

    /// <summary>Taps per output sample (0 when the rates are equal).</summary>
    public int TapCount => _taps;

    /// <summary>
    /// Upper bound of the samples one <see cref="Process"/> call with <paramref name="inputLength"/> input samples
    /// can write; <c>MaxOutputLength(0)</c> bounds what <see cref="Flush"/> writes.
    /// </summary>
    public int MaxOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        long bound = (((long)inputLength + _half) * _up + _down - 1) / _down + 1;
        return (int)Math.Min(bound, Array.MaxLength);
    }

    /// <summary>
    /// Consumes all of <paramref name="input"/> and writes the output samples that are now complete.
    /// </summary>
    /// <returns>Samples written to <paramref name="output"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="MaxOutputLength"/>.</exception>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        int needed = MaxOutputLength(input.Length);
        if (output.Length < needed)
            throw new ArgumentException($"Output span has {output.Length} samples; Process({input.Length} samples) may write up to {needed} (see MaxOutputLength).", nameof(output));
        return ProcessCore(input, output);
    }

    /// <summary>
    /// Ends the stream: writes the remaining output samples (input treated as zero past its end) so the total is
    /// <c>ceil(inputSamples · to / from)</c>, then resets the instance for a new stream.
    /// </summary>
    /// <returns>Samples written to <paramref name="output"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <c>MaxOutputLength(0)</c>.</exception>
    public int Flush(Span<float> output)
    {
        int needed = MaxOutputLength(0);
        if (output.Length < needed)
            throw new ArgumentException($"Output span has {output.Length} samples; Flush may write up to {needed} (see MaxOutputLength(0)).", nameof(output));
        return FlushCore(output);
    }

    /// <summary>Discards all state, as if newly constructed.</summary>
    public void Reset()
    {
        if (_up == _down)
            return;
        // H zeros stand for the input before time 0.
        Array.Clear(_history, 0, _half);
        _histStart = -_half;
        _histCount = _half;
        _nextIndex = 0;
        _inputCount = 0;
        _outIndex = 0;
        _baseIndex = 0;
        _phase = 0;
    }

    /// <summary>
    /// Resamples a whole signal: exactly <c>ceil(mono.Length · toRate / fromRate)</c> samples
    /// (a copy when the rates are equal).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not positive or the ratio is unsupported.</exception>
    public static float[] Resample(ReadOnlySpan<float> mono, int fromRate, int toRate)
    {
        var resampler = new Resampler(fromRate, toRate);
        long length = OutputLength(mono.Length, resampler._up, resampler._down);
        if (length > Array.MaxLength)
            throw new ArgumentException($"Resampling {mono.Length} samples to {toRate} Hz gives more than {Array.MaxLength} samples.", nameof(mono));
        float[] result = new float[length];
        int written = resampler.ProcessCore(mono, result);
        written += resampler.FlushCore(result.AsSpan(written));
        System.Diagnostics.Debug.Assert(written == result.Length);
        return result;
    }

    private static long OutputLength(long inputLength, int up, int down) => (inputLength * up + down - 1) / down;

    private int ProcessCore(ReadOnlySpan<float> input, Span<float> output)
    {
        if (_up == _down)
        {
            input.CopyTo(output);
            return input.Length;
        }
        int written = 0;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, BlockSize);
            Append(input[..n]);
            _inputCount += n;
            input = input[n..];
            written += Produce(output[written..], long.MaxValue);
        }
        return written;
    }

    private int FlushCore(Span<float> output)
    {
        if (_up == _down)
            return 0;
        long total = OutputLength(_inputCount, _up, _down);
        int written = 0;
        Span<float> zeros = stackalloc float[256];
        zeros.Clear();
        while (_outIndex < total)
        {
            Append(zeros);
            written += Produce(output[written..], total);
        }
        Reset();
        return written;
    }

    private void Append(ReadOnlySpan<float> samples)
    {
        long start = _nextIndex;
        _nextIndex += samples.Length;
        // After a large downsampling jump the history may already start past these samples.
        long skip = Math.Clamp(_histStart + _histCount - start, 0, samples.Length);
        ReadOnlySpan<float> kept = samples[(int)skip..];
        kept.CopyTo(_history.AsSpan(_histCount));
        _histCount += kept.Length;
    }

    private int Produce(Span<float> output, long outLimit)
    {
        int written = 0;
        long available = _histStart + _histCount;
        while (_baseIndex + _half < available && _outIndex < outLimit)
        {
            if (written == output.Length)
                throw new ArgumentException("Output span too small (see MaxOutputLength).", nameof(output));
            int offset = (int)(_baseIndex - _half + 1 - _histStart);
            ReadOnlySpan<float> x = _history.AsSpan(offset, _taps);
            if (_table is not null)
            {
                ReadOnlySpan<float> h = _table.AsSpan(_phase * _taps, _taps);
                // Two outputs at once when the next one is due too: the same sums, computed side by side.
                long nextBase = _baseIndex;
                int nextPhase = _phase + _down;
                if (nextPhase >= _up)
                {
                    nextBase += nextPhase / _up;
                    nextPhase %= _up;
                }
                if (nextBase + _half < available && _outIndex + 1 < outLimit && written + 1 < output.Length)
                {
                    ReadOnlySpan<float> x1 = _history.AsSpan((int)(nextBase - _half + 1 - _histStart), _taps);
                    (output[written], output[written + 1]) = Dsp.ReproducibleDot.ComputePair(x, h, x1, _table.AsSpan(nextPhase * _taps, _taps));
                    written += 2;
                    Advance();
                    Advance();
                    continue;
                }
                output[written++] = Dsp.ReproducibleDot.Compute(x, h);
            }
            else
            {
                InterpolateRow(_phase, _rowScratch!);
                output[written++] = Dsp.ReproducibleDot.Compute(x, _rowScratch);
            }
            Advance();
        }

        // Drop history the next output no longer needs (constant memory).
        long firstNeeded = _baseIndex - _half + 1;
        long drop = firstNeeded - _histStart;
        if (drop >= _histCount)
        {
            _histStart = firstNeeded;
            _histCount = 0;
        }
        else if (drop > 0)
        {
            Array.Copy(_history, (int)drop, _history, 0, _histCount - (int)drop);
            _histCount -= (int)drop;
            _histStart = firstNeeded;
        }
        return written;
    }

    /// <summary>Moves to the next output instant: one output step is M/L input samples.</summary>
    private void Advance()
    {
        _outIndex++;
        _phase += _down;
        if (_phase >= _up)
        {
            _baseIndex += _phase / _up;
            _phase %= _up;
        }
    }

    /// <summary>Taps for output instants at phase p/L past an input sample, normalised to unit DC gain.</summary>
    private void FillRow(int phase, Span<float> row)
    {
        double offset = (double)phase / _up;
        double sum = 0;
        Span<double> values = _rowValues;
        for (int j = 0; j < _taps; j++)
        {
            double tau = offset + _half - 1 - j;  // distance from the output instant to input sample j
            double v = _cutoff * Sinc(_cutoff * tau) * Kaiser(tau / _half);
            values[j] = v;
            sum += v;
        }
        for (int j = 0; j < _taps; j++)
            row[j] = (float)(values[j] / sum);
    }

    /// <summary>Like <see cref="FillRow"/> but linearly interpolated from <see cref="_fineKernel"/> (no transcendentals).</summary>
    private void InterpolateRow(int phase, Span<float> row)
    {
        float[] kernel = _fineKernel!;
        double scale = _cutoff * FineKernelResolution;
        double start = ((double)phase / _up + _half - 1) * scale + _half * scale;
        double sum = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double pos = start - j * scale;
            int i = (int)pos;
            float frac = (float)(pos - i);
            float v = kernel[i] + frac * (kernel[i + 1] - kernel[i]);
            row[j] = v;
            sum += v;
        }
        TensorPrimitives.Multiply(row, (float)(1.0 / sum), row);
    }

    private static double Sinc(double x)
    {
        if (Math.Abs(x) < 1e-12)
            return 1.0;
        double px = Math.PI * x;
        return Math.Sin(px) / px;
    }

    private double Kaiser(double x)
    {
        double t = 1.0 - x * x;
        return t <= 0 ? 0 : BesselI0(_beta * Math.Sqrt(t)) / _i0Beta;
    }

    private static double BesselI0(double x)
    {
        // Power series; converges quickly for the beta values used here (< 20).
        double sum = 1.0, term = 1.0, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17)
                break;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
