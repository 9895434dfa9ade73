using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// Formants F1-F5 with bandwidths from the 20 ms Hamming frame as eGeMAPSv02 computes them: cSpecResample to
/// 11 kHz (an inverse DFT of the zero-padded frame's spectrum at the new rate, only its lowest bins kept), cLpc
/// order 11 by the autocorrelation method (float Levinson-Durbin), roots of openSMILE's LPC polynomial (its
/// coefficients negated, as cFormantLpc builds it) by <see cref="PolynomialRoots"/>, roots mirrored into the
/// unit circle, and cFormantLpc's 50-5450 Hz selection sorted by frequency.
/// </summary>
internal sealed class FormantAnalyzer
{
    public const int Order = 11;
    public const int MaxFormants = 5;
    private const double MinF = 50.0, MaxF = 5450.0;

    private readonly int _nOut;
    private readonly int _kMaxHalf;   // number of complex bins summed (excluding DC)
    private readonly int _stride;     // outputs, padded to a multiple of Block
    // Bin k's cosine and sine at output sample i, in the order the kernels read them: for each block of Block
    // outputs, for each bin, Block cosines then Block sines (one contiguous stream per block).
    private readonly float[] _table;
    private const int Block = 16;
    private readonly float[] _acc;
    private readonly float _norm;
    private readonly float[] _resampled;
    private readonly float[] _reversed;   // the resampled frame reversed, then 16 zeros (vector autocorrelation)
    private readonly float[] _acf = new float[Order + 1];
    private readonly float[] _lpc = new float[Order + 1];
    private readonly double[] _poly = new double[Order + 1];
    private readonly double[] _roots = new double[2 * Order];
    private readonly PolynomialRoots _solver = new(Order);
    private readonly double _samplePeriod;

    // ComputeBatch: the frames' spectra (bins 0..BinsSummed), resampled frames, polynomials and roots per slot
    private readonly float[] _batchRe, _batchIm;   // _batchIm holds -Im
    private readonly float[][] _batchResampled;
    private readonly double[] _batchPoly = new double[Lanes * (Order + 1)];
    private readonly double[] _batchRoots = new double[Lanes * 2 * Order];
    private readonly bool[] _batchOk = new bool[Lanes];

    /// <summary>Frames <see cref="ComputeBatch"/> analyses at once.</summary>
    public const int Lanes = PolynomialRoots.Lanes;

    /// <summary>Complex bins summed per output sample (DC excluded).</summary>
    internal int BinsSummed => _kMaxHalf;

    /// <summary>Output samples computed (the resampled frame's length padded to a multiple of 16).</summary>
    internal int Stride => _stride;

    public FormantAnalyzer(EgemapsParameters p)
    {
        const double targetFs = 11000.0;
        int nIn = p.ShortFft;                    // floats in the complex FFT frame (Ooura layout)
        double fsSec = p.ShortFftSeconds;
        double lastFsSec = EgemapsParameters.ShortFrameSeconds;
        double ratio = targetFs * p.SamplePeriod;
        double nd;
        if (fsSec != lastFsSec && lastFsSec != p.SamplePeriod)
        {
            double nOut0 = Math.Round(nIn * ratio * lastFsSec / fsSec, MidpointRounding.AwayFromZero);
            double newRatio = nOut0 / (nIn * (lastFsSec / fsSec));
            _nOut = (int)nOut0;
            ratio = newRatio;
            nd = nIn * ratio;
        }
        else
        {
            double nOut0 = Math.Round(nIn * ratio, MidpointRounding.AwayFromZero);
            ratio = nOut0 / nIn;
            _nOut = (int)nOut0;
            nd = nOut0;
        }
        _samplePeriod = 1.0 / (p.SampleRate * ratio);

        // smileDsp_initIrdft with antialiasing: kMax = min(K, I) rounded down to even; bins 1..kMax/2-1.
        int kMax = Math.Min(nIn, _nOut);
        if ((kMax & 1) != 0) kMax--;
        _kMaxHalf = kMax / 2 - 1;
        _stride = (_nOut + Block - 1) / Block * Block;
        _table = new float[2 * _stride * Math.Max(_kMaxHalf, 1)];
        for (int i = 0; i < _nOut; i++)
        {
            for (int k = 1; k <= _kMaxHalf; k++)
            {
                double kn = 2.0 * Math.PI * (double)(k * i) / nd;
                int at = TableIndex(k - 1, i);
                _table[at] = (float)Math.Cos(kn);
                _table[at + Block] = (float)Math.Sin(kn);
            }
        }
        _acc = new float[_stride];
        _norm = nIn / 2;
        _resampled = new float[_nOut];
        _reversed = new float[_nOut + 16];
        _batchRe = new float[Lanes * (_kMaxHalf + 1)];
        _batchIm = new float[Lanes * (_kMaxHalf + 1)];
        _batchResampled = new float[Lanes][];
        for (int l = 0; l < Lanes; l++)
            _batchResampled[l] = new float[_stride];
    }

    /// <summary>Stores the spectrum of batch slot <paramref name="slot"/> (numpy sign convention) for <see cref="ComputeBatch"/>.</summary>
    public void SetBatchSpectrum(int slot, ReadOnlySpan<float> re, ReadOnlySpan<float> im)
    {
        int bins = _kMaxHalf + 1;
        re[..bins].CopyTo(_batchRe.AsSpan(slot * bins, bins));
        // stored negated: the resampler's sine weights are Ooura's imaginary parts, -Im (negation is exact)
        System.Numerics.Tensors.TensorPrimitives.Negate(im[..bins], _batchIm.AsSpan(slot * bins, bins));
    }

    /// <summary>
    /// <see cref="Compute"/> of the spectra in slots 0 .. <paramref name="count"/> - 1, bit for bit: frame j's formants
    /// go to <c>[j * MaxFormants, (j + 1) * MaxFormants)</c>. The frames share the resampler's table loads (four
    /// frames per pass) and their polynomials' roots are found in lanes (<see cref="PolynomialRoots.SolveLanes"/>).
    /// </summary>
    public void ComputeBatch(int count, Span<float> freq, Span<float> bandwidth)
    {
        if (count < 1 || count > Lanes)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"1 to {Lanes} frames per batch.");
        int bins = _kMaxHalf + 1;
        if (Vector256.IsHardwareAccelerated)
        {
            ResampleBatchVector256(count);
        }
        else
        {
            Span<float> im = stackalloc float[bins];
            for (int j = 0; j < count; j++)
            {
                System.Numerics.Tensors.TensorPrimitives.Negate(_batchIm.AsSpan(j * bins, bins), im);
                Resample(_batchRe.AsSpan(j * bins, bins), im);
                _resampled.CopyTo(_batchResampled[j], 0);
            }
        }
        const int width = Order + 1;
        for (int j = 0; j < count; j++)
            LpcPolynomial(_batchResampled[j].AsSpan(0, _nOut), _batchPoly.AsSpan(j * width, width));
        _solver.SolveLanes(_batchPoly.AsSpan(0, count * width), _batchRoots, _batchOk.AsSpan(0, count));
        for (int j = 0; j < count; j++)
        {
            Formants(_batchRoots.AsSpan(j * 2 * Order, 2 * Order), _batchOk[j],
                freq.Slice(j * MaxFormants, MaxFormants), bandwidth.Slice(j * MaxFormants, MaxFormants));
        }
    }

    /// <summary>
    /// Formant frequencies and bandwidths of the frame whose spectrum is <paramref name="re"/>/<paramref name="im"/>
    /// (numpy sign convention). Unfound formants are 0.
    /// </summary>
    public void Compute(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> freq, Span<float> bandwidth)
    {
        Resample(re, im);
        LpcPolynomial(_resampled, _poly);
        Formants(_roots, _solver.Solve(_poly, _roots), freq, bandwidth);
    }

    /// <summary>cLpc of a resampled frame as cFormantLpc's polynomial: coefficients -a[p-1-i] (ascending powers), leading 1.</summary>
    private void LpcPolynomial(ReadOnlySpan<float> resampled, Span<double> poly)
    {
        if (Vector256.IsHardwareAccelerated)
            AutoCorrelateVector256(resampled, _acf, _reversed);
        else if (Vector128.IsHardwareAccelerated)
            AutoCorrelateVector128(resampled, _acf, _reversed);
        else
            AutoCorrelateScalar(resampled, _acf);
        Levinson(_acf, _lpc);
        for (int i = 0; i < Order; i++)
            poly[i] = -_lpc[Order - i - 1];
        poly[Order] = 1.0;
    }

    /// <summary>cFormantLpc from the polynomial's roots (<paramref name="solved"/> false: none found, all 0).</summary>
    private void Formants(Span<double> roots, bool solved, Span<float> freq, Span<float> bandwidth)
    {
        Span<double> fc = stackalloc double[MaxFormants];
        Span<double> bc = stackalloc double[MaxFormants];
        fc.Clear();
        bc.Clear();
        if (solved)
        {
            IntoUnitCircle(roots);
            RootsToFormants(roots, fc, bc);
        }
        // sort ascending among the non-zero ones
        int nz = 0;
        while (nz < MaxFormants && fc[nz] != 0.0) nz++;
        for (int i = 0; i < nz; i++)
        {
            for (int j = i + 1; j < nz; j++)
            {
                if (fc[j] < fc[i])
                {
                    (fc[i], fc[j]) = (fc[j], fc[i]);
                    (bc[i], bc[j]) = (bc[j], bc[i]);
                }
            }
        }
        for (int i = 0; i < MaxFormants; i++)
        {
            freq[i] = (float)fc[i];
            bandwidth[i] = (float)bc[i];
        }
    }

    private void Resample(ReadOnlySpan<float> re, ReadOnlySpan<float> im)
    {
        // out[i] = (DC + sum_k Re[k] cos + I[k] sin) / (K/2), with Ooura's I[k] = -Im_numpy[k]; every output
        // accumulates in float in bin order with separate multiply and add, as openSMILE's loop does, so the
        // vector paths (8 or 4 outputs per lane group) give the scalar reference's bits.
        Span<float> acc = _acc;
        acc.Fill(re[0]);
        int kh = _kMaxHalf, stride = _stride;
        if (Vector256.IsHardwareAccelerated)
            ResampleVector256(re, im, acc, kh, stride);
        else if (Vector128.IsHardwareAccelerated)
            ResampleVector128(re, im, acc, kh, stride);
        else
            ResampleScalar(re, im, acc, kh, stride);
        float norm = _norm;
        for (int i = 0; i < _nOut; i++)
            _resampled[i] = acc[i] / norm;
    }

    /// <summary>Index of bin (k + 1)'s cosine at output i in <see cref="_table"/> (its sine is Block further).</summary>
    private int TableIndex(int k, int i) => ((i / Block * _kMaxHalf + k) * 2 * Block) + i % Block;

    internal void ResampleScalar(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> acc, int kh, int stride)
    {
        for (int k = 0; k < kh; k++)
        {
            float a = re[k + 1], b = -im[k + 1];
            for (int i = 0; i < stride; i++)
            {
                int at = TableIndex(k, i);
                float v = acc[i] + a * _table[at];
                acc[i] = v + b * _table[at + Block];
            }
        }
    }

    internal void ResampleVector256(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> acc, int kh, int stride)
    {
        ref float accRef = ref MemoryMarshal.GetReference(acc);
        ref float t = ref MemoryMarshal.GetArrayDataReference(_table);
        for (int i0 = 0; i0 < stride; i0 += Block)
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref accRef, (nuint)i0);
            Vector256<float> v1 = Vector256.LoadUnsafe(ref accRef, (nuint)(i0 + 8));
            nuint o = (nuint)(i0 / Block * kh * 2 * Block);
            for (int k = 0; k < kh; k++, o += 2 * Block)
            {
                Vector256<float> a = Vector256.Create(re[k + 1]), b = Vector256.Create(-im[k + 1]);
                v0 += a * Vector256.LoadUnsafe(ref t, o);
                v1 += a * Vector256.LoadUnsafe(ref t, o + 8);
                v0 += b * Vector256.LoadUnsafe(ref t, o + Block);
                v1 += b * Vector256.LoadUnsafe(ref t, o + Block + 8);
            }
            v0.StoreUnsafe(ref accRef, (nuint)i0);
            v1.StoreUnsafe(ref accRef, (nuint)(i0 + 8));
        }
    }

    /// <summary>
    /// The resampler of batch slots 0 .. count - 1 (others repeat slot 0) into <see cref="_batchResampled"/>: each
    /// pass over a block's stretch of the table serves its 16 outputs of four frames, eight accumulators whose adds
    /// stay in bin order per output (the scalar reference's bits).
    /// </summary>
    private void ResampleBatchVector256(int count)
    {
        int kh = _kMaxHalf, stride = _stride, bins = kh + 1;
        ref float t = ref MemoryMarshal.GetArrayDataReference(_table);
        ref float re0 = ref _batchRe[0];
        ref float re1 = ref _batchRe[count > 1 ? bins : 0];
        ref float re2 = ref _batchRe[count > 2 ? 2 * bins : 0];
        ref float re3 = ref _batchRe[count > 3 ? 3 * bins : 0];
        ref float im0 = ref _batchIm[0];
        ref float im1 = ref _batchIm[count > 1 ? bins : 0];
        ref float im2 = ref _batchIm[count > 2 ? 2 * bins : 0];
        ref float im3 = ref _batchIm[count > 3 ? 3 * bins : 0];
        ref float out0 = ref MemoryMarshal.GetArrayDataReference(_batchResampled[0]);
        ref float out1 = ref MemoryMarshal.GetArrayDataReference(_batchResampled[1]);
        ref float out2 = ref MemoryMarshal.GetArrayDataReference(_batchResampled[2]);
        ref float out3 = ref MemoryMarshal.GetArrayDataReference(_batchResampled[3]);
        var norm = Vector256.Create(_norm);
        for (int i0 = 0; i0 < stride; i0 += Block)
        {
            Vector256<float> a0 = Vector256.Create(re0), b0 = a0;
            Vector256<float> a1 = Vector256.Create(re1), b1 = a1;
            Vector256<float> a2 = Vector256.Create(re2), b2 = a2;
            Vector256<float> a3 = Vector256.Create(re3), b3 = a3;
            nuint o = (nuint)(i0 / Block * kh * 2 * Block);
            for (int k = 1; k <= kh; k++, o += 2 * Block)
            {
                Vector256<float> c0 = Vector256.LoadUnsafe(ref t, o), c1 = Vector256.LoadUnsafe(ref t, o + 8);
                Vector256<float> s0 = Vector256.LoadUnsafe(ref t, o + Block), s1 = Vector256.LoadUnsafe(ref t, o + Block + 8);
                Vector256<float> x = Vector256.Create(Unsafe.Add(ref re0, k)), y = Vector256.Create(Unsafe.Add(ref im0, k));
                a0 += x * c0; b0 += x * c1; a0 += y * s0; b0 += y * s1;
                x = Vector256.Create(Unsafe.Add(ref re1, k)); y = Vector256.Create(Unsafe.Add(ref im1, k));
                a1 += x * c0; b1 += x * c1; a1 += y * s0; b1 += y * s1;
                x = Vector256.Create(Unsafe.Add(ref re2, k)); y = Vector256.Create(Unsafe.Add(ref im2, k));
                a2 += x * c0; b2 += x * c1; a2 += y * s0; b2 += y * s1;
                x = Vector256.Create(Unsafe.Add(ref re3, k)); y = Vector256.Create(Unsafe.Add(ref im3, k));
                a3 += x * c0; b3 += x * c1; a3 += y * s0; b3 += y * s1;
            }
            (a0 / norm).StoreUnsafe(ref out0, (nuint)i0);
            (b0 / norm).StoreUnsafe(ref out0, (nuint)(i0 + 8));
            (a1 / norm).StoreUnsafe(ref out1, (nuint)i0);
            (b1 / norm).StoreUnsafe(ref out1, (nuint)(i0 + 8));
            (a2 / norm).StoreUnsafe(ref out2, (nuint)i0);
            (b2 / norm).StoreUnsafe(ref out2, (nuint)(i0 + 8));
            (a3 / norm).StoreUnsafe(ref out3, (nuint)i0);
            (b3 / norm).StoreUnsafe(ref out3, (nuint)(i0 + 8));
        }
    }

    internal void ResampleVector128(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> acc, int kh, int stride)
    {
        ref float accRef = ref MemoryMarshal.GetReference(acc);
        ref float t = ref MemoryMarshal.GetArrayDataReference(_table);
        for (int i = 0; i < stride; i += 4)
        {
            Vector128<float> v = Vector128.LoadUnsafe(ref accRef, (nuint)i);
            nuint o = (nuint)TableIndex(0, i);
            for (int k = 0; k < kh; k++, o += 2 * Block)
            {
                v += Vector128.Create(re[k + 1]) * Vector128.LoadUnsafe(ref t, o);
                v += Vector128.Create(-im[k + 1]) * Vector128.LoadUnsafe(ref t, o + Block);
            }
            v.StoreUnsafe(ref accRef, (nuint)i);
        }
    }

    // All 12 lags at once: lane l accumulates x[i] * x[i - l] over i in the scalar reference's order (its terms for
    // i < l are x[i] * 0, which leave the +0 start unchanged), so the sums are the scalar reference's bits.
    internal static void AutoCorrelateVector256(ReadOnlySpan<float> x, Span<float> r, float[] reversed)
    {
        int n = x.Length;
        for (int j = 0; j < n; j++)
            reversed[j] = x[n - 1 - j];
        Array.Clear(reversed, n, reversed.Length - n);
        ref float rev = ref MemoryMarshal.GetArrayDataReference(reversed);
        Vector256<float> lo = Vector256<float>.Zero;
        Vector128<float> hi = Vector128<float>.Zero;
        for (int i = 0; i < n; i++)
        {
            nuint o = (nuint)(n - 1 - i);
            float xi = x[i];
            lo += Vector256.Create(xi) * Vector256.LoadUnsafe(ref rev, o);
            hi += Vector128.Create(xi) * Vector128.LoadUnsafe(ref rev, o + 8);
        }
        lo.CopyTo(r);
        hi.CopyTo(r[8..]);
    }

    internal static void AutoCorrelateVector128(ReadOnlySpan<float> x, Span<float> r, float[] reversed)
    {
        int n = x.Length;
        for (int j = 0; j < n; j++)
            reversed[j] = x[n - 1 - j];
        Array.Clear(reversed, n, reversed.Length - n);
        ref float rev = ref MemoryMarshal.GetArrayDataReference(reversed);
        Vector128<float> a = Vector128<float>.Zero, b = Vector128<float>.Zero, c = Vector128<float>.Zero;
        for (int i = 0; i < n; i++)
        {
            nuint o = (nuint)(n - 1 - i);
            var xi = Vector128.Create(x[i]);
            a += xi * Vector128.LoadUnsafe(ref rev, o);
            b += xi * Vector128.LoadUnsafe(ref rev, o + 4);
            c += xi * Vector128.LoadUnsafe(ref rev, o + 8);
        }
        a.CopyTo(r);
        b.CopyTo(r[4..]);
        c.CopyTo(r[8..]);
    }

    /// <summary>cLpc's autocorrelation in float, each lag summed in sample order (the vector paths' reference).</summary>
    internal static void AutoCorrelateScalar(ReadOnlySpan<float> x, Span<float> r)
    {
        for (int lag = r.Length - 1; lag >= 0; lag--)
        {
            float acc = 0f;
            for (int i = lag; i < x.Length; i++)
                acc += x[i] * x[i - lag];
            r[lag] = acc;
        }
    }

    /// <summary>smileDsp_calcLpcAcf: Levinson-Durbin in float; a[i] of A(z) = 1 + sum a_i z^-i.</summary>
    private static void Levinson(ReadOnlySpan<float> r, Span<float> a)
    {
        int p = Order;
        a[..p].Clear();
        if (r[0] == 0f)
            return;
        float e = r[0];
        for (int m = 1; m <= p; m++)
        {
            float sum = 1f * r[m];
            for (int i = 1; i < m; i++)
                sum += a[i - 1] * r[m - i];
            float k = (-1f / e) * sum;
            a[m - 1] = k;
            for (int i = 1; i <= m / 2; i++)
            {
                float x = a[i - 1];
                a[i - 1] += k * a[m - i - 1];
                if (i < m / 2 || (m & 1) == 1)
                    a[m - i - 1] += k * x;
            }
            e *= 1f - k * k;
            if (e == 0f)
            {
                for (int i = m; i < p; i++)
                    a[i] = 0f;
                break;
            }
        }
    }

    private static void IntoUnitCircle(Span<double> roots)
    {
        for (int i = 0; i < roots.Length / 2; i++)
        {
            double re = roots[2 * i], im = roots[2 * i + 1];
            if (Math.Sqrt(re * re + im * im) > 1.0)
            {
                // 1 / conj(root), by smileMath_complexDiv's formula
                double reB = re, imB = -im, r, den, outRe = 0, outIm = 0;
                if (Math.Abs(reB) >= Math.Abs(imB))
                {
                    if (reB != 0.0)
                    {
                        r = imB / reB;
                        den = reB + r * imB;
                        if (den != 0.0) { outRe = 1.0 / den; outIm = (0.0 - r * 1.0) / den; }
                    }
                }
                else if (imB != 0.0)
                {
                    r = reB / imB;
                    den = imB + r * reB;
                    if (den != 0.0) { outRe = (1.0 * r + 0.0) / den; outIm = (0.0 * r - 1.0) / den; }
                }
                roots[2 * i] = outRe;
                roots[2 * i + 1] = outIm;
            }
        }
    }

    private void RootsToFormants(ReadOnlySpan<double> r, Span<double> fc, Span<double> bc)
    {
        double spPi = _samplePeriod * Math.PI;
        double spPi2 = spPi * 2.0;
        double fLow = MinF, fHigh = MaxF;
        if (fHigh < fLow || fHigh > 1.0 / _samplePeriod)
            fHigh = 0.5 / _samplePeriod - fLow;
        int n = 0;
        for (int i = 0; i < r.Length / 2; i++)
        {
            double re = r[2 * i], im = r[2 * i + 1];
            if (im < 0) continue;
            double f = Math.Abs(Math.Atan2(im, re)) / spPi2;
            if (f >= fLow && f <= fHigh)
            {
                bc[n] = -Math.Log(Math.Sqrt(re * re + im * im)) / spPi;
                fc[n] = f;
                n++;
                if (n >= MaxFormants) break;
            }
        }
    }
}
