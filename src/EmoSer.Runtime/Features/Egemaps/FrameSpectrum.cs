using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// One windowed frame's spectrum as openSMILE's cWindower, cTransformFFT and cFFTmagphase compute it: each
/// sample times the window rounded to float, the frame centred in a power-of-two zero padding
/// (zeroPadSymmetric), a real FFT, and the float magnitude sqrt(re^2 + im^2). Keeps the complex spectrum too
/// (the formant resampler needs its phase, which the centring shifts).
/// </summary>
internal sealed class FrameSpectrum
{
    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float[] _padded;
    private readonly int _offset;

    public FrameSpectrum(int frameLength, int fftSize, double[] window)
    {
        _fft = new RealFft(fftSize);
        _window = new float[frameLength];
        for (int i = 0; i < frameLength; i++)
            _window[i] = (float)window[i];
        _padded = new float[fftSize];
        _offset = (fftSize - frameLength) / 2;
        Bins = fftSize / 2 + 1;
        Re = new float[Bins];
        Im = new float[Bins];
        Magnitude = new float[Bins];
    }

    public int Bins { get; }

    /// <summary>Real parts of the last frame's spectrum (numpy sign convention).</summary>
    public float[] Re { get; }

    /// <summary>Imaginary parts of the last frame's spectrum (numpy sign convention: Ooura's sine sum negated).</summary>
    public float[] Im { get; }

    public float[] Magnitude { get; }

    public void Compute(ReadOnlySpan<float> frame)
    {
        Span<float> dst = _padded.AsSpan(_offset, _window.Length);
        System.Numerics.Tensors.TensorPrimitives.Multiply(frame[.._window.Length], _window, dst);
        _fft.Forward(_padded, Re, Im);
        float[] re = Re, im = Im, mag = Magnitude;
        // Bins 0 and n/2 are |real|, the others the float hypotenuse, as cFFTmagphase.
        System.Numerics.Tensors.TensorPrimitives.Multiply(re, re, mag);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(im, im, mag, mag);
        System.Numerics.Tensors.TensorPrimitives.Sqrt(mag, mag);
    }

    /// <summary>The frame's window rounded to float (what <see cref="Compute"/> multiplies the samples by).</summary>
    public ReadOnlySpan<float> Window => _window;

    /// <summary>
    /// Sums over i of <c>(double)(w[i] x[i])^2</c> (the square in float, the sum in double in sample order; w = 1 when
    /// <paramref name="window"/> is empty) for <paramref name="sums"/>.Length (1 to 4) frames of
    /// <paramref name="frameLength"/> samples starting every <paramref name="step"/> samples of
    /// <paramref name="signal"/>: the energies openSMILE takes of a frame. A sum is one serial chain of additions;
    /// the Vector256 path runs the frames' chains side by side, one per lane, each in the scalar order.
    /// </summary>
    internal static void SumsOfSquares(ReadOnlySpan<float> signal, int step, int frameLength, ReadOnlySpan<float> window, Span<double> sums)
    {
        int count = sums.Length;
        if (count < 1 || count > 4)
            throw new ArgumentOutOfRangeException(nameof(sums), count, "1 to 4 frames at once.");
        bool windowed = !window.IsEmpty;
        if (!Vector256.IsHardwareAccelerated || count == 1)
        {
            for (int j = 0; j < count; j++)
                sums[j] = SumOfSquares(signal.Slice(j * step, frameLength), window);
            return;
        }
        // lanes beyond count repeat the first frame
        int o1 = count > 1 ? step : 0, o2 = count > 2 ? 2 * step : 0, o3 = count > 3 ? 3 * step : 0;
        ref float x = ref MemoryMarshal.GetReference(signal);
        ref float w = ref MemoryMarshal.GetReference(window);
        Vector256<double> acc = Vector256<double>.Zero;
        for (int i = 0; i < frameLength; i++)
        {
            Vector128<float> v = Vector128.Create(Unsafe.Add(ref x, i), Unsafe.Add(ref x, o1 + i), Unsafe.Add(ref x, o2 + i), Unsafe.Add(ref x, o3 + i));
            if (windowed)
                v *= Vector128.Create(Unsafe.Add(ref w, i));
            acc += Vector256.WidenLower((v * v).ToVector256Unsafe());
        }
        for (int j = 0; j < count; j++)
            sums[j] = acc.GetElement(j);
    }

    /// <summary>The scalar reference of <see cref="SumsOfSquares"/> for one frame.</summary>
    internal static double SumOfSquares(ReadOnlySpan<float> frame, ReadOnlySpan<float> window)
    {
        double e = 0.0;
        if (window.IsEmpty)
        {
            foreach (float v in frame)
                e += v * v;
            return e;
        }
        for (int i = 0; i < frame.Length; i++)
        {
            float v = frame[i] * window[i];
            e += v * v;
        }
        return e;
    }

    /// <summary>Hamming window of openSMILE (symmetric, 0.54 - 0.46 cos(2 pi i / (N - 1))).</summary>
    public static double[] Hamming(int n)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++)
            w[i] = 0.54 - 0.46 * Math.Cos(2.0 * Math.PI * i / (n - 1.0));
        return w;
    }

    /// <summary>Gaussian window of openSMILE: exp(-0.5 ((i - (N-1)/2) / (sigma (N-1)/2))^2).</summary>
    public static double[] Gauss(int n, double sigma)
    {
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t = (i - (n - 1.0) / 2.0) / (sigma * (n - 1.0) / 2.0);
            w[i] = Math.Exp(-0.5 * (t * t));
        }
        return w;
    }
}
