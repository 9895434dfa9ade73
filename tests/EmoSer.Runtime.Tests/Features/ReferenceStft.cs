namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// Test-only magnitude STFT with librosa.stft's defaults (periodic Hann, centred frames, zero padding,
/// hop n_fft/4): a plain double-precision radix-2 FFT, rounded to complex64 before the magnitude as librosa
/// stores it. Independent of the runtime's own FFT so that the chroma blocks are checked on their own.
/// </summary>
internal sealed class ReferenceStft
{
    private readonly int _n;
    private readonly double[] _window;
    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly int[] _bitReverse;
    private readonly double[] _re;
    private readonly double[] _im;

    public ReferenceStft(int nFft = 2048)
    {
        if (nFft < 2 || (nFft & (nFft - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(nFft), "power of two expected");
        _n = nFft;
        _window = new double[nFft];
        for (int i = 0; i < nFft; i++)
            _window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / nFft);
        _cos = new double[nFft / 2];
        _sin = new double[nFft / 2];
        for (int i = 0; i < nFft / 2; i++)
        {
            _cos[i] = Math.Cos(2 * Math.PI * i / nFft);
            _sin[i] = -Math.Sin(2 * Math.PI * i / nFft);
        }
        int bits = System.Numerics.BitOperations.Log2((uint)nFft);
        _bitReverse = new int[nFft];
        for (int i = 0; i < nFft; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++)
                r |= ((i >> b) & 1) << (bits - 1 - b);
            _bitReverse[i] = r;
        }
        _re = new double[nFft];
        _im = new double[nFft];
    }

    public int FftSize => _n;
    public int BinCount => _n / 2 + 1;
    public int Hop => _n / 4;

    /// <summary>Frame-major magnitudes: frames × (n/2 + 1).</summary>
    public float[] Magnitudes(ReadOnlySpan<float> y, out int frames)
    {
        int pad = _n / 2;
        frames = 1 + y.Length / Hop;
        var result = new float[frames * BinCount];
        for (int t = 0; t < frames; t++)
        {
            int start = t * Hop - pad;
            for (int i = 0; i < _n; i++)
            {
                int s = start + i;
                double x = s >= 0 && s < y.Length ? y[s] : 0.0;
                _re[_bitReverse[i]] = x * _window[i];
                _im[_bitReverse[i]] = 0.0;
            }
            Fft();
            Span<float> row = result.AsSpan(t * BinCount, BinCount);
            for (int k = 0; k < BinCount; k++)
            {
                float re = (float)_re[k], im = (float)_im[k];
                row[k] = (float)Math.Sqrt((double)re * re + (double)im * im);
            }
        }
        return result;
    }

    private void Fft()
    {
        for (int size = 2; size <= _n; size <<= 1)
        {
            int half = size / 2, stride = _n / size;
            for (int start = 0; start < _n; start += size)
            {
                for (int j = 0; j < half; j++)
                {
                    double wr = _cos[j * stride], wi = _sin[j * stride];
                    int a = start + j, b = a + half;
                    double tr = _re[b] * wr - _im[b] * wi;
                    double ti = _re[b] * wi + _im[b] * wr;
                    _re[b] = _re[a] - tr;
                    _im[b] = _im[a] - ti;
                    _re[a] += tr;
                    _im[a] += ti;
                }
            }
        }
    }
}
