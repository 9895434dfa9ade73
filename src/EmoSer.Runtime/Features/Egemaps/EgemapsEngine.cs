namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// The eGeMAPSv02 pipeline as a stream: samples in, per-frame records out, in openSMILE's order and with its
/// end-of-input behaviour. Every 10 ms it analyses the newly complete 20 ms Hamming frame (the "E" descriptors:
/// loudness, spectral shape, MFCC, formants, energy) and 60 ms Gaussian frame (SHS pitch candidates into the
/// Viterbi smoother). Frames the Viterbi has decided get their F0, jitter/shimmer and harmonic descriptors (the
/// "F" descriptors). Raw records are kept (grow-only) so that 3-frame smoothing and the functionals can be
/// computed exactly, including the extra padded frame openSMILE's smoother emits at the end of the input.
/// </summary>
internal sealed class EgemapsEngine
{
    /// <summary>Raw per-20 ms-frame values: 10 descriptors, energy (mean square), F1-F3 frequency and bandwidth.</summary>
    public const int EWidth = 17;
    public const int EEnergy = 10;
    public const int EFormants = 11;   // F1f, F2f, F3f, F1b, F2b, F3b

    /// <summary>
    /// Raw per-60 ms-frame values: F0 (semitones, 0 unvoiced), jitter, shimmer dB, HNR, H1-H2, H1-A3,
    /// F1-F3 amplitude relative to F0.
    /// </summary>
    public const int FWidth = 9;

    private readonly EgemapsParameters _p;
    private readonly FrameSpectrum _short;
    private readonly FrameSpectrum _long;
    private readonly double[] _longWindow;
    private readonly SpectralDescriptors _spectral;
    private readonly FormantAnalyzer _formants;
    private readonly SubharmonicPitch _pitch;
    private readonly PitchViterbi _viterbi = new();
    private readonly PeriodPerturbation _jitter;
    private readonly HarmonicAnalyzer _harmonics;
    private readonly float _gain;

    // samples
    private float[] _buf;
    private long _bufStart;
    private int _bufLen;
    private long _pushed;
    private bool _completed;

    // per-frame state
    private long _nextShort, _nextLong, _nextDecided;
    private readonly float[] _longMagRing;     // magnitude spectra of undecided 60 ms frames
    private readonly float[] _longEnergy;      // RMS of the windowed 60 ms frame, same ring
    // Undecided frames plus a batch analysed before the smoother takes it.
    private const int Ring = PitchViterbi.BufferLength + 2 + SubharmonicPitch.Lanes;
    private const int ShortBatch = FormantAnalyzer.Lanes;

    private float[] _e = new float[64 * EWidth];
    private float[] _f = new float[64 * FWidth];

    private readonly float[] _candF0 = new float[SubharmonicPitch.Lanes * SubharmonicPitch.Candidates];
    private readonly float[] _candVoicing = new float[SubharmonicPitch.Lanes * SubharmonicPitch.Candidates];
    private readonly float[] _candScore = new float[SubharmonicPitch.Lanes * SubharmonicPitch.Candidates];
    private readonly int[] _batchOffsets = new int[SubharmonicPitch.Lanes];
    private readonly double[] _frameSums = new double[Math.Max(SubharmonicPitch.Lanes, ShortBatch)];
    private readonly float[] _fd = new float[6];
    private readonly float[] _desc = new float[10];
    private readonly float[] _formantF = new float[ShortBatch * FormantAnalyzer.MaxFormants];
    private readonly float[] _formantB = new float[ShortBatch * FormantAnalyzer.MaxFormants];

    /// <param name="sampleRate">Input rate (Hz).</param>
    /// <param name="inputGain">Factor applied to every sample (the runtime's 1/32768 scale to openSMILE's 1/32767).</param>
    public EgemapsEngine(int sampleRate, float inputGain)
    {
        _p = new EgemapsParameters(sampleRate);
        _gain = inputGain;
        _short = new FrameSpectrum(_p.ShortFrame, _p.ShortFft, FrameSpectrum.Hamming(_p.ShortFrame));
        _longWindow = FrameSpectrum.Gauss(_p.LongFrame, 0.4);
        _long = new FrameSpectrum(_p.LongFrame, _p.LongFft, _longWindow);
        _spectral = new SpectralDescriptors(_p.ShortBins, _p.ShortFftSeconds);
        _formants = new FormantAnalyzer(_p);
        _pitch = new SubharmonicPitch(_p);
        _jitter = new PeriodPerturbation(_p);
        _harmonics = new HarmonicAnalyzer(_p);
        _longMagRing = new float[Ring * _p.LongBins];
        _longEnergy = new float[Ring];
        _buf = new float[Math.Max(4 * _p.LongFrame, 8192)];
    }

    public EgemapsParameters Parameters => _p;

    public long SamplesPushed => _pushed;

    public bool Completed => _completed;

    /// <summary>Raw 20 ms records computed so far.</summary>
    public long ShortFrames => _nextShort;

    /// <summary>
    /// Frames the pitch smoother had decided when the input ended, before its end-of-input flush: openSMILE's
    /// functionals read the 60 ms levels at that moment (see <see cref="EgemapsAssembler"/>).
    /// </summary>
    public long DecidedBeforeEnd { get; private set; }

    /// <summary>Raw 60 ms records decided so far (F descriptors available).</summary>
    public long DecidedFrames => _nextDecided;

    public ReadOnlySpan<float> ERecords => _e.AsSpan(0, (int)(_nextShort * EWidth));

    public ReadOnlySpan<float> FRecords => _f.AsSpan(0, (int)(_nextDecided * FWidth));

    public void Reset()
    {
        _bufStart = 0;
        _bufLen = 0;
        _pushed = 0;
        _completed = false;
        _nextShort = _nextLong = _nextDecided = 0;
        DecidedBeforeEnd = 0;
        _viterbi.Reset();
        _jitter.Reset();
        _spectral.Reset();
    }

    /// <summary>Reserves record storage for an input of <paramref name="samples"/> samples (no allocation later).</summary>
    public void Reserve(long samples)
    {
        long frames = _p.ShortFrameCount(samples) + 2;
        if (_e.Length < frames * EWidth) Array.Resize(ref _e, (int)(frames * EWidth));
        if (_f.Length < frames * FWidth) Array.Resize(ref _f, (int)(frames * FWidth));
    }

    public void Push(ReadOnlySpan<float> samples)
    {
        if (_completed)
            throw new InvalidOperationException("The input was completed; call Reset before pushing more samples.");
        while (!samples.IsEmpty)
        {
            if (_bufLen == _buf.Length)
                Compact();
            int n = Math.Min(samples.Length, _buf.Length - _bufLen);
            Span<float> dst = _buf.AsSpan(_bufLen, n);
            if (_gain == 1f) samples[..n].CopyTo(dst);
            else System.Numerics.Tensors.TensorPrimitives.Multiply(samples[..n], _gain, dst);
            _bufLen += n;
            _pushed += n;
            samples = samples[n..];
            Analyze();
        }
    }

    /// <summary>End of input: decides the remaining frames (openSMILE's end-of-input flush).</summary>
    public void Complete()
    {
        if (_completed) return;
        Analyze();
        DecidedBeforeEnd = _nextDecided;
        _viterbi.Flush();
        DrainDecided();
        _completed = true;
    }

    private void Analyze()
    {
        int step = _p.Step;
        // 20 ms frames in batches of up to 4 (lanes across frames)
        while (_nextShort * step + _p.ShortFrame <= _pushed)
        {
            int count = (int)Math.Min(ShortBatch, (_pushed - _p.ShortFrame) / step + 1 - _nextShort);
            EnsureE(_nextShort + count);
            for (int j = 0; j < count; j++)
                AnalyzeShort(_nextShort + j, j);
            // formants of the batch (resampler passes and polynomial roots shared by the frames)
            _formants.ComputeBatch(count, _formantF, _formantB);
            for (int j = 0; j < count; j++)
            {
                Span<float> r = _e.AsSpan((int)((_nextShort + j) * EWidth), EWidth);
                for (int i = 0; i < 3; i++)
                {
                    r[EFormants + i] = _formantF[j * FormantAnalyzer.MaxFormants + i];
                    r[EFormants + 3 + i] = _formantB[j * FormantAnalyzer.MaxFormants + i];
                }
            }
            // the mean square of each unwindowed frame (equivalentSoundLevel)
            Span<double> sums = _frameSums;
            FrameSpectrum.SumsOfSquares(Samples(_nextShort * step, (count - 1) * step + _p.ShortFrame), step, _p.ShortFrame,
                [], sums[..count]);
            for (int j = 0; j < count; j++)
                _e[(int)((_nextShort + j) * EWidth + EEnergy)] = (float)(sums[j] / _p.ShortFrame);
            _nextShort += count;
        }
        // 60 ms frames in batches: the pitch candidates of up to SubharmonicPitch.Lanes frames are computed at once.
        while (_nextLong * step + _p.LongFrame <= _pushed)
        {
            int count = (int)Math.Min(SubharmonicPitch.Lanes, (_pushed - _p.LongFrame) / step + 1 - _nextLong);
            for (int j = 0; j < count; j++)
                _batchOffsets[j] = AnalyzeLong(_nextLong + j);
            // cValbasedSelector's RMS of each windowed frame
            Span<double> sums = _frameSums;
            for (int g = 0; g < count; g += 4)
            {
                int m = Math.Min(4, count - g);
                FrameSpectrum.SumsOfSquares(Samples((_nextLong + g) * step, (m - 1) * step + _p.LongFrame), step, _p.LongFrame,
                    _long.Window, sums.Slice(g, m));
            }
            for (int j = 0; j < count; j++)
                _longEnergy[(int)((_nextLong + j) % Ring)] = (float)Math.Sqrt(sums[j] / (float)_p.LongFrame);
            int c = SubharmonicPitch.Candidates;
            _pitch.ComputeBatch(_longMagRing, _batchOffsets.AsSpan(0, count), _candF0, _candVoicing, _candScore);
            for (int j = 0; j < count; j++)
            {
                _viterbi.Add(_candF0.AsSpan(j * c, c), _candVoicing.AsSpan(j * c, c));
                _nextLong++;
                DrainDecided();
            }
        }
    }

    private ReadOnlySpan<float> Samples(long start, int length) => _buf.AsSpan((int)(start - _bufStart), length);

    /// <summary>Spectral descriptors of 20 ms frame k; its spectrum goes to the formant batch slot.</summary>
    private void AnalyzeShort(long k, int slot)
    {
        ReadOnlySpan<float> frame = Samples(k * _p.Step, _p.ShortFrame);
        _short.Compute(frame);
        _spectral.Compute(_short.Magnitude, _desc);
        _formants.SetBatchSpectrum(slot, _short.Re, _short.Im);
        _desc.CopyTo(_e.AsSpan((int)(k * EWidth), EWidth));
    }

    /// <summary>Spectrum of 60 ms frame k into its ring slot; returns the spectrum's offset in the ring.</summary>
    private int AnalyzeLong(long k)
    {
        ReadOnlySpan<float> frame = Samples(k * _p.Step, _p.LongFrame);
        _long.Compute(frame);
        int slot = (int)(k % Ring);
        _long.Magnitude.CopyTo(_longMagRing.AsSpan(slot * _p.LongBins, _p.LongBins));
        return slot * _p.LongBins;
    }

    private void DrainDecided()
    {
        while (_viterbi.Available > 0)
        {
            long k = _nextDecided;
            _viterbi.Read(out float f0, out _);
            int slot = (int)(k % Ring);
            // cValbasedSelector on the 60 ms RMS: frames at or below 0.001 are unvoiced.
            if (!(_longEnergy[slot] > 0.001f))
                f0 = 0f;
            float semitone = 0f;
            if ((double)f0 > 29.136)
                semitone = 12.0f * MathF.Log(f0 / 27.5f) / MathF.Log(2.0f);
            else if (f0 > 0f)
                semitone = 1f;

            EnsureF(k + 1);
            Span<float> r = _f.AsSpan((int)(k * FWidth), FWidth);
            r[0] = semitone;
            // The whole buffer: the period search may restart at the frame's start, before where it stopped
            // (at rates where cPitchJitter's ceil(10 ms) step exceeds the frames' rounded one, e.g. 11025 Hz).
            _jitter.Process(k, f0, _buf.AsSpan(0, _bufLen), _bufStart, _p.Step, out r[1], out r[2]);
            ReadOnlySpan<float> e = _e.AsSpan((int)(k * EWidth), EWidth);
            _harmonics.Compute(_longMagRing.AsSpan(slot * _p.LongBins, _p.LongBins), f0, e.Slice(EFormants, 3), _fd);
            r[3] = _fd[0];
            r[4] = _fd[1];
            r[5] = _fd[2];
            r[6] = _fd[3];
            r[7] = _fd[4];
            r[8] = _fd[5];
            _nextDecided++;
        }
    }

    private void EnsureE(long frames)
    {
        if (_e.Length < frames * EWidth)
            Array.Resize(ref _e, (int)Math.Max(frames * EWidth, 2L * _e.Length));
    }

    private void EnsureF(long frames)
    {
        if (_f.Length < frames * FWidth)
            Array.Resize(ref _f, (int)Math.Max(frames * FWidth, 2L * _f.Length));
    }

    private void Compact()
    {
        // Keep what the next frames and the period search can still read.
        long keep = Math.Min(Math.Min(_nextShort, _nextLong) * _p.Step, _jitter.NextReadStart);
        keep = Math.Min(keep, _nextDecided * _p.Step);
        int drop = (int)(keep - _bufStart);
        if (drop <= 0)
        {
            Array.Resize(ref _buf, _buf.Length * 2);
            return;
        }
        _buf.AsSpan(drop, _bufLen - drop).CopyTo(_buf);
        _bufLen -= drop;
        _bufStart = keep;
    }
}
