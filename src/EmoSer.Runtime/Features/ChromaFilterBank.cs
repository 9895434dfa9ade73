using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Chroma projection of one STFT frame, as <c>librosa.feature.chroma_stft(S=S, sr, n_fft, tuning, n_chroma)</c>
/// computes it for one column: the <c>librosa.filters.chroma</c> filterbank (ctroct 5, octwidth 2, norm 2,
/// base_c, float32) applied to the frame, then librosa's per-frame inf-norm (<c>util.normalize(norm=inf)</c>).
/// </summary>
/// <remarks>
/// The filterbank is built once in double precision exactly as librosa builds it and rounded to float32 like
/// librosa's. Each row is stored as a few runs of bins with weight above 1e-9 of the largest (about 8.3k of the
/// 82k weights at 16 kHz; the rest are Gaussian tails and exp underflow), padded to whole vectors and applied as
/// Vector256/Vector128 dot products (scalar fallback). Otherwise only the summation order differs from librosa's
/// BLAS product (float32 rounding, ~1e-7 relative). <see cref="Apply"/> allocates nothing. Instances are
/// immutable after construction and may be shared between threads (see <see cref="GetShared"/>).
/// chroma_stft passes the spectrogram it is given (here the magnitude STFT) straight to the filterbank:
/// it only squares when it computes the STFT itself.
/// </remarks>
internal sealed class ChromaFilterBank
{
    private const double CenterOctave = 5.0;   // librosa ctroct
    private const double OctaveWidth = 2.0;    // librosa octwidth
    // librosa.util.tiny(float32): columns whose norm is below this are left un-normalized.
    private const double TinyFloat32 = 1.1754943508222875e-38;
    // librosa.util.tiny(float64), the threshold when the (float64) filterbank columns are normalised.
    private const double TinyFloat64 = 2.2250738585072014e-308;

    private const int Lane = 8;     // runs are padded to a multiple of 8 floats (one Vector256, two Vector128)
    private const float NegligibleWeight = 1e-9f;
    private const int MergeGap = 8; // runs of one row closer than this are merged (the gap holds zero weights)

    // Row-major runs: row c uses runs [_rowFirstRun[c], _rowFirstRun[c + 1]); run r covers FFT bins
    // [_runStart[r], _runStart[r] + _runLength[r]) with weights from _weights[_runOffset[r]] (zero-padded).
    private readonly float[] _weights;
    private readonly int[] _runStart;
    private readonly int[] _runLength;
    private readonly int[] _runOffset;
    private readonly int[] _rowFirstRun;

    /// <summary>Builds the filterbank.</summary>
    /// <param name="sampleRate">Sample rate of the analysed signal in Hz.</param>
    /// <param name="nFft">FFT size; frames passed to <see cref="Apply"/> hold <c>nFft / 2 + 1</c> bins.</param>
    /// <param name="nChroma">Number of chroma bins per octave (the seed uses 80).</param>
    /// <param name="tuning">Tuning offset in fractions of a chroma bin, as <see cref="TuningEstimator.Estimate()"/> returns.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the rate is not positive, or tuning is not finite.</exception>
    public ChromaFilterBank(int sampleRate, int nFft, int nChroma, double tuning)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nChroma);
        if (!double.IsFinite(tuning))
            throw new ArgumentOutOfRangeException(nameof(tuning), tuning, "Tuning must be a finite number of chroma bins.");

        SampleRate = sampleRate;
        FftSize = nFft;
        ChromaCount = nChroma;
        Tuning = tuning;
        BinCount = nFft / 2 + 1;

        // The dense bank is scratch of this thread's (a bank is built per extraction: a fresh 330 KB array each
        // time would be a large-object allocation, and its page faults, on every clip's critical path).
        int denseLength = nChroma * BinCount;
        float[] scratch = t_dense is { } previous && previous.Length >= denseLength ? previous : (t_dense = new float[denseLength]);
        Span<float> dense = scratch.AsSpan(0, denseLength);
        dense.Clear();
        BuildLibrosaFilterBank(sampleRate, nFft, nChroma, tuning, dense);
        // Gaussian tails below 1e-9 of the largest weight: together they move a chroma value by less than 1e-9 of
        // (largest weight × the frame's magnitude sum), far below the float32 rounding of the sums. Dropping them
        // halves the multiply-adds (17.6k -> 8.3k at 16 kHz); the measured parity does not change.
        float negligible = NegligibleWeight * TensorPrimitives.Max(dense);
        int kept = 0;
        for (int i = 0; i < dense.Length; i++)
        {
            if (dense[i] < negligible)
                dense[i] = 0f;
            else
                kept++;
        }

        // Per row, the bins with a kept weight (far from the row's pitch class the Gaussian is dropped or has
        // underflowed) form a few runs, one per octave above ~1 kHz; runs are merged across short gaps and padded
        // to whole vectors so that Apply runs a plain vector dot product over each.
        var weights = new List<float>(kept + (kept / 2));
        var runStart = new List<int>(nChroma * 8);
        var runLength = new List<int>(nChroma * 8);
        var runOffset = new List<int>(nChroma * 8);
        _rowFirstRun = new int[nChroma + 1];
        int nonZero = 0;
        for (int c = 0; c < nChroma; c++)
        {
            _rowFirstRun[c] = runStart.Count;
            ReadOnlySpan<float> row = dense.Slice(c * BinCount, BinCount);
            int k = 0;
            while (k < BinCount)
            {
                if (row[k] == 0f) { k++; continue; }
                int start = k, end = k; // end: one past the last non-zero of the merged run
                while (k < BinCount)
                {
                    if (row[k] != 0f) { nonZero++; end = ++k; continue; }
                    int gap = 0;
                    while (k + gap < BinCount && row[k + gap] == 0f && gap < MergeGap) gap++;
                    if (k + gap < BinCount && row[k + gap] != 0f) { k += gap; continue; }
                    break;
                }
                k = end;
                // Padding stops at the last bin (that run then ends with a scalar tail).
                int length = Math.Min((end - start + Lane - 1) / Lane * Lane, BinCount - start);
                runStart.Add(start);
                runLength.Add(length);
                runOffset.Add(weights.Count);
                for (int j = start; j < start + length; j++) weights.Add(row[j]);
                k = Math.Max(k, start + length);
            }
        }
        _rowFirstRun[nChroma] = runStart.Count;
        _weights = [.. weights];
        _runStart = [.. runStart];
        _runLength = [.. runLength];
        _runOffset = [.. runOffset];
        NonZeroWeights = nonZero;
    }

    [ThreadStatic]
    private static float[]? t_dense;

    // Estimated tunings are multiples of 0.01 bin, so a process meets at most ~100 per (rate, size, chroma
    // count); the cap only guards against callers passing arbitrary tunings.
    private static readonly SharedInstanceCache<(int SampleRate, int NFft, int NChroma, double Tuning), ChromaFilterBank> s_shared = new(256);

    /// <summary>
    /// A shared, immutable filterbank for these parameters, built on first use (about a millisecond) and then
    /// reused: the batch extractor calls this once per utterance and the streaming one once per window.
    /// Thread-safe.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As for the constructor.</exception>
    public static ChromaFilterBank GetShared(int sampleRate, int nFft, int nChroma, double tuning) =>
        s_shared.GetOrCreate((sampleRate, nFft, nChroma, tuning), static k => new ChromaFilterBank(k.SampleRate, k.NFft, k.NChroma, k.Tuning));

    /// <summary>Sample rate the filterbank was built for.</summary>
    public int SampleRate { get; }

    /// <summary>FFT size the filterbank was built for.</summary>
    public int FftSize { get; }

    /// <summary>Frequency bins per frame: <c>FftSize / 2 + 1</c>.</summary>
    public int BinCount { get; }

    /// <summary>Chroma bins per frame.</summary>
    public int ChromaCount { get; }

    /// <summary>Tuning offset (fractions of a chroma bin) the filterbank was built for.</summary>
    public double Tuning { get; }

    /// <summary>Non-zero float32 weights actually multiplied per frame (for diagnostics and benchmarks).</summary>
    public int NonZeroWeights { get; }

    /// <summary>
    /// Chroma of one frame: <c>raw = W · frame</c>, then <c>raw / max(raw)</c> (librosa's inf-norm); a frame
    /// whose maximum is below float32's smallest normal number (e.g. digital silence) stays un-normalized.
    /// </summary>
    /// <param name="magOrPowerFrame">One spectrogram column, <see cref="BinCount"/> non-negative values (the seed passes magnitudes).</param>
    /// <param name="chroma">Receives <see cref="ChromaCount"/> values.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void Apply(ReadOnlySpan<float> magOrPowerFrame, Span<float> chroma)
    {
        if (magOrPowerFrame.Length != BinCount)
            throw new ArgumentException($"Expected a frame of {BinCount} bins, got {magOrPowerFrame.Length}.", nameof(magOrPowerFrame));
        if (chroma.Length != ChromaCount)
            throw new ArgumentException($"Expected room for {ChromaCount} chroma values, got {chroma.Length}.", nameof(chroma));

        ref float wRef = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref float xRef = ref MemoryMarshal.GetReference(magOrPowerFrame);
        for (int c = 0; c < ChromaCount; c++)
        {
            float sum = 0f;
            for (int r = _rowFirstRun[c]; r < _rowFirstRun[c + 1]; r++)
                sum += Dot(ref Unsafe.Add(ref wRef, _runOffset[r]), ref Unsafe.Add(ref xRef, _runStart[r]), _runLength[r]);
            chroma[c] = sum;
        }

        // librosa.util.normalize(norm=inf): length = max |x| in float64; tiny lengths become 1.
        double length = TensorPrimitives.MaxMagnitude(chroma);
        if (length < TinyFloat32)
            length = 1.0;
        for (int c = 0; c < chroma.Length; c++)
            chroma[c] = (float)(chroma[c] / length);
    }

    /// <summary>Dot product of <paramref name="length"/> floats (inlined: runs are short and many).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ref float w, ref float x, int length)
    {
        int j = 0;
        float sum = 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; j + 8 <= length; j += 8)
                acc += Vector256.LoadUnsafe(ref w, (nuint)j) * Vector256.LoadUnsafe(ref x, (nuint)j);
            sum = Vector256.Sum(acc);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var acc = Vector128<float>.Zero;
            for (; j + 4 <= length; j += 4)
                acc += Vector128.LoadUnsafe(ref w, (nuint)j) * Vector128.LoadUnsafe(ref x, (nuint)j);
            sum = Vector128.Sum(acc);
        }
        for (; j < length; j++)
            sum += Unsafe.Add(ref w, j) * Unsafe.Add(ref x, j);
        return sum;
    }

    /// <summary>
    /// The dense filterbank, row-major <c>nChroma × (nFft/2 + 1)</c>, float32 — librosa.filters.chroma with
    /// ctroct 5, octwidth 2, norm 2, base_c True.
    /// </summary>
    internal static float[] BuildLibrosaFilterBank(int sampleRate, int nFft, int nChroma, double tuning)
    {
        var result = new float[nChroma * (nFft / 2 + 1)];
        BuildLibrosaFilterBank(sampleRate, nFft, nChroma, tuning, result);
        return result;
    }

    /// <summary>As <see cref="BuildLibrosaFilterBank(int, int, int, double)"/>, into <paramref name="result"/>, which must be zero.</summary>
    private static void BuildLibrosaFilterBank(int sampleRate, int nFft, int nChroma, double tuning, Span<float> result)
    {
        // librosa builds all n_fft columns and keeps the first n_fft/2 + 1; columns are independent (each is
        // normalised on its own), so only the kept ones are computed here.
        int nBins = nFft / 2 + 1;
        // frequencies = linspace(0, sr, n_fft, endpoint=False)[1:]; frqbins = n_chroma * hz_to_octs(f, tuning, n_chroma)
        double step = (double)sampleRate / nFft;
        double a440 = 440.0 * Math.Pow(2.0, tuning / nChroma);
        double octRef = a440 / 16.0;
        int nFrq = Math.Min(nBins + 1, nFft);
        var frqbins = new double[nFrq];
        for (int k = 1; k < nFrq; k++)
            frqbins[k] = nChroma * Math.Log2(k * step / octRef);
        // The 0 Hz bin is put 1.5 octaves below bin 1 (broad, half-rotated), as librosa does.
        frqbins[0] = frqbins[1] - 1.5 * nChroma;

        double half = Math.Round(nChroma / 2.0, MidpointRounding.ToEven);
        int shift = 3 * (nChroma / 12); // base_c: rows rolled by -3 * (n_chroma // 12) so that row 0 is C
        var column = new double[nChroma];
        // Source row c lands on row c - shift (mod n_chroma): computed once, not per bin (two integer divisions each).
        var target = new int[nChroma];
        for (int c = 0; c < nChroma; c++)
            target[c] = (((c - shift) % nChroma) + nChroma) % nChroma * nBins;
        for (int k = 0; k < nBins; k++)
        {
            double binwidth = k < nFft - 1 ? Math.Max(frqbins[k + 1] - frqbins[k], 1.0) : 1.0;
            // exp(-0.5 zz) below 1e-54 (zz > 250) ends as float32 zero and adds nothing to the column norm (>= e^-0.5),
            // so only the chroma bins within 7.91 bin widths of this frequency (circularly) can have a weight: above
            // ~100 Hz that is about 16 of 80. The candidates are found from the frequency's position with a wide margin
            // (the exact D differs from it by ~1e-12); every candidate's weight is then computed exactly as librosa's
            // formula gives it, and every other weight is zero, as the formula would round it.
            Array.Clear(column);
            double reach = (7.9057 * binwidth) + 0.01;
            // The chroma bins that may be non-zero, in chroma order: [firstLow, endLow) then [firstHigh, nChroma)
            // (two ranges when the candidates wrap around the octave). Every other weight is zero.
            int firstLow = 0, endLow = 0, firstHigh = 0;
            if (2 * reach + 1 >= nChroma)
            {
                for (int c = 0; c < nChroma; c++)
                    column[c] = Weight(frqbins[k], c, half, nChroma, binwidth);
            }
            else
            {
                double position = PositiveRemainder(frqbins[k] + (10 * nChroma), nChroma);
                int lo = (int)Math.Ceiling(position - reach), hi = (int)Math.Floor(position + reach);
                for (int m = lo; m <= hi; m++)
                {
                    int c = ((m % nChroma) + nChroma) % nChroma;
                    column[c] = Weight(frqbins[k], c, half, nChroma, binwidth);
                }
                int cLo = ((lo % nChroma) + nChroma) % nChroma, end = cLo + hi - lo + 1;
                if (end <= nChroma)
                    (firstLow, endLow, firstHigh) = (cLo, end, nChroma);
                else
                    (firstLow, endLow, firstHigh) = (0, end - nChroma, cLo);
            }
            // librosa sums every weight in chroma order, zeros included; adding a zero changes no sum, so the
            // candidates' squares in chroma order give the same bits.
            double norm2 = 0.0;
            for (int c = firstLow; c < endLow; c++)
                norm2 += column[c] * column[c];
            for (int c = firstHigh; c < nChroma; c++)
                norm2 += column[c] * column[c];
            double length = Math.Sqrt(norm2);
            if (length < TinyFloat64)
                length = 1.0;
            double octave = (frqbins[k] / nChroma - CenterOctave) / OctaveWidth;
            double octaveWeight = Math.Exp(-0.5 * (octave * octave));
            for (int c = firstLow; c < endLow; c++)
            {
                if (column[c] != 0.0)
                    result[target[c] + k] = (float)(column[c] / length * octaveWeight);
            }
            for (int c = firstHigh; c < nChroma; c++)
            {
                if (column[c] != 0.0)
                    result[target[c] + k] = (float)(column[c] / length * octaveWeight);
            }
        }
    }

    /// <summary>librosa's Gaussian weight of chroma bin <paramref name="c"/> at <paramref name="frqbin"/> before normalisation.</summary>
    private static double Weight(double frqbin, int c, double half, int nChroma, double binwidth)
    {
        // D = remainder(frqbins - c + n_chroma2 + 10 n_chroma, n_chroma) - n_chroma2 (argument is positive: fmod is numpy's remainder)
        double d = PositiveRemainder((frqbin - c) + half + (10 * nChroma), nChroma) - half;
        double z = 2 * d / binwidth;
        double zz = z * z;
        return zz > 250.0 ? 0.0 : Math.Exp(-0.5 * zz);
    }

    /// <summary>
    /// <c>x % n</c> (fmod) for x &gt;= 0 and a positive integer n below 2^31, without the libm call: x - n·floor(x / n) is
    /// exact (Sterbenz: n·q lies in [x / 2, x]), and when x / n rounds up to the next integer the negative remainder
    /// plus n is exact as well (a multiple of x's ulp below n). So the result is fmod's, bit for bit.
    /// </summary>
    internal static double PositiveRemainder(double x, int n)
    {
        double r = x - (n * Math.Floor(x / n));
        if (r < 0)
            r += n;
        else if (r >= n)
            r -= n;
        return r;
    }
}
