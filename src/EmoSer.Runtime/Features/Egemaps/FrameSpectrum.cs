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

    /// <summary>The windowed frame as it went into the FFT (unpadded), valid after <see cref="Compute"/>.</summary>
    public ReadOnlySpan<float> Windowed => _padded.AsSpan(_offset, _window.Length);

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
