using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Streaming;

/// <summary>
/// Classifies a live mono stream: every <see cref="EmotionStreamOptions.HopSeconds"/>, once a full <see cref="EmotionStreamOptions.WindowSeconds"/> window is available, the
/// window is classified (or reported as silence when its RMS level is below <c>silenceDbfs</c>). Input at any rate
/// is resampled on the fly to the model's rate. STFT and filterbank work is done once per frame by a
/// <see cref="StreamingFeatureExtractor"/>; memory is constant however long the stream (results not yet read
/// are queued, so read them as they come).
/// </summary>
/// <remarks>
/// The classified window is the extractor's: aligned to its 512-sample frame grid, it ends at most 511 model-rate
/// samples before the hop boundary; <see cref="StreamResult.Start"/> and <see cref="StreamResult.End"/> give its exact
/// extent. Not thread-safe: one producer pushes and reads.
/// <para>
/// Windows are classified in a single pass, without the model's <see cref="EmotionModel.TestTimeSpeedFactors"/>
/// copies, even when the classifier uses them: a copy would need a streaming resampler of its own and would triple
/// the per-window cost. Results can therefore differ slightly from <see cref="EmotionClassifier.Classify(AudioClip)"/>
/// of the same window with such a model.
/// </para>
/// <para>
/// With a model that has a front end (<see cref="EmotionModel.FrontEnd"/>), each window is a clip of its own: its
/// samples go through the front end (trimmed, levelled) and then the batch extractor, exactly as
/// <see cref="EmotionClassifier"/> treats a clip of those samples; a window without voice activity is reported as
/// silence whatever its level.
/// </para>
/// <para>
/// With a model that has speaker normalization, the stream adapts to its speaker by default
/// (<see cref="StreamSpeaker.Adaptive"/>): a running <see cref="Speakers.SpeakerProfile"/> of non-overlapping, non-silent
/// windows, each window classified with the profile as it stood before it (no look-ahead).
/// </para>
/// </remarks>
public sealed class EmotionStream
{
    private const int InputChunk = 4096;

    private readonly EmotionClassifier _classifier;
    private readonly EmotionModel _model;
    private readonly StreamingFeatureExtractor? _extractor;
    private readonly SeedFeatureExtractor? _clipExtractor;   // front-end models: each window as a clip
    private readonly float[] _window = [];
    private readonly Resampler? _resampler;
    private readonly float[] _resampled;
    private readonly InferenceWorkspace _workspace;
    private readonly float[] _features = new float[SeedFeatureExtractor.FeatureCount];
    private readonly float[] _probabilities;
    private readonly Queue<StreamResult> _results = new();
    private readonly float[] _history;     // ring of the newest model-rate samples, for the silence gate
    private readonly long _windowSamples;
    private readonly long _hopSamples;
    private readonly double _silenceMeanSquare;
    private long _pushed;                  // model-rate samples given to the extractor
    private long _nextResultAt;            // _pushed value at which the next hop's result is due
    private long _lastResultAt = -1;
    private long _lastAddedEnd = -1;      // end (model-rate samples) of the last window added to the running profile
    private bool _completed;

    /// <summary>Creates a stream.</summary>
    /// <param name="classifier">The classifier whose model is used.</param>
    /// <param name="options">Window, hop, silence gate, input rate and speaker statistics; null takes every default.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside <see cref="InputLimits"/>' range.</exception>
    /// <exception cref="ArgumentException">A fixed profile whose feature count is not the seed features'.</exception>
    public EmotionStream(EmotionClassifier classifier, EmotionStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        options ??= new EmotionStreamOptions();
        double windowSeconds = options.WindowSeconds, hopSeconds = options.HopSeconds, silenceDbfs = options.SilenceDbfs;
        int inputSampleRate = options.InputSampleRate;
        if (InputLimits.StreamWindowProblem(windowSeconds) is { } windowProblem)
            throw new ArgumentOutOfRangeException("options.WindowSeconds", windowSeconds, windowProblem);
        if (InputLimits.StreamHopProblem(hopSeconds) is { } hopProblem)
            throw new ArgumentOutOfRangeException("options.HopSeconds", hopSeconds, hopProblem);
        if (InputLimits.SilenceThresholdProblem(silenceDbfs) is { } silenceProblem)
            throw new ArgumentOutOfRangeException("options.SilenceDbfs", silenceDbfs, silenceProblem);
        if (InputLimits.SampleRateProblem(inputSampleRate) is { } rateProblem)
            throw new ArgumentOutOfRangeException("options.InputSampleRate", inputSampleRate, rateProblem);
        StreamSpeaker speaker = options.Speaker ?? StreamSpeaker.Adaptive;
        if (speaker.Profile is { } fixedProfile && fixedProfile.FeatureCount != SeedFeatureExtractor.FeatureCount)
            throw new ArgumentException($"The speaker profile has {fixedProfile.FeatureCount} features; the seed features are {SeedFeatureExtractor.FeatureCount}.", "options.Speaker");

        _classifier = classifier;
        _model = classifier.Model;
        // A model without speaker normalization has no use for statistics: keep none, so nothing changes for it.
        if (_model.HasSpeakerNormalization)
        {
            SpeakerProfile = speaker.Profile ?? (speaker.Adapts ? new SpeakerProfile(SeedFeatureExtractor.FeatureCount) : null);
            AdaptsToSpeaker = speaker.Adapts;
        }
        int rate = _model.SampleRate;
        _windowSamples = (long)Math.Round(windowSeconds * rate);
        if (_model.FrontEnd is null)
        {
            _extractor = new StreamingFeatureExtractor(rate, windowSeconds);
        }
        else
        {
            // Validated like the streaming extractor's own arguments.
            SeedFeatureExtractor.ValidateSampleRate(rate);
            if (_windowSamples < 1)
                throw new ArgumentOutOfRangeException("options.WindowSeconds", windowSeconds, "The window is shorter than one sample.");
            _clipExtractor = new SeedFeatureExtractor(rate);
            _window = new float[_windowSamples];
        }
        if (inputSampleRate != rate)
            _resampler = new Resampler(inputSampleRate, rate);
        _resampled = new float[_resampler?.MaxOutputLength(InputChunk) ?? 0];
        _workspace = _model.CreateWorkspace();
        _probabilities = new float[_model.Labels.Count];
        _hopSamples = Math.Max(1, (long)Math.Round(hopSeconds * rate));
        _nextResultAt = _windowSamples;
        _history = new float[_windowSamples + 1024];
        _silenceMeanSquare = double.IsNegativeInfinity(silenceDbfs) ? 0 : Math.Pow(10, silenceDbfs / 10);
        WindowSeconds = windowSeconds;
        HopSeconds = hopSeconds;
        SilenceDbfs = silenceDbfs;
        InputSampleRate = inputSampleRate;
    }

    /// <summary>Window length in seconds.</summary>
    public double WindowSeconds { get; }

    /// <summary>Hop in seconds.</summary>
    public double HopSeconds { get; }

    /// <summary>Silence threshold in dBFS.</summary>
    public double SilenceDbfs { get; }

    /// <summary>Sample rate of the pushed audio.</summary>
    public int InputSampleRate { get; }

    /// <summary>
    /// The profile windows are classified with: the running one (<see cref="StreamSpeaker.Adaptive"/>) or the fixed
    /// one; null with the population statistics or a model without speaker normalization.
    /// </summary>
    public SpeakerProfile? SpeakerProfile { get; }

    /// <summary>True when windows are added to <see cref="SpeakerProfile"/> as they come.</summary>
    public bool AdaptsToSpeaker { get; }

    /// <summary>Results computed but not yet read.</summary>
    public int PendingResults => _results.Count;

    /// <summary>Appends mono samples; computes a result for every hop boundary they cross.</summary>
    /// <param name="mono">Samples at the input sample rate.</param>
    /// <exception cref="InvalidOperationException">The stream was completed.</exception>
    /// <exception cref="ArgumentException">A sample is not finite or beyond <see cref="InputLimits.MaxSampleMagnitude"/> (nothing is pushed).</exception>
    public void Push(ReadOnlySpan<float> mono)
    {
        if (_completed)
            throw new InvalidOperationException("The stream is complete; create a new one for more audio.");
        if (InputLimits.IndexOfInvalidSample(mono) is int bad and >= 0)
            throw new ArgumentException(InputLimits.InvalidSampleProblem(mono, bad, 1), nameof(mono));
        if (_resampler is null)
        {
            PushModelRate(mono);
            return;
        }
        while (!mono.IsEmpty)
        {
            int n = Math.Min(mono.Length, InputChunk);
            int produced = _resampler.Process(mono[..n], _resampled);
            ResamplingDither.Apply(_resampled.AsSpan(0, produced), _pushed);
            PushModelRate(_resampled.AsSpan(0, produced));
            mono = mono[n..];
        }
    }

    /// <summary>
    /// Ends the stream: flushes the resampler and, if audio arrived after the last result (or no full window ever
    /// did), classifies the last (possibly shorter) window.
    /// </summary>
    public void Complete()
    {
        if (_completed)
            return;
        if (_resampler is not null)
        {
            int produced = _resampler.Flush(_resampled);
            ResamplingDither.Apply(_resampled.AsSpan(0, produced), _pushed);
            PushModelRate(_resampled.AsSpan(0, produced));
        }
        _completed = true;
        if (_pushed > 0 && _pushed != _lastResultAt)
            EmitResult();
    }

    /// <summary>Takes the oldest pending result.</summary>
    /// <param name="result">The result, when one is pending.</param>
    /// <returns>False when no result is pending.</returns>
    public bool TryRead(out StreamResult result) => _results.TryDequeue(out result);

    private void PushModelRate(ReadOnlySpan<float> samples)
    {
        while (!samples.IsEmpty)
        {
            int n = (int)Math.Min(samples.Length, _nextResultAt - _pushed);
            var chunk = samples[..n];
            _extractor?.Push(chunk);
            Remember(chunk);
            _pushed += n;
            samples = samples[n..];
            if (_pushed == _nextResultAt)
            {
                EmitResult();
                _nextResultAt += _hopSamples;
            }
        }
    }

    private void Remember(ReadOnlySpan<float> chunk)
    {
        long at = _pushed;
        if (chunk.Length > _history.Length)
        {
            // Only the newest samples can fall in a window.
            at += chunk.Length - _history.Length;
            chunk = chunk[^_history.Length..];
        }
        int start = (int)(at % _history.Length);
        int first = Math.Min(chunk.Length, _history.Length - start);
        chunk[..first].CopyTo(_history.AsSpan(start));
        chunk[first..].CopyTo(_history);
    }

    private void EmitResult()
    {
        var (start, end) = _extractor is null
            ? StreamingFeatureExtractor.WindowBounds(_pushed, (int)_windowSamples)
            : (_extractor.WindowStart, _extractor.WindowEnd);
        int rate = _model.SampleRate;
        _lastResultAt = _pushed;
        bool silent = MeanSquare(start, end) < _silenceMeanSquare;
        if (!silent && _clipExtractor is not null)
        {
            // The window as a clip: the model's front end, then the batch extractor, as EmotionClassifier does.
            var window = _window.AsSpan(0, (int)(end - start));
            for (long i = start; i < end; i++)
                window[(int)(i - start)] = _history[(int)(i % _history.Length)];
            var processed = FrontEnd.Process(window, rate, _model.FrontEnd!, window);
            silent = processed.IsSilent;
            if (!silent)
                _clipExtractor.Extract(window[..processed.Length], _features);
        }
        if (silent)
        {
            _results.Enqueue(new StreamResult((double)start / rate, (double)end / rate, true, null, 0f, []));
            return;
        }
        _extractor?.TryGetFeatures(_features);
        _model.Predict(_features, _probabilities, _workspace, SpeakerProfile);
        var c = _classifier.ToClassification(_probabilities, (double)(end - start) / rate);
        _results.Enqueue(new StreamResult((double)start / rate, (double)end / rate, false, c.Emotion, c.Confidence, c.Probabilities)
        {
            SpeakerUtterances = SpeakerProfile?.Count ?? 0,
        });
        // After the prediction: a window never standardizes itself. Overlapping windows share most of their audio, so
        // only windows that start at or after the end of the last one added count as independent utterances.
        if (AdaptsToSpeaker && start >= _lastAddedEnd)
        {
            SpeakerProfile!.Add(_features);
            _lastAddedEnd = end;
        }
    }

    private double MeanSquare(long start, long end)
    {
        if (end <= start)
            return 0;
        double sum = 0;
        for (long i = start; i < end; i++)
        {
            double v = _history[(int)(i % _history.Length)];
            sum += v * v;
        }
        return sum / (end - start);
    }
}
