using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Dsp;

/// <summary>
/// Real-input FFT of a power-of-two size n &gt;= 16 with single-precision input and output, computed in
/// double precision: the n real samples are packed as n/2 complex values, transformed by an iterative
/// radix-2 complex FFT (bit-reversed load with the first two stages fused, then two stages per pass over the
/// data, vectorised with Vector256/Vector128 over split real/imaginary arrays) and untangled into the
/// n/2 + 1 bins of the real spectrum, which are rounded to float once. This is what librosa's STFT does (float32 samples times a
/// float64 window, float64 FFT, result stored as complex64), so our magnitudes are librosa's to the last
/// bit almost everywhere; decisions like the tuning histogram's depend on that.
/// </summary>
/// <remarks>
/// An instance holds scratch buffers, so one instance must not be used by two threads at once.
/// <see cref="Forward"/> and <see cref="Inverse"/> allocate nothing.
/// </remarks>
public sealed class RealFft
{
    private readonly int _n;
    private readonly int _m;          // complex size n/2
    private readonly int[] _bitReverse;
    // Twiddles of the stage whose butterflies span 2h: exp(-2 pi i j / (2h)) for j < h at [h + j].
    private readonly double[] _twRe;
    private readonly double[] _twIm;
    // Untangling twiddles exp(-2 pi i k / n) for k <= m/2.
    private readonly double[] _postRe;
    private readonly double[] _postIm;
    private readonly double[] _zRe;
    private readonly double[] _zIm;
    private readonly int _vectorBits;

    /// <summary>Creates a transform of <paramref name="n"/> real samples.</summary>
    /// <param name="n">Transform size: a power of two, at least 16.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not a power of two &gt;= 16.</exception>
    public RealFft(int n) : this(n, int.MaxValue)
    {
    }

    /// <summary>Test hook: limits the SIMD width used by the butterflies (0 = scalar, 128, 256).</summary>
    internal RealFft(int n, int maxVectorBits)
    {
        if (n < 16 || !BitOperations.IsPow2(n))
            throw new ArgumentOutOfRangeException(nameof(n), n, "The FFT size must be a power of two and at least 16.");
        _n = n;
        _m = n / 2;
        _vectorBits = maxVectorBits >= 256 && Vector256.IsHardwareAccelerated ? 256
            : maxVectorBits >= 128 && Vector128.IsHardwareAccelerated ? 128
            : 0;

        int bits = BitOperations.Log2((uint)_m);
        _bitReverse = new int[_m];
        for (int i = 0; i < _m; i++)
            _bitReverse[i] = (int)(ReverseBits((uint)i) >> (32 - bits));

        _twRe = new double[_m];
        _twIm = new double[_m];
        for (int h = 1; h < _m; h *= 2)
        {
            for (int j = 0; j < h; j++)
            {
                double angle = -Math.PI * j / h;
                _twRe[h + j] = Math.Cos(angle);
                _twIm[h + j] = Math.Sin(angle);
            }
        }

        _postRe = new double[_m / 2 + 1];
        _postIm = new double[_m / 2 + 1];
        for (int k = 0; k <= _m / 2; k++)
        {
            double angle = -2.0 * Math.PI * k / n;
            _postRe[k] = Math.Cos(angle);
            _postIm[k] = Math.Sin(angle);
        }

        _zRe = new double[_m];
        _zIm = new double[_m];
    }

    /// <summary>Number of real samples per transform.</summary>
    public int Size => _n;

    /// <summary>Number of spectrum bins, n/2 + 1.</summary>
    public int BinCount => _m + 1;

    /// <summary>
    /// Spectrum of <paramref name="input"/>: <c>X[k] = sum_t x[t] exp(-2 pi i k t / n)</c> for k = 0..n/2
    /// (unscaled, as numpy.fft.rfft).
    /// </summary>
    /// <param name="input">n real samples.</param>
    /// <param name="re">Receives the n/2 + 1 real parts.</param>
    /// <param name="im">Receives the n/2 + 1 imaginary parts (bins 0 and n/2 are 0).</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> re, Span<float> im)
    {
        if (input.Length != _n)
            throw new ArgumentException($"Input has {input.Length} samples; this FFT takes {_n}.", nameof(input));
        if (re.Length < _m + 1 || im.Length < _m + 1)
            throw new ArgumentException($"Output spans need {_m + 1} bins.", re.Length < _m + 1 ? nameof(re) : nameof(im));

        LoadBitReversedRadix4(input);
        LaterStages();

        Untangle(re[..(_m + 1)], im[..(_m + 1)]);
    }

    /// <summary>
    /// <see cref="Forward"/> of a double-precision input (the STFT's zero-padded edge frames, windowed in
    /// float64 like librosa's window product).
    /// </summary>
    internal void ForwardDouble(ReadOnlySpan<double> input, Span<float> re, Span<float> im)
    {
        if (input.Length != _n)
            throw new ArgumentException($"Input has {input.Length} samples; this FFT takes {_n}.", nameof(input));
        if (re.Length < _m + 1 || im.Length < _m + 1)
            throw new ArgumentException($"Output spans need {_m + 1} bins.", re.Length < _m + 1 ? nameof(re) : nameof(im));
        LoadBitReversedRadix4(input);
        LaterStages();
        Untangle(re[..(_m + 1)], im[..(_m + 1)]);
    }

    /// <summary>
    /// Spectrum of <c>x[t] * window[t]</c>, the product formed in double precision while loading (the STFT's
    /// interior frames: no separate windowing pass).
    /// </summary>
    internal void ForwardWindowed(ReadOnlySpan<float> x, ReadOnlySpan<double> window, Span<float> re, Span<float> im)
    {
        if (x.Length != _n || window.Length != _n)
            throw new ArgumentException($"Input and window need {_n} samples.", nameof(x));
        if (re.Length < _m + 1 || im.Length < _m + 1)
            throw new ArgumentException($"Output spans need {_m + 1} bins.", re.Length < _m + 1 ? nameof(re) : nameof(im));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref double w = ref MemoryMarshal.GetReference(window);
        ref int rev = ref MemoryMarshal.GetArrayDataReference(_bitReverse);
        ref double r = ref MemoryMarshal.GetArrayDataReference(_zRe);
        ref double i = ref MemoryMarshal.GetArrayDataReference(_zIm);
        for (int s = 0; s < _m; s += 4)
        {
            int p0 = 2 * Unsafe.Add(ref rev, s), p1 = 2 * Unsafe.Add(ref rev, s + 1);
            int p2 = 2 * Unsafe.Add(ref rev, s + 2), p3 = 2 * Unsafe.Add(ref rev, s + 3);
            Radix4(ref r, ref i, s,
                Unsafe.Add(ref xs, p0) * Unsafe.Add(ref w, p0), Unsafe.Add(ref xs, p0 + 1) * Unsafe.Add(ref w, p0 + 1),
                Unsafe.Add(ref xs, p1) * Unsafe.Add(ref w, p1), Unsafe.Add(ref xs, p1 + 1) * Unsafe.Add(ref w, p1 + 1),
                Unsafe.Add(ref xs, p2) * Unsafe.Add(ref w, p2), Unsafe.Add(ref xs, p2 + 1) * Unsafe.Add(ref w, p2 + 1),
                Unsafe.Add(ref xs, p3) * Unsafe.Add(ref w, p3), Unsafe.Add(ref xs, p3 + 1) * Unsafe.Add(ref w, p3 + 1));
        }
        LaterStages();
        Untangle(re[..(_m + 1)], im[..(_m + 1)]);
    }

    /// <summary>
    /// Inverse of <see cref="Forward"/>: real signal from its n/2 + 1 bins, scaled by 1/n so that
    /// <c>Inverse(Forward(x)) == x</c>. The imaginary parts of bins 0 and n/2 are ignored.
    /// </summary>
    /// <param name="re">n/2 + 1 real parts.</param>
    /// <param name="im">n/2 + 1 imaginary parts.</param>
    /// <param name="output">Receives n samples.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> output)
    {
        if (re.Length < _m + 1 || im.Length < _m + 1)
            throw new ArgumentException($"Input spans need {_m + 1} bins.", re.Length < _m + 1 ? nameof(re) : nameof(im));
        if (output.Length != _n)
            throw new ArgumentException($"Output has {output.Length} samples; this FFT produces {_n}.", nameof(output));

        // Z[k] = E[k] + i O[k] with E[k] = (X[k] + conj X[m-k]) / 2, O[k] = (X[k] - conj X[m-k]) W^-k / 2.
        // The inverse complex FFT is done as a forward FFT with real and imaginary parts swapped, so the
        // arrays are filled swapped (and bit-reversed).
        ref int rev = ref MemoryMarshal.GetArrayDataReference(_bitReverse);
        int half = _m / 2;
        for (int k = 0; k <= half; k++)
        {
            // a = X[k], b = X[m-k]; the DC and Nyquist bins are real.
            double ar = re[k], ai = k == 0 ? 0 : im[k];
            double br = re[_m - k], bi = k == 0 ? 0 : im[_m - k];
            double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
            double dr = 0.5 * (ar - br), di = 0.5 * (ai + bi);
            double wr = _postRe[k], wi = -_postIm[k];   // conj(W^k)
            double or = dr * wr - di * wi, oi = dr * wi + di * wr;
            // Z[k] = E + iO; Z[m-k] = conj(E) + i conj(O) (E[m-k] = conj E[k], O[m-k] = conj O[k]).
            SetSwapped(ref rev, k, er - oi, ei + or);
            if (k != 0 && k != _m - k)
                SetSwapped(ref rev, _m - k, er + oi, or - ei);
        }

        ComplexStages(_zRe, _zIm);

        double scale = 1.0 / _m;
        for (int j = 0; j < _m; j++)
        {
            // Swapped back: real part is in _zIm, imaginary in _zRe.
            output[2 * j] = (float)(_zIm[j] * scale);
            output[2 * j + 1] = (float)(_zRe[j] * scale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetSwapped(ref int rev, int k, double zr, double zi)
    {
        // Input of a DIT FFT is in bit-reversed order: position p holds element rev[p]; rev is an involution.
        int p = Unsafe.Add(ref rev, k);
        _zRe[p] = zi;
        _zIm[p] = zr;
    }

    /// <summary>
    /// Loads z[j] = x[2j] + i x[2j+1] in bit-reversed order and applies the first two radix-2 stages
    /// (twiddles 1 and -i) as one radix-4 butterfly per group of four, in a single pass.
    /// </summary>
    private void LoadBitReversedRadix4(ReadOnlySpan<float> input)
    {
        ref float x = ref MemoryMarshal.GetReference(input);
        ref int rev = ref MemoryMarshal.GetArrayDataReference(_bitReverse);
        ref double r = ref MemoryMarshal.GetArrayDataReference(_zRe);
        ref double i = ref MemoryMarshal.GetArrayDataReference(_zIm);
        for (int s = 0; s < _m; s += 4)
        {
            int p0 = 2 * Unsafe.Add(ref rev, s), p1 = 2 * Unsafe.Add(ref rev, s + 1);
            int p2 = 2 * Unsafe.Add(ref rev, s + 2), p3 = 2 * Unsafe.Add(ref rev, s + 3);
            Radix4(ref r, ref i, s,
                Unsafe.Add(ref x, p0), Unsafe.Add(ref x, p0 + 1), Unsafe.Add(ref x, p1), Unsafe.Add(ref x, p1 + 1),
                Unsafe.Add(ref x, p2), Unsafe.Add(ref x, p2 + 1), Unsafe.Add(ref x, p3), Unsafe.Add(ref x, p3 + 1));
        }
    }

    private void LoadBitReversedRadix4(ReadOnlySpan<double> input)
    {
        ref double x = ref MemoryMarshal.GetReference(input);
        ref int rev = ref MemoryMarshal.GetArrayDataReference(_bitReverse);
        ref double r = ref MemoryMarshal.GetArrayDataReference(_zRe);
        ref double i = ref MemoryMarshal.GetArrayDataReference(_zIm);
        for (int s = 0; s < _m; s += 4)
        {
            int p0 = 2 * Unsafe.Add(ref rev, s), p1 = 2 * Unsafe.Add(ref rev, s + 1);
            int p2 = 2 * Unsafe.Add(ref rev, s + 2), p3 = 2 * Unsafe.Add(ref rev, s + 3);
            Radix4(ref r, ref i, s,
                Unsafe.Add(ref x, p0), Unsafe.Add(ref x, p0 + 1), Unsafe.Add(ref x, p1), Unsafe.Add(ref x, p1 + 1),
                Unsafe.Add(ref x, p2), Unsafe.Add(ref x, p2 + 1), Unsafe.Add(ref x, p3), Unsafe.Add(ref x, p3 + 1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Radix4(ref double r, ref double i, int s,
        double a0r, double a0i, double a1r, double a1i, double a2r, double a2i, double a3r, double a3i)
    {
        double b0r = a0r + a1r, b0i = a0i + a1i;
        double b1r = a0r - a1r, b1i = a0i - a1i;
        double b2r = a2r + a3r, b2i = a2i + a3i;
        double b3r = a2r - a3r, b3i = a2i - a3i;
        Unsafe.Add(ref r, s) = b0r + b2r; Unsafe.Add(ref i, s) = b0i + b2i;
        Unsafe.Add(ref r, s + 2) = b0r - b2r; Unsafe.Add(ref i, s + 2) = b0i - b2i;
        // (-i) * b3 = b3i - i b3r
        Unsafe.Add(ref r, s + 1) = b1r + b3i; Unsafe.Add(ref i, s + 1) = b1i - b3r;
        Unsafe.Add(ref r, s + 3) = b1r - b3i; Unsafe.Add(ref i, s + 3) = b1i + b3r;
    }

    private void ComplexStages(double[] reArr, double[] imArr)
    {
        ref double r = ref MemoryMarshal.GetArrayDataReference(reArr);
        ref double i = ref MemoryMarshal.GetArrayDataReference(imArr);
        for (int s = 0; s < _m; s += 4)
        {
            Radix4(ref r, ref i, s,
                Unsafe.Add(ref r, s), Unsafe.Add(ref i, s), Unsafe.Add(ref r, s + 1), Unsafe.Add(ref i, s + 1),
                Unsafe.Add(ref r, s + 2), Unsafe.Add(ref i, s + 2), Unsafe.Add(ref r, s + 3), Unsafe.Add(ref i, s + 3));
        }
        LaterStages();
    }

    /// <summary>Radix-2 stages with half-span h = 4 .. m/2, vectorised over the butterflies of a group.</summary>
    private void LaterStages()
    {
        int m = _m;
        ref double r = ref MemoryMarshal.GetArrayDataReference(_zRe);
        ref double i = ref MemoryMarshal.GetArrayDataReference(_zIm);
        ref double twr = ref MemoryMarshal.GetArrayDataReference(_twRe);
        ref double twi = ref MemoryMarshal.GetArrayDataReference(_twIm);
        int h = 4;
        // Two radix-2 stages per pass over the data (h and 2h), then a last single stage if the count is odd.
        for (; 2 * h < m; h *= 4)
        {
            if (_vectorBits == 256)
                TwoStages256(ref r, ref i, ref twr, ref twi, h, m);
            else if (_vectorBits == 128)
                TwoStages128(ref r, ref i, ref twr, ref twi, h, m);
            else
                TwoStagesScalar(ref r, ref i, ref twr, ref twi, h, m);
        }
        if (h < m)
        {
            if (_vectorBits == 256)
                Stage256(ref r, ref i, ref twr, ref twi, h, m);
            else if (_vectorBits == 128)
                Stage128(ref r, ref i, ref twr, ref twi, h, m);
            else
                StageScalar(ref r, ref i, ref twr, ref twi, h, m);
        }
    }

    /// <summary>
    /// Stages h and 2h fused: on a, b, c, d = z[s+j], z[s+j+h], z[s+j+2h], z[s+j+3h], stage h pairs (a,b) and
    /// (c,d) with twiddle w_h^j, stage 2h pairs (a',c') with w_2h^j and (b',d') with w_2h^(j+h).
    /// </summary>
    private static void TwoStages256(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 4 * h)
        {
            for (int j = 0; j < h; j += 4)
            {
                var w1r = Vector256.LoadUnsafe(ref twr, (nuint)(h + j));
                var w1i = Vector256.LoadUnsafe(ref twi, (nuint)(h + j));
                var w2r = Vector256.LoadUnsafe(ref twr, (nuint)(2 * h + j));
                var w2i = Vector256.LoadUnsafe(ref twi, (nuint)(2 * h + j));
                var w3r = Vector256.LoadUnsafe(ref twr, (nuint)(3 * h + j));
                var w3i = Vector256.LoadUnsafe(ref twi, (nuint)(3 * h + j));
                nuint pa = (nuint)(s + j), pb = pa + (nuint)h, pc = pb + (nuint)h, pd = pc + (nuint)h;
                var ar = Vector256.LoadUnsafe(ref r, pa); var ai = Vector256.LoadUnsafe(ref i, pa);
                var br = Vector256.LoadUnsafe(ref r, pb); var bi = Vector256.LoadUnsafe(ref i, pb);
                var cr = Vector256.LoadUnsafe(ref r, pc); var ci = Vector256.LoadUnsafe(ref i, pc);
                var dr = Vector256.LoadUnsafe(ref r, pd); var di = Vector256.LoadUnsafe(ref i, pd);

                var tr = br * w1r - bi * w1i; var ti = br * w1i + bi * w1r;
                var a1r = ar + tr; var a1i = ai + ti; var b1r = ar - tr; var b1i = ai - ti;
                tr = dr * w1r - di * w1i; ti = dr * w1i + di * w1r;
                var c1r = cr + tr; var c1i = ci + ti; var d1r = cr - tr; var d1i = ci - ti;

                tr = c1r * w2r - c1i * w2i; ti = c1r * w2i + c1i * w2r;
                (a1r + tr).StoreUnsafe(ref r, pa); (a1i + ti).StoreUnsafe(ref i, pa);
                (a1r - tr).StoreUnsafe(ref r, pc); (a1i - ti).StoreUnsafe(ref i, pc);
                tr = d1r * w3r - d1i * w3i; ti = d1r * w3i + d1i * w3r;
                (b1r + tr).StoreUnsafe(ref r, pb); (b1i + ti).StoreUnsafe(ref i, pb);
                (b1r - tr).StoreUnsafe(ref r, pd); (b1i - ti).StoreUnsafe(ref i, pd);
            }
        }
    }

    private static void TwoStages128(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 4 * h)
        {
            for (int j = 0; j < h; j += 2)
            {
                var w1r = Vector128.LoadUnsafe(ref twr, (nuint)(h + j));
                var w1i = Vector128.LoadUnsafe(ref twi, (nuint)(h + j));
                var w2r = Vector128.LoadUnsafe(ref twr, (nuint)(2 * h + j));
                var w2i = Vector128.LoadUnsafe(ref twi, (nuint)(2 * h + j));
                var w3r = Vector128.LoadUnsafe(ref twr, (nuint)(3 * h + j));
                var w3i = Vector128.LoadUnsafe(ref twi, (nuint)(3 * h + j));
                nuint pa = (nuint)(s + j), pb = pa + (nuint)h, pc = pb + (nuint)h, pd = pc + (nuint)h;
                var ar = Vector128.LoadUnsafe(ref r, pa); var ai = Vector128.LoadUnsafe(ref i, pa);
                var br = Vector128.LoadUnsafe(ref r, pb); var bi = Vector128.LoadUnsafe(ref i, pb);
                var cr = Vector128.LoadUnsafe(ref r, pc); var ci = Vector128.LoadUnsafe(ref i, pc);
                var dr = Vector128.LoadUnsafe(ref r, pd); var di = Vector128.LoadUnsafe(ref i, pd);

                var tr = br * w1r - bi * w1i; var ti = br * w1i + bi * w1r;
                var a1r = ar + tr; var a1i = ai + ti; var b1r = ar - tr; var b1i = ai - ti;
                tr = dr * w1r - di * w1i; ti = dr * w1i + di * w1r;
                var c1r = cr + tr; var c1i = ci + ti; var d1r = cr - tr; var d1i = ci - ti;

                tr = c1r * w2r - c1i * w2i; ti = c1r * w2i + c1i * w2r;
                (a1r + tr).StoreUnsafe(ref r, pa); (a1i + ti).StoreUnsafe(ref i, pa);
                (a1r - tr).StoreUnsafe(ref r, pc); (a1i - ti).StoreUnsafe(ref i, pc);
                tr = d1r * w3r - d1i * w3i; ti = d1r * w3i + d1i * w3r;
                (b1r + tr).StoreUnsafe(ref r, pb); (b1i + ti).StoreUnsafe(ref i, pb);
                (b1r - tr).StoreUnsafe(ref r, pd); (b1i - ti).StoreUnsafe(ref i, pd);
            }
        }
    }

    private static void TwoStagesScalar(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 4 * h)
        {
            for (int j = 0; j < h; j++)
            {
                double w1r = Unsafe.Add(ref twr, h + j), w1i = Unsafe.Add(ref twi, h + j);
                double w2r = Unsafe.Add(ref twr, 2 * h + j), w2i = Unsafe.Add(ref twi, 2 * h + j);
                double w3r = Unsafe.Add(ref twr, 3 * h + j), w3i = Unsafe.Add(ref twi, 3 * h + j);
                int pa = s + j, pb = pa + h, pc = pb + h, pd = pc + h;
                double ar = Unsafe.Add(ref r, pa), ai = Unsafe.Add(ref i, pa);
                double br = Unsafe.Add(ref r, pb), bi = Unsafe.Add(ref i, pb);
                double cr = Unsafe.Add(ref r, pc), ci = Unsafe.Add(ref i, pc);
                double dr = Unsafe.Add(ref r, pd), di = Unsafe.Add(ref i, pd);

                double tr = br * w1r - bi * w1i, ti = br * w1i + bi * w1r;
                double a1r = ar + tr, a1i = ai + ti, b1r = ar - tr, b1i = ai - ti;
                tr = dr * w1r - di * w1i; ti = dr * w1i + di * w1r;
                double c1r = cr + tr, c1i = ci + ti, d1r = cr - tr, d1i = ci - ti;

                tr = c1r * w2r - c1i * w2i; ti = c1r * w2i + c1i * w2r;
                Unsafe.Add(ref r, pa) = a1r + tr; Unsafe.Add(ref i, pa) = a1i + ti;
                Unsafe.Add(ref r, pc) = a1r - tr; Unsafe.Add(ref i, pc) = a1i - ti;
                tr = d1r * w3r - d1i * w3i; ti = d1r * w3i + d1i * w3r;
                Unsafe.Add(ref r, pb) = b1r + tr; Unsafe.Add(ref i, pb) = b1i + ti;
                Unsafe.Add(ref r, pd) = b1r - tr; Unsafe.Add(ref i, pd) = b1i - ti;
            }
        }
    }

    /// <summary>
    /// Real spectrum from the half-size complex spectrum Z: for k and m - k together,
    /// E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i, X[k] = E + W^k O,
    /// X[m-k] = conj(E) - conj(W^k O) (W = exp(-2 pi i / n), W^m = -1). Rounds to float once.
    /// </summary>
    private void Untangle(Span<float> re, Span<float> im)
    {
        int m = _m, half = m / 2;
        ref double zr = ref MemoryMarshal.GetArrayDataReference(_zRe);
        ref double zi = ref MemoryMarshal.GetArrayDataReference(_zIm);
        ref double pr = ref MemoryMarshal.GetArrayDataReference(_postRe);
        ref double pi = ref MemoryMarshal.GetArrayDataReference(_postIm);
        ref float xr = ref MemoryMarshal.GetReference(re);
        ref float xi = ref MemoryMarshal.GetReference(im);

        double z0r = zr, z0i = zi;
        xr = (float)(z0r + z0i);
        xi = 0f;
        Unsafe.Add(ref xr, m) = (float)(z0r - z0i);
        Unsafe.Add(ref xi, m) = 0f;

        int k = 1;
        if (_vectorBits == 256)
        {
            var halfV = Vector256.Create(0.5);
            // Block k..k+3 pairs with m-k-3..m-k; stop before k = m/2, which pairs with itself.
            for (; k + 3 < half; k += 4)
            {
                nuint lo = (nuint)k, hi = (nuint)(m - k - 3);
                var ar = Vector256.LoadUnsafe(ref zr, lo);
                var ai = Vector256.LoadUnsafe(ref zi, lo);
                var br = Reverse(Vector256.LoadUnsafe(ref zr, hi));
                var bi = Reverse(Vector256.LoadUnsafe(ref zi, hi));
                var er = halfV * (ar + br);
                var ei = halfV * (ai - bi);
                var or = halfV * (ai + bi);
                var oi = halfV * (br - ar);
                var wr = Vector256.LoadUnsafe(ref pr, lo);
                var wi = Vector256.LoadUnsafe(ref pi, lo);
                var tr = wr * or - wi * oi;
                var ti = wr * oi + wi * or;
                Narrow(er + tr).StoreUnsafe(ref xr, lo);
                Narrow(ei + ti).StoreUnsafe(ref xi, lo);
                Narrow(Reverse(er - tr)).StoreUnsafe(ref xr, hi);
                Narrow(Reverse(ti - ei)).StoreUnsafe(ref xi, hi);
            }
        }
        for (; k <= half; k++)
        {
            double ar = Unsafe.Add(ref zr, k), ai = Unsafe.Add(ref zi, k);
            double br = Unsafe.Add(ref zr, m - k), bi = Unsafe.Add(ref zi, m - k);
            double er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
            double or = 0.5 * (ai + bi), oi = 0.5 * (br - ar);
            double wr = Unsafe.Add(ref pr, k), wi = Unsafe.Add(ref pi, k);
            double tr = wr * or - wi * oi, ti = wr * oi + wi * or;
            Unsafe.Add(ref xr, k) = (float)(er + tr);
            Unsafe.Add(ref xi, k) = (float)(ei + ti);
            Unsafe.Add(ref xr, m - k) = (float)(er - tr);
            Unsafe.Add(ref xi, m - k) = (float)(ti - ei);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reverse(Vector256<double> v) => Vector256.Shuffle(v, Vector256.Create(3L, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Narrow(Vector256<double> v) => Vector128.Narrow(v.GetLower(), v.GetUpper());

    private static void Stage256(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 2 * h)
        {
            for (int j = 0; j < h; j += 4)
            {
                var wr = Vector256.LoadUnsafe(ref twr, (nuint)(h + j));
                var wi = Vector256.LoadUnsafe(ref twi, (nuint)(h + j));
                nuint p = (nuint)(s + j), q = (nuint)(s + j + h);
                var ar = Vector256.LoadUnsafe(ref r, p);
                var ai = Vector256.LoadUnsafe(ref i, p);
                var br = Vector256.LoadUnsafe(ref r, q);
                var bi = Vector256.LoadUnsafe(ref i, q);
                var tr = br * wr - bi * wi;
                var ti = br * wi + bi * wr;
                (ar + tr).StoreUnsafe(ref r, p);
                (ai + ti).StoreUnsafe(ref i, p);
                (ar - tr).StoreUnsafe(ref r, q);
                (ai - ti).StoreUnsafe(ref i, q);
            }
        }
    }

    private static void Stage128(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 2 * h)
        {
            for (int j = 0; j < h; j += 2)
            {
                var wr = Vector128.LoadUnsafe(ref twr, (nuint)(h + j));
                var wi = Vector128.LoadUnsafe(ref twi, (nuint)(h + j));
                nuint p = (nuint)(s + j), q = (nuint)(s + j + h);
                var ar = Vector128.LoadUnsafe(ref r, p);
                var ai = Vector128.LoadUnsafe(ref i, p);
                var br = Vector128.LoadUnsafe(ref r, q);
                var bi = Vector128.LoadUnsafe(ref i, q);
                var tr = br * wr - bi * wi;
                var ti = br * wi + bi * wr;
                (ar + tr).StoreUnsafe(ref r, p);
                (ai + ti).StoreUnsafe(ref i, p);
                (ar - tr).StoreUnsafe(ref r, q);
                (ai - ti).StoreUnsafe(ref i, q);
            }
        }
    }

    private static void StageScalar(ref double r, ref double i, ref double twr, ref double twi, int h, int m)
    {
        for (int s = 0; s < m; s += 2 * h)
        {
            for (int j = 0; j < h; j++)
            {
                double wr = Unsafe.Add(ref twr, h + j), wi = Unsafe.Add(ref twi, h + j);
                int p = s + j, q = s + j + h;
                double br = Unsafe.Add(ref r, q), bi = Unsafe.Add(ref i, q);
                double tr = br * wr - bi * wi, ti = br * wi + bi * wr;
                double ar = Unsafe.Add(ref r, p), ai = Unsafe.Add(ref i, p);
                Unsafe.Add(ref r, p) = ar + tr; Unsafe.Add(ref i, p) = ai + ti;
                Unsafe.Add(ref r, q) = ar - tr; Unsafe.Add(ref i, q) = ai - ti;
            }
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
