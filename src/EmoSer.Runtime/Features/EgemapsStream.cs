using EmoSer.Runtime.Features.Egemaps;

namespace EmoSer.Runtime.Features;

/// <summary>
/// eGeMAPSv02 of a mono stream: push samples as they arrive, read each 10 ms frame's 25 descriptors as soon as it
/// is final, and after <see cref="Complete"/> the remaining frames and the 88 functionals of everything pushed.
/// Frames and functionals are exactly what <see cref="EgemapsExtractor"/> gives for the same samples.
/// </summary>
/// <remarks>
/// <para>A frame is final once the pitch smoother has decided it and the one after it (the 3-frame smoothing
/// needs its right neighbour); the smoother decides a frame as soon as all its candidate paths agree, at the latest
/// 40 frames (0.4 s) later, so descriptors usually lag the input by a few frames. The end of the input changes the
/// last frames (openSMILE smooths them against themselves and adds one repeated frame), which is why they wait
/// for <see cref="Complete"/>.</para>
/// <para>Raw per-frame values are kept for the functionals: about 100 bytes per 10 ms frame (600 KB per minute), grown
/// in doubling steps; call <see cref="Reset"/> between utterances. Nothing else is allocated after construction
/// once that storage is large enough. Calls are serialised by a lock on the instance.</para>
/// </remarks>
internal sealed class EgemapsStream
{
    private readonly Lock _lock = new();
    private readonly EgemapsEngine _engine;
    private readonly EgemapsAssembler _assembler = new();
    private long _framesRead;

    /// <summary>Creates a stream for audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is outside <see cref="EgemapsExtractor.MinimumSampleRate"/> to <see cref="EgemapsExtractor.MaximumSampleRate"/> Hz.</exception>
    public EgemapsStream(int sampleRate)
    {
        EgemapsExtractor.ValidateSampleRate(sampleRate);
        SampleRate = sampleRate;
        _engine = new EgemapsEngine(sampleRate, EgemapsExtractor.InputGain);
    }

    /// <summary>Sample rate of the pushed audio.</summary>
    public int SampleRate { get; }

    /// <summary>Samples pushed since construction or <see cref="Reset"/>.</summary>
    public long SamplesPushed
    {
        get { lock (_lock) return _engine.SamplesPushed; }
    }

    /// <summary>True after <see cref="Complete"/> (until <see cref="Reset"/>).</summary>
    public bool IsCompleted
    {
        get { lock (_lock) return _engine.Completed; }
    }

    /// <summary>Frames read so far with <see cref="ReadFrames"/>; the next one read is frame <c>FramesRead</c> (time FramesRead x 10 ms).</summary>
    public long FramesRead
    {
        get { lock (_lock) return _framesRead; }
    }

    /// <summary>Final frames not yet read.</summary>
    public int FramesAvailable
    {
        get { lock (_lock) return (int)(EgemapsAssembler.LldFrames(_engine) - _framesRead); }
    }

    /// <summary>Appends mono samples (runtime scale, see <see cref="EgemapsExtractor"/>) and analyses the frames they complete.</summary>
    /// <exception cref="InvalidOperationException">The stream was completed.</exception>
    /// <exception cref="ArgumentException">A sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/> (nothing is pushed).</exception>
    public void Push(ReadOnlySpan<float> mono)
    {
        if (InputLimits.IndexOfInvalidSample(mono) is int bad and >= 0)
            throw new ArgumentException(InputLimits.InvalidSampleProblem(mono, bad, 1), nameof(mono));
        lock (_lock)
            _engine.Push(mono);
    }

    /// <summary>
    /// Copies up to <c>descriptors.Length / 25</c> final frames (25 values each, in <see cref="EgemapsLayout.DescriptorNames"/>
    /// order) into <paramref name="descriptors"/>.
    /// </summary>
    /// <returns>The number of frames copied.</returns>
    public int ReadFrames(Span<float> descriptors)
    {
        lock (_lock)
        {
            long available = EgemapsAssembler.LldFrames(_engine) - _framesRead;
            int n = (int)Math.Min(available, descriptors.Length / EgemapsLayout.DescriptorCount);
            for (int i = 0; i < n; i++)
                EgemapsAssembler.WriteLld(_engine, _framesRead + i, descriptors.Slice(i * EgemapsLayout.DescriptorCount, EgemapsLayout.DescriptorCount));
            _framesRead += n;
            return n;
        }
    }

    /// <summary>Ends the input: the last frames become available and the functionals can be read.</summary>
    /// <exception cref="InvalidOperationException">Less than one 60 ms analysis frame was pushed.</exception>
    public void Complete()
    {
        lock (_lock)
        {
            if (_engine.SamplesPushed < _engine.Parameters.LongFrame)
                throw new InvalidOperationException(
                    $"Only {_engine.SamplesPushed} samples were pushed, less than one 60 ms analysis frame ({_engine.Parameters.LongFrame} samples at {SampleRate} Hz).");
            _engine.Complete();
        }
    }

    /// <summary>The 88 functionals of everything pushed (<see cref="EgemapsLayout.FunctionalNames"/> order).</summary>
    /// <exception cref="InvalidOperationException">The stream has not been completed.</exception>
    /// <exception cref="ArgumentException"><paramref name="functionals"/> is shorter than 88.</exception>
    public void GetFunctionals(Span<float> functionals)
    {
        if (functionals.Length < EgemapsLayout.FunctionalCount)
            throw new ArgumentException($"The functionals span needs {EgemapsLayout.FunctionalCount} values, got {functionals.Length}.", nameof(functionals));
        lock (_lock)
        {
            if (!_engine.Completed)
                throw new InvalidOperationException("The functionals describe the whole input: call Complete first.");
            _assembler.WriteFunctionals(_engine, functionals);
        }
    }

    /// <summary>Forgets all audio and frames: the next sample pushed starts a new input.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _engine.Reset();
            _framesRead = 0;
        }
    }
}
