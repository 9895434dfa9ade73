using System.Numerics.Tensors;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Mel filterbank exactly as <c>librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)</c> builds it with its
/// defaults: Slaney mel scale (htk=False: linear below 1 kHz, logarithmic above), triangles between
/// consecutive mel points, Slaney area normalisation (<c>2 / (f[i+2] - f[i])</c>), fmin 0, fmax sr/2, float32
/// weights. The geometry is computed in double precision like numpy; each weight is rounded to float32 and
/// then normalised in double and rounded again, which is what librosa's in-place <c>weights *= enorm</c> on a
/// float32 array does.
/// </summary>
/// <remarks>
/// Each filter is non-zero on one contiguous run of bins, so it is stored as that run and applied as one dot
/// product per band (TensorPrimitives.Dot). Immutable and thread-safe.
/// </remarks>
internal sealed class MelFilterBank
{
    private readonly int[] _start;
    private readonly float[][] _weights;

    /// <summary>Builds the filterbank.</summary>
    /// <param name="sampleRate">Sample rate in Hz, &gt; 0.</param>
    /// <param name="nFft">FFT size; the filters cover its <c>nFft / 2 + 1</c> bins.</param>
    /// <param name="melCount">Number of mel bands, &gt; 0.</param>
    /// <param name="fmin">Lowest frequency (Hz).</param>
    /// <param name="fmax">Highest frequency (Hz); null for sr / 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public MelFilterBank(int sampleRate, int nFft, int melCount, double fmin = 0.0, double? fmax = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(melCount);
        double top = fmax ?? sampleRate / 2.0;
        if (fmin < 0 || top <= fmin)
            throw new ArgumentOutOfRangeException(nameof(fmin), fmin, $"Need 0 <= fmin < fmax (fmax = {top}).");

        SampleRate = sampleRate;
        NFft = nFft;
        MelCount = melCount;
        BinCount = nFft / 2 + 1;

        // fft_frequencies: numpy.fft.rfftfreq(n_fft, 1/sr) = k * (1 / (n_fft * (1/sr))).
        double binHz = 1.0 / (nFft * (1.0 / sampleRate));
        var fftFreqs = new double[BinCount];
        for (int k = 0; k < BinCount; k++)
            fftFreqs[k] = k * binHz;

        // mel_frequencies(n_mels + 2, fmin, fmax): numpy.linspace in mel, back to Hz.
        int points = melCount + 2;
        double minMel = HzToMel(fmin), maxMel = HzToMel(top);
        double step = (maxMel - minMel) / (points - 1);
        var melF = new double[points];
        for (int i = 0; i < points; i++)
            melF[i] = MelToHz(i == points - 1 ? maxMel : i * step + minMel);

        _start = new int[melCount];
        _weights = new float[melCount][];
        var row = new float[BinCount];
        for (int m = 0; m < melCount; m++)
        {
            double lowerDiff = melF[m + 1] - melF[m];
            double upperDiff = melF[m + 2] - melF[m + 1];
            double enorm = 2.0 / (melF[m + 2] - melF[m]);
            int first = -1, last = -1;
            // A weight is non-zero only strictly between melF[m] and melF[m + 2] (the sign of each ramp is the sign of
            // an exact difference), so only the bins there are computed: the others are the zeros the formula gives.
            int from = Math.Max(0, (int)Math.Floor(melF[m] / binHz) - 1);
            int to = Math.Min(BinCount - 1, (int)Math.Ceiling(melF[m + 2] / binHz) + 1);
            for (int k = from; k <= to; k++)
            {
                // ramps = mel_f[:, None] - fftfreqs; lower = -ramps[m] / fdiff[m]; upper = ramps[m+2] / fdiff[m+1]
                double lower = -(melF[m] - fftFreqs[k]) / lowerDiff;
                double upper = (melF[m + 2] - fftFreqs[k]) / upperDiff;
                float w32 = (float)Math.Max(0.0, Math.Min(lower, upper));
                float w = (float)(w32 * enorm);
                row[k] = w;
                if (w != 0f)
                {
                    if (first < 0)
                        first = k;
                    last = k;
                }
            }
            if (first < 0)
            {
                _start[m] = 0;
                _weights[m] = [];
            }
            else
            {
                _start[m] = first;
                _weights[m] = row.AsSpan(first, last - first + 1).ToArray();
            }
        }
    }

    // Every extractor needs the same two banks per sample rate; a few rates per process is typical.
    private static readonly SharedInstanceCache<(int SampleRate, int NFft, int MelCount), MelFilterBank> s_shared = new(64);

    /// <summary>
    /// A shared filterbank with librosa's defaults (fmin 0, fmax sr / 2) for these parameters, built on first use and
    /// then reused, so that each new extractor (one per concurrent call) does not build its own. Thread-safe.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As for the constructor.</exception>
    public static MelFilterBank GetShared(int sampleRate, int nFft, int melCount) =>
        s_shared.GetOrCreate((sampleRate, nFft, melCount), static k => new MelFilterBank(k.SampleRate, k.NFft, k.MelCount));

    /// <summary>Sample rate the filters were built for.</summary>
    public int SampleRate { get; }

    /// <summary>FFT size the filters were built for.</summary>
    public int NFft { get; }

    /// <summary>Number of mel bands.</summary>
    public int MelCount { get; }

    /// <summary>Number of spectrum bins the filters take, <c>NFft / 2 + 1</c>.</summary>
    public int BinCount { get; }

    /// <summary>The weight of spectrum bin <paramref name="bin"/> in band <paramref name="mel"/> (0 outside the band's run).</summary>
    public float Weight(int mel, int bin)
    {
        int offset = bin - _start[mel];
        float[] w = _weights[mel];
        return offset >= 0 && offset < w.Length ? w[offset] : 0f;
    }

    /// <summary>First non-zero bin of band <paramref name="mel"/> and the number of bins in its run.</summary>
    public (int Start, int Length) BandRange(int mel) => (_start[mel], _weights[mel].Length);

    /// <summary>Mel spectrum of one frame: <c>mel[m] = sum_k weights[m, k] * spectrum[k]</c>.</summary>
    /// <param name="spectrum"><see cref="BinCount"/> values (power for a mel power spectrogram).</param>
    /// <param name="mel">Receives <see cref="MelCount"/> values.</param>
    public void Apply(ReadOnlySpan<float> spectrum, Span<float> mel)
    {
        if (spectrum.Length < BinCount)
            throw new ArgumentException($"The spectrum needs {BinCount} bins.", nameof(spectrum));
        if (mel.Length < MelCount)
            throw new ArgumentException($"The output needs {MelCount} bands.", nameof(mel));
        for (int m = 0; m < _weights.Length; m++)
        {
            float[] w = _weights[m];
            mel[m] = w.Length == 0 ? 0f : TensorPrimitives.Dot(spectrum.Slice(_start[m], w.Length), w);
        }
    }

    /// <summary>Hz to mel on the Slaney scale (librosa <c>hz_to_mel(htk=False)</c>).</summary>
    public static double HzToMel(double hz)
    {
        const double fSp = 200.0 / 3;
        const double minLogHz = 1000.0;
        const double minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return hz >= minLogHz ? minLogMel + Math.Log(hz / minLogHz) / logStep : hz / fSp;
    }

    /// <summary>Mel to Hz on the Slaney scale (librosa <c>mel_to_hz(htk=False)</c>).</summary>
    public static double MelToHz(double mel)
    {
        const double fSp = 200.0 / 3;
        const double minLogHz = 1000.0;
        const double minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return mel >= minLogMel ? minLogHz * Math.Exp(logStep * (mel - minLogMel)) : fSp * mel;
    }
}
