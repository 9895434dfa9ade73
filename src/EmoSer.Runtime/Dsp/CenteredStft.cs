using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Dsp;

/// <summary>
/// Frames of a centred short-time Fourier transform as librosa 0.11 computes them by default
/// (<c>librosa.stft(y, n_fft=2048, hop_length=512, window='hann', center=True, pad_mode='constant')</c>):
/// frame t is the periodic-Hann-windowed span of <c>n_fft</c> samples centred on sample <c>t * hop</c>, with
/// zeros outside the signal, so a signal of L samples has <c>1 + L / hop</c> frames.
/// Each call computes one frame into caller-owned spans and allocates nothing.
/// </summary>
/// <remarks>Holds scratch buffers: one instance per thread.</remarks>
internal sealed class CenteredStft
{
    private readonly RealFft _fft;
    private readonly double[] _window;
    private readonly double[] _frame;
    private readonly float[] _re;
    private readonly float[] _im;

    /// <summary>Creates the transform.</summary>
    /// <param name="nFft">Frame and FFT length, a power of two &gt;= 16 (librosa default 2048).</param>
    /// <param name="hopLength">Samples between frame centres, &gt; 0 (librosa default n_fft / 4 = 512).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public CenteredStft(int nFft = 2048, int hopLength = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hopLength);
        _fft = new RealFft(nFft);
        NFft = nFft;
        HopLength = hopLength;
        // librosa multiplies the float32 samples by scipy's float64 window, so the product is float64.
        _window = new double[nFft];
        Windows.Hann(_window.AsSpan(), periodic: true);
        _frame = new double[nFft];
        _re = new float[BinCount];
        _im = new float[BinCount];
    }

    /// <summary>Frame length (FFT size).</summary>
    public int NFft { get; }

    /// <summary>Samples between frame centres.</summary>
    public int HopLength { get; }

    /// <summary>Bins per frame, <c>NFft / 2 + 1</c>.</summary>
    public int BinCount => NFft / 2 + 1;

    /// <summary>Number of centred frames of a signal of <paramref name="signalLength"/> samples: <c>1 + L / hop</c>.</summary>
    public int FrameCount(int signalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(signalLength);
        return 1 + signalLength / HopLength;
    }

    /// <summary>
    /// Magnitude and power (magnitude squared) of frame <paramref name="frameIndex"/> of <paramref name="signal"/>.
    /// </summary>
    /// <param name="signal">The whole signal; samples outside it count as zeros.</param>
    /// <param name="frameIndex">Frame number; its centre is <c>frameIndex * HopLength</c>.</param>
    /// <param name="magnitude">Receives <see cref="BinCount"/> magnitudes |X[k]|.</param>
    /// <param name="power">Receives <see cref="BinCount"/> powers |X[k]|^2.</param>
    public void ComputeFrame(ReadOnlySpan<float> signal, int frameIndex, Span<float> magnitude, Span<float> power) =>
        ComputeFrameAt(signal, (long)frameIndex * HopLength, magnitude, power);

    /// <summary>
    /// Magnitude and power of the frame centred on sample <paramref name="centre"/> of <paramref name="signal"/>
    /// (zeros outside the signal).
    /// </summary>
    public void ComputeFrameAt(ReadOnlySpan<float> signal, long centre, Span<float> magnitude, Span<float> power)
    {
        int bins = BinCount;
        if (magnitude.Length < bins || power.Length < bins)
            throw new ArgumentException($"Output spans need {bins} bins.", magnitude.Length < bins ? nameof(magnitude) : nameof(power));

        long start = centre - NFft / 2;
        long from = Math.Max(0, start);
        long to = Math.Min(signal.Length, start + NFft);
        if (start >= 0 && start + NFft <= signal.Length)
        {
            _fft.ForwardWindowed(signal.Slice((int)start, NFft), _window, _re, _im);
            MagnitudeAndPower(_re, _im, magnitude[..bins], power[..bins]);
            return;
        }

        // Edge frame: zero padding, windowed into the frame buffer first.
        Span<double> frame = _frame;
        if (from >= to)
        {
            frame.Clear();
        }
        else
        {
            int lead = (int)(from - start);
            int count = (int)(to - from);
            frame[..lead].Clear();
            frame[(lead + count)..].Clear();
            ReadOnlySpan<float> x = signal.Slice((int)from, count);
            ReadOnlySpan<double> w = _window.AsSpan(lead, count);
            Span<double> f = frame.Slice(lead, count);
            for (int i = 0; i < f.Length; i++)
                f[i] = x[i] * w[i];
        }

        _fft.ForwardDouble(frame, _re, _im);
        MagnitudeAndPower(_re, _im, magnitude[..bins], power[..bins]);
    }

    /// <summary>
    /// |X| as numpy's abs of complex64 gives it (hypotf: the double-precision root rounded to float), and
    /// the power as librosa's <c>abs(D) ** 2</c> in float32.
    /// </summary>
    private static void MagnitudeAndPower(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> magnitude, Span<float> power)
    {
        int n = re.Length, k = 0;
        ref float r = ref MemoryMarshal.GetReference(re);
        ref float i = ref MemoryMarshal.GetReference(im);
        ref float m = ref MemoryMarshal.GetReference(magnitude);
        ref float p = ref MemoryMarshal.GetReference(power);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k + 8 <= n; k += 8)
            {
                var vr = Vector256.LoadUnsafe(ref r, (nuint)k);
                var vi = Vector256.LoadUnsafe(ref i, (nuint)k);
                var (rl, rh) = Vector256.Widen(vr);
                var (il, ih) = Vector256.Widen(vi);
                var mag = Vector256.Narrow(Vector256.Sqrt(rl * rl + il * il), Vector256.Sqrt(rh * rh + ih * ih));
                mag.StoreUnsafe(ref m, (nuint)k);
                (mag * mag).StoreUnsafe(ref p, (nuint)k);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; k + 4 <= n; k += 4)
            {
                var vr = Vector128.LoadUnsafe(ref r, (nuint)k);
                var vi = Vector128.LoadUnsafe(ref i, (nuint)k);
                var (rl, rh) = Vector128.Widen(vr);
                var (il, ih) = Vector128.Widen(vi);
                var mag = Vector128.Narrow(Vector128.Sqrt(rl * rl + il * il), Vector128.Sqrt(rh * rh + ih * ih));
                mag.StoreUnsafe(ref m, (nuint)k);
                (mag * mag).StoreUnsafe(ref p, (nuint)k);
            }
        }
        for (; k < n; k++)
        {
            double a = Unsafe.Add(ref r, k), b = Unsafe.Add(ref i, k);
            float mag = (float)Math.Sqrt(a * a + b * b);
            Unsafe.Add(ref m, k) = mag;
            Unsafe.Add(ref p, k) = mag * mag;
        }
    }
}
