namespace EmoSer.Runtime.Features;

/// <summary>
/// The 193 seed features of the most recent <c>windowSeconds</c> of a mono stream, on demand. Each STFT frame
/// (every 512 samples) is analysed once, when its last sample arrives, into a ring of per-frame rows; a query
/// only re-analyses the few frames that touch the window's edges (where the window's zero padding differs
/// from the stream's real neighbours) and recomputes the window-wide statistics (global top_db of the MFCC,
/// tuning of the chroma, contrast dB) from the rows. The result is exactly what
/// <see cref="SeedFeatureExtractor"/> returns for the same window's samples.
/// </summary>
/// <remarks>
/// <para>The window is aligned to the 512-sample frame grid of the stream so that frames can be reused: once
/// at least a full window has been pushed, it is <c>[s, s + W)</c> with s the largest multiple of 512 for
/// which <c>s + W &lt;= SamplesPushed</c> (W = round(windowSeconds * sampleRate)), so it ends at most 511
/// samples before the newest one; see <see cref="WindowStart"/> and <see cref="WindowEnd"/>. Before that,
/// it is everything pushed so far.</para>
/// <para>Memory is constant (window plus a few frames); nothing is allocated after construction.
/// Thread-safe: calls are serialised by a lock on the instance.</para>
/// </remarks>
internal sealed class StreamingFeatureExtractor
{
    private const int Hop = FrameAnalyzer.HopLength;
    private const int HalfFrame = FrameAnalyzer.NFft / 2;
    /// <summary>Longest supported window, so that a bad argument cannot demand unbounded memory.</summary>
    private const double MaxWindowSeconds = 600;

    private readonly Lock _lock = new();
    private readonly FrameAnalyzer _analyzer;
    private readonly WindowFeatureAggregator _aggregator;
    private readonly FeatureFrames _ring;
    private readonly FeatureFrames _window;
    private readonly int _ringSize;
    private readonly int _windowSamples;
    private readonly int _keepSamples;
    private readonly float[] _buffer;
    private long _bufferStart;   // stream index of _buffer[0]
    private int _bufferLength;
    private long _pushed;
    private long _nextFrame;     // next stream frame (centre 512 k) to analyse

    /// <summary>Creates a streaming extractor.</summary>
    /// <param name="sampleRate">Sample rate of the pushed audio; must exceed 12800 Hz (as <see cref="SeedFeatureExtractor"/>).</param>
    /// <param name="windowSeconds">Length of the analysis window in seconds, in (0, 600].</param>
    /// <exception cref="ArgumentOutOfRangeException">The sample rate is too low or the window length is out of range.</exception>
    public StreamingFeatureExtractor(int sampleRate, double windowSeconds)
    {
        SeedFeatureExtractor.ValidateSampleRate(sampleRate);
        if (!(windowSeconds > 0 && windowSeconds <= MaxWindowSeconds))
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, $"The window must be longer than 0 and at most {MaxWindowSeconds} seconds.");
        int samples = (int)Math.Round(windowSeconds * sampleRate);
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(windowSeconds), windowSeconds, "The window is shorter than one sample.");

        SampleRate = sampleRate;
        WindowSeconds = windowSeconds;
        _windowSamples = samples;
        _analyzer = new FrameAnalyzer(sampleRate);
        // Private filterbank slots rather than the process-wide cache: an hours-long stream meets every tuning
        // value sooner or later, and its memory must not grow with its length.
        _aggregator = new WindowFeatureAggregator(sampleRate, privateBankSlots: 4);
        int maxFrames = 1 + samples / Hop;
        _ringSize = maxFrames + 2;
        _ring = _analyzer.CreateFrames();
        _ring.EnsureCapacity(_ringSize);
        _window = _analyzer.CreateFrames();
        _window.EnsureCapacity(maxFrames);
        _aggregator.Reserve(maxFrames, _window.MaxCandidates);
        // Samples a query or the next frame can still need: the window, its alignment slack and one frame.
        _keepSamples = samples + Hop + 2 * FrameAnalyzer.NFft;
        _buffer = new float[_keepSamples + 4 * FrameAnalyzer.NFft];
    }

    /// <summary>Sample rate of the pushed audio.</summary>
    public int SampleRate { get; }

    /// <summary>Requested window length in seconds.</summary>
    public double WindowSeconds { get; }

    /// <summary>Total number of samples pushed since construction or <see cref="Reset"/>.</summary>
    public long SamplesPushed
    {
        get { lock (_lock) return _pushed; }
    }

    /// <summary>Stream index of the first sample of the current window.</summary>
    public long WindowStart
    {
        get { lock (_lock) return CurrentWindow().Start; }
    }

    /// <summary>Stream index one past the last sample of the current window.</summary>
    public long WindowEnd
    {
        get { lock (_lock) return CurrentWindow().End; }
    }

    /// <summary>Number of STFT frames of the current window (<c>1 + length / 512</c>; 0 before any audio).</summary>
    public int FramesInWindow
    {
        get
        {
            lock (_lock)
            {
                var (start, end) = CurrentWindow();
                return _pushed == 0 ? 0 : _analyzer.FrameCount((int)(end - start));
            }
        }
    }

    /// <summary>Appends mono samples to the stream and analyses every frame they complete.</summary>
    public void Push(ReadOnlySpan<float> mono)
    {
        lock (_lock)
        {
            while (!mono.IsEmpty)
            {
                if (_bufferLength == _buffer.Length)
                    Compact();
                int n = Math.Min(mono.Length, _buffer.Length - _bufferLength);
                mono[..n].CopyTo(_buffer.AsSpan(_bufferLength));
                _bufferLength += n;
                _pushed += n;
                mono = mono[n..];
                AnalyzeCompletedFrames();
            }
        }
    }

    /// <summary>
    /// Features of the current window (see the remarks for its exact extent) into <paramref name="features"/>.
    /// </summary>
    /// <returns>False (and <paramref name="features"/> untouched) when nothing has been pushed yet.</returns>
    /// <exception cref="ArgumentException"><paramref name="features"/> is shorter than 193.</exception>
    public bool TryGetFeatures(Span<float> features)
    {
        if (features.Length < SeedFeatureExtractor.FeatureCount)
            throw new ArgumentException($"The feature span needs {SeedFeatureExtractor.FeatureCount} values, got {features.Length}.", nameof(features));
        lock (_lock)
        {
            if (_pushed == 0)
                return false;
            var (start, end) = CurrentWindow();
            ReadOnlySpan<float> windowSamples = _buffer.AsSpan((int)(start - _bufferStart), (int)(end - start));
            int frameCount = _analyzer.FrameCount(windowSamples.Length);
            long firstFrame = start / Hop;
            for (int t = 0; t < frameCount; t++)
            {
                long k = firstFrame + t;
                long centre = k * Hop;
                bool leftInside = start == 0 || centre - HalfFrame >= start;
                bool rightInside = centre + HalfFrame <= end;
                if (leftInside && rightInside && k < _nextFrame)
                    _window.CopyRowFrom(_ring, (int)(k % _ringSize), t);
                else
                    _analyzer.Analyze(windowSamples, (long)t * Hop, _window, t);
            }
            _aggregator.Compute(_window, frameCount, features);
            return true;
        }
    }

    /// <summary>Forgets all audio: the next sample pushed is stream sample 0 again.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _bufferStart = 0;
            _bufferLength = 0;
            _pushed = 0;
            _nextFrame = 0;
        }
    }

    private (long Start, long End) CurrentWindow() => WindowBounds(_pushed, _windowSamples);

    /// <summary>
    /// The window after <paramref name="pushed"/> samples: everything so far until a full window has arrived, then the
    /// last <paramref name="windowSamples"/> samples aligned to the 512-sample frame grid (see the remarks).
    /// </summary>
    internal static (long Start, long End) WindowBounds(long pushed, int windowSamples)
    {
        if (pushed <= windowSamples)
            return (0, pushed);
        long start = (pushed - windowSamples) / Hop * Hop;
        return (start, start + windowSamples);
    }

    private void AnalyzeCompletedFrames()
    {
        ReadOnlySpan<float> buffered = _buffer.AsSpan(0, _bufferLength);
        while (_nextFrame * Hop + HalfFrame <= _pushed)
        {
            // Before stream sample 0 the frame sees zeros, exactly like a window that starts at 0.
            long centre = _nextFrame * Hop - _bufferStart;
            _analyzer.Analyze(buffered, centre, _ring, (int)(_nextFrame % _ringSize));
            _nextFrame++;
        }
    }

    private void Compact()
    {
        long keepFrom = Math.Max(_bufferStart, _pushed - _keepSamples);
        int drop = (int)(keepFrom - _bufferStart);
        _buffer.AsSpan(drop, _bufferLength - drop).CopyTo(_buffer);
        _bufferLength -= drop;
        _bufferStart = keepFrom;
    }
}
