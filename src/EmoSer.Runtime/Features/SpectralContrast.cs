using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Octave-band spectral contrast of magnitude STFT frames, as <c>librosa.feature.spectral_contrast(S=S, sr,
/// fmin, n_bands, quantile)</c> computes it: per frame and band, the mean of the <c>q</c> smallest (valley) and
/// <c>q</c> largest (peak) magnitudes; per utterance, <c>power_to_db(peak) − power_to_db(valley)</c> with
/// power_to_db's top_db of 80 applied over each whole matrix (<see cref="MeanContrastDb"/>).
/// </summary>
/// <remarks>
/// Bands follow librosa exactly: edges <c>[0, fmin, 2 fmin, …, 2^n_bands fmin]</c>; band k takes the FFT bins
/// with <c>f_low ≤ f ≤ f_high</c>, plus the bin just below for k &gt; 0, plus every bin above for the last
/// band; bands other than the last drop their highest bin from the statistics but not from the count;
/// <c>q = max(1, rint(quantile · count))</c>. The q extremes are found by selection (same multiset as
/// librosa's np.sort) and averaged in ascending order in float32, as numpy does.
/// <see cref="ComputeFrame"/> allocates nothing (its selection buffers are on the stack); instances are immutable
/// after construction and may be shared between threads.
/// </remarks>
internal sealed class SpectralContrast
{
    private readonly int[] _bandFirst;   // first bin used for the statistics
    private readonly int[] _bandRows;    // bins used for the statistics
    private readonly int[] _bandQ;       // q per band
    private readonly int _maxQ;          // largest q: size of the per-call selection buffers

    /// <summary>Precomputes the band layout.</summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT size; frames hold <c>nFft / 2 + 1</c> bins.</param>
    /// <param name="fmin">Upper edge of the first band in Hz (librosa default 200).</param>
    /// <param name="nBands">Number of octave bands above the first (librosa default 6); frames give nBands + 1 values.</param>
    /// <param name="quantile">Fraction of each band averaged for peak and valley, in (0, 1) (librosa default 0.02).</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A parameter is out of range, or the top band's lower edge <c>fmin · 2^(nBands−1)</c> is at or above Nyquist
    /// (librosa raises "Frequency band exceeds Nyquist" there: with the defaults, for sample rates ≤ 12800 Hz),
    /// or a band holds no FFT bin.
    /// </exception>
    public SpectralContrast(int sampleRate, int nFft, double fmin = 200, int nBands = 6, double quantile = 0.02)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nBands);
        if (!(fmin > 0) || !double.IsFinite(fmin))
            throw new ArgumentOutOfRangeException(nameof(fmin), fmin, "fmin must be a positive number of Hz.");
        if (!(quantile > 0 && quantile < 1))
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "quantile must lie in the range (0, 1).");

        // octa = [0, fmin·2^0, …, fmin·2^nBands]; librosa: if any(octa[:-1] >= 0.5·sr) raise.
        var octa = new double[nBands + 2];
        for (int i = 0; i <= nBands; i++)
            octa[i + 1] = fmin * Math.Pow(2.0, i);
        if (octa[nBands] >= 0.5 * sampleRate)
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate,
                $"Spectral contrast needs a sample rate above {2 * octa[nBands]:0.###} Hz: its top band starts at " +
                $"{octa[nBands]:0.###} Hz (fmin {fmin:0.###} Hz × 2^{nBands - 1}), which must lie below Nyquist " +
                $"({0.5 * sampleRate:0.###} Hz). Resample the audio or reduce fmin or the number of bands.");
        }

        SampleRate = sampleRate;
        FftSize = nFft;
        BandCount = nBands;
        BinCount = nFft / 2 + 1;

        // fft_frequencies = np.fft.rfftfreq(n_fft, 1/sr) = k · (1 / (n_fft · (1/sr)))
        double val = 1.0 / (nFft * (1.0 / sampleRate));
        _bandFirst = new int[nBands + 1];
        _bandRows = new int[nBands + 1];
        _bandQ = new int[nBands + 1];
        int maxQ = 1;
        for (int k = 0; k <= nBands; k++)
        {
            double lo = octa[k], hi = octa[k + 1];
            int first = -1, last = -1;
            for (int b = 0; b < BinCount; b++)
            {
                double f = b * val;
                if (f >= lo && f <= hi)
                {
                    if (first < 0) first = b;
                    last = b;
                }
            }
            if (first < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(nFft), nFft,
                    $"Spectral contrast band {k} ({lo:0.###}-{hi:0.###} Hz) holds no FFT bin at {sampleRate} Hz with n_fft {nFft}.");
            }
            if (k > 0)
                first--;             // plus the bin just below
            if (k == nBands)
                last = BinCount - 1; // the last band takes everything above
            int count = last - first + 1;
            int rows = k < nBands ? count - 1 : count; // bands below the top drop their highest bin
            if (rows < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(nFft), nFft,
                    $"Spectral contrast band {k} ({lo:0.###}-{hi:0.###} Hz) is narrower than one FFT bin at {sampleRate} Hz with n_fft {nFft}.");
            }
            int q = (int)Math.Max(Math.Round(quantile * count, MidpointRounding.ToEven), 1);
            _bandFirst[k] = first;
            _bandRows[k] = rows;
            _bandQ[k] = Math.Min(q, rows); // numpy's slices stop at the band's size
            maxQ = Math.Max(maxQ, _bandQ[k]);
        }
        _maxQ = maxQ;
    }

    /// <summary>Sample rate the bands were laid out for.</summary>
    public int SampleRate { get; }

    /// <summary>FFT size the bands were laid out for.</summary>
    public int FftSize { get; }

    /// <summary>Frequency bins per frame: <c>FftSize / 2 + 1</c>.</summary>
    public int BinCount { get; }

    /// <summary>Number of octave bands above the first.</summary>
    public int BandCount { get; }

    /// <summary>Values per frame in <c>peak</c> and <c>valley</c>: <c>BandCount + 1</c>.</summary>
    public int ValuesPerFrame => BandCount + 1;

    /// <summary>Peak and valley magnitudes of one frame (librosa's float32 means, before any dB conversion).</summary>
    /// <param name="mag">One magnitude STFT column of <see cref="BinCount"/> values.</param>
    /// <param name="peak">Receives <see cref="ValuesPerFrame"/> peak values.</param>
    /// <param name="valley">Receives <see cref="ValuesPerFrame"/> valley values.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public void ComputeFrame(ReadOnlySpan<float> mag, Span<float> peak, Span<float> valley)
    {
        if (mag.Length != BinCount)
            throw new ArgumentException($"Expected a frame of {BinCount} bins, got {mag.Length}.", nameof(mag));
        if (peak.Length != ValuesPerFrame)
            throw new ArgumentException($"Expected room for {ValuesPerFrame} peak values, got {peak.Length}.", nameof(peak));
        if (valley.Length != ValuesPerFrame)
            throw new ArgumentException($"Expected room for {ValuesPerFrame} valley values, got {valley.Length}.", nameof(valley));

        Span<float> lowBuffer = stackalloc float[_maxQ];
        Span<float> highBuffer = stackalloc float[_maxQ];
        for (int k = 0; k <= BandCount; k++)
        {
            int q = _bandQ[k];
            ReadOnlySpan<float> band = mag.Slice(_bandFirst[k], _bandRows[k]);
            Span<float> low = lowBuffer[..q];
            Span<float> high = highBuffer[..q];
            SelectExtremes(band, low, high);

            float lowSum = 0f, highSum = 0f;
            for (int i = 0; i < q; i++)
            {
                lowSum += low[i];
                highSum += high[i];
            }
            valley[k] = lowSum / q;
            peak[k] = highSum / q;
        }
    }

    /// <summary>
    /// Keeps the q smallest values of <paramref name="band"/> in <paramref name="low"/> and the q largest in
    /// <paramref name="high"/>, both ascending. One pass: blocks of 8 values that beat neither the current
    /// q-th smallest nor the current q-th largest (nearly all of them) are skipped with one vector compare.
    /// </summary>
    private static void SelectExtremes(ReadOnlySpan<float> band, Span<float> low, Span<float> high)
    {
        int q = low.Length;
        if (q == 1)
        {
            low[0] = TensorPrimitives.Min(band);
            high[0] = TensorPrimitives.Max(band);
            return;
        }
        // Seed both buffers with the first q values, insertion-sorted.
        for (int i = 0; i < q; i++)
        {
            float x = band[i];
            int j = i;
            while (j > 0 && low[j - 1] > x)
            {
                low[j] = low[j - 1];
                j--;
            }
            low[j] = x;
        }
        low.CopyTo(high);

        int n = band.Length;
        int k = q;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float b = ref MemoryMarshal.GetReference(band);
            for (; k + 8 <= n; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref b, (nuint)k);
                var hit = Vector256.LessThan(v, Vector256.Create(low[q - 1])) | Vector256.GreaterThan(v, Vector256.Create(high[0]));
                if (hit == Vector256<float>.Zero)
                    continue;
                for (int i = k; i < k + 8; i++)
                    Offer(band[i], low, high);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            ref float b = ref MemoryMarshal.GetReference(band);
            for (; k + 4 <= n; k += 4)
            {
                var v = Vector128.LoadUnsafe(ref b, (nuint)k);
                var hit = Vector128.LessThan(v, Vector128.Create(low[q - 1])) | Vector128.GreaterThan(v, Vector128.Create(high[0]));
                if (hit == Vector128<float>.Zero)
                    continue;
                for (int i = k; i < k + 4; i++)
                    Offer(band[i], low, high);
            }
        }
        for (; k < n; k++)
            Offer(band[k], low, high);
    }

    private static void Offer(float x, Span<float> low, Span<float> high)
    {
        int q = low.Length;
        if (x < low[q - 1])
        {
            int j = q - 1;
            while (j > 0 && low[j - 1] > x)
            {
                low[j] = low[j - 1];
                j--;
            }
            low[j] = x;
        }
        if (x > high[0])
        {
            int j = 0;
            while (j < q - 1 && high[j + 1] < x)
            {
                high[j] = high[j + 1];
                j++;
            }
            high[j] = x;
        }
    }

    /// <summary>
    /// Mean spectral contrast over frames in dB: <c>mean_t(power_to_db(peak) − power_to_db(valley))</c>, where
    /// power_to_db (ref 1, amin 1e-10, top_db 80) clips each matrix at its own maximum minus 80 dB.
    /// </summary>
    /// <param name="peaks">Frame-major peaks: <paramref name="frames"/> × bands values (from <see cref="ComputeFrame"/>).</param>
    /// <param name="valleys">Frame-major valleys, same layout.</param>
    /// <param name="frames">Number of frames (≥ 1).</param>
    /// <param name="mean">Receives one mean per band; its length sets the number of bands per frame.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frames"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The spans do not hold <c>frames × mean.Length</c> values.</exception>
    public static void MeanContrastDb(ReadOnlySpan<float> peaks, ReadOnlySpan<float> valleys, int frames, Span<float> mean)
    {
        int bands = mean.Length;
        (double peakFloor, double valleyFloor) = Floors(peaks, valleys, frames, bands);
        for (int b = 0; b < bands; b++)
        {
            double sum = 0.0;
            for (int t = 0; t < frames; t++)
            {
                int i = t * bands + b;
                sum += Math.Max(PowerDb(peaks[i]), peakFloor) - Math.Max(PowerDb(valleys[i]), valleyFloor);
            }
            mean[b] = (float)(sum / frames);
        }
    }

    /// <summary>
    /// The per-frame contrast matrix in dB (what librosa.feature.spectral_contrast returns, frame-major):
    /// <c>power_to_db(peak) − power_to_db(valley)</c> with top_db 80 over each whole matrix.
    /// </summary>
    /// <param name="peaks">Frame-major peaks: <paramref name="frames"/> × <paramref name="bands"/> values.</param>
    /// <param name="valleys">Frame-major valleys, same layout.</param>
    /// <param name="frames">Number of frames (≥ 1).</param>
    /// <param name="bands">Values per frame (<see cref="ValuesPerFrame"/>).</param>
    /// <param name="contrast">Receives frames × bands values, frame-major.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frames"/> or <paramref name="bands"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A span does not hold <c>frames × bands</c> values.</exception>
    public static void ContrastDb(ReadOnlySpan<float> peaks, ReadOnlySpan<float> valleys, int frames, int bands, Span<float> contrast)
    {
        (double peakFloor, double valleyFloor) = Floors(peaks, valleys, frames, bands);
        if (contrast.Length != peaks.Length)
            throw new ArgumentException($"Expected room for {peaks.Length} contrast values, got {contrast.Length}.", nameof(contrast));
        for (int i = 0; i < contrast.Length; i++)
            contrast[i] = (float)(Math.Max(PowerDb(peaks[i]), peakFloor) - Math.Max(PowerDb(valleys[i]), valleyFloor));
    }

    private static (double PeakFloor, double ValleyFloor) Floors(ReadOnlySpan<float> peaks, ReadOnlySpan<float> valleys, int frames, int bands)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        long needed = (long)frames * bands;
        if (peaks.Length != needed)
            throw new ArgumentException($"Expected {needed} peak values ({frames} frames × {bands}), got {peaks.Length}.", nameof(peaks));
        if (valleys.Length != needed)
            throw new ArgumentException($"Expected {needed} valley values ({frames} frames × {bands}), got {valleys.Length}.", nameof(valleys));
        return (MaxDb(peaks) - TopDb, MaxDb(valleys) - TopDb);
    }

    private const double TopDb = 80.0;
    private const double Amin = 1e-10;

    private static double PowerDb(float x) => 10.0 * Math.Log10(Math.Max(Amin, (double)x));

    private static double MaxDb(ReadOnlySpan<float> values)
    {
        // log10 is monotonic, so the largest dB value comes from the largest value (NaN-free input).
        float max = float.NegativeInfinity;
        foreach (float v in values)
            if (v > max) max = v;
        return PowerDb(max);
    }
}
