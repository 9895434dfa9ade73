using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Model.Kernels;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Model;

/// <summary>
/// A loaded, validated emotion model: the input standardization and one or more 1-D CNNs whose softmax outputs
/// are averaged. Immutable and safe to share across threads; per-call scratch lives in an
/// <see cref="InferenceWorkspace"/>. Conv weights are repacked and BatchNorm folded at load (docs/runtime.md).
/// </summary>
public sealed class EmotionModel
{
    private readonly CompiledLayer[][] _members;
    private readonly float[]? _mean;
    private readonly float[]? _std;
    private readonly SpeakerNormalization? _speaker;
    private readonly int _activationElements;
    private readonly int _scratchElements;
    // Not a ConcurrentBag: its thread-local queues are rooted by the threads that used them, and a pooled workspace
    // refers back to this model through its owner, so a model that was ever predicted with would never be collected
    // (found by the weights fuzz target: 33 KB per loaded model until the heap ran out).
    private readonly ConcurrentQueue<InferenceWorkspace> _pool = new();

    // Conv weights are packed by Prepare before the first prediction (see ConvLayer): the units (a Winograd conv's
    // blocks of output channels, or a whole direct conv), largest conv first, are claimed one at a time from _nextUnit
    // by every thread that calls it, which then waits for the others' claims.
    private readonly (ConvLayer Conv, int Unit)[] _prepareUnits;
    private readonly object _prepareLock = new();
    private int _nextUnit = -1;
    private int _preparedUnits;    // guarded by _prepareLock
    private ExceptionDispatchInfo? _prepareFailure;
    private volatile bool _prepared;

    /// <summary>True once every conv's weights are packed (<see cref="Prepare"/>).</summary>
    internal bool IsPrepared => _prepared;

    private EmotionModel(ModelDefinition definition, ActivationShape[][] shapes, KernelPath kernelPath, string sourceName, bool prepareNow)
    {
        Definition = definition;
        SourceName = sourceName;
        KernelPath = kernelPath;
        Labels = definition.Labels.ToArray();
        TestTimeSpeedFactors = Array.AsReadOnly(definition.TestTimeSpeedFactors.ToArray());
        // Copies, so a caller of FromDefinition who later changes its arrays cannot change this model.
        _mean = (float[]?)definition.InputMean?.Clone();
        _std = (float[]?)definition.InputStd?.Clone();
        if (definition.Speaker is { } sp)
            _speaker = new SpeakerNormalization(sp.PriorWeight, (float[])sp.PopulationMean.Clone(), (float[])sp.PopulationStd.Clone());
        _members = new CompiledLayer[definition.Members.Count][];
        long activation = (long)definition.InputLength * definition.InputChannels, scratch = 0;
        for (int m = 0; m < _members.Length; m++)
        {
            _members[m] = Compile(definition, definition.Members[m].Layers, shapes[m]);
            foreach (var layer in _members[m])
            {
                activation = Math.Max(activation, layer.OutputPadBefore + layer.OutputElements + layer.OutputPadAfter);
                if (layer is ConvLayer conv)
                    activation = Math.Max(activation, conv.PaddedElements);
                scratch = Math.Max(scratch, layer.ScratchElements);
            }
        }
        _activationElements = (int)activation;
        _scratchElements = (int)scratch;
        _prepareUnits = [.. _members.SelectMany(m => m).OfType<ConvLayer>().OrderByDescending(c => (long)c.InChannels * c.OutChannels * c.KernelSize)
            .SelectMany(c => Enumerable.Range(0, c.PrepareUnits).Select(u => (c, u)))];
        // A definition the caller still holds could change under a lazy packing: its weights are packed now.
        if (prepareNow)
            Prepare();
    }

    /// <summary>
    /// Packs every conv's weights (BatchNorm folded, Winograd transform) unless that is done. <see cref="Predict(ReadOnlySpan{float}, Span{float}, InferenceWorkspace, SpeakerProfile?)"/>
    /// calls it; a thread with nothing else to do may call it earlier (the speed-copy helper does, so that a short
    /// command's first prediction finds the weights ready or shares the rest of the work). Thread-safe: concurrent
    /// callers split the convs' units between them and return when all are packed; later calls return at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">A conv could not be packed (this or an earlier call; the model is unusable).</exception>
    internal void Prepare()
    {
        if (_prepared)
            return;
        for (int i = Interlocked.Increment(ref _nextUnit); i < _prepareUnits.Length; i = Interlocked.Increment(ref _nextUnit))
        {
            ExceptionDispatchInfo? failure = null;
            try
            {
                _prepareUnits[i].Conv.PrepareUnit(_prepareUnits[i].Unit);
            }
            catch (Exception e)
            {
                // Counted as done whatever happened, so no caller waits for it forever; reported to every caller.
                failure = ExceptionDispatchInfo.Capture(e);
            }
            lock (_prepareLock)
            {
                _prepareFailure ??= failure;
                if (++_preparedUnits == _prepareUnits.Length)
                    Monitor.PulseAll(_prepareLock);
            }
        }
        lock (_prepareLock)
        {
            while (_preparedUnits < _prepareUnits.Length)
                Monitor.Wait(_prepareLock);
        }
        if (_prepareFailure is { } error)
            throw new InvalidOperationException($"Model '{Name}' could not be prepared: {error.SourceException.Message}", error.SourceException);
        _prepared = true;
    }

    /// <summary>The model name stored in the file (e.g. <c>model-a</c>).</summary>
    public string Name => Definition.Name;

    /// <summary>Label names, in the order of the probabilities.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Sample rate (Hz) the features must be computed at.</summary>
    public int SampleRate => Definition.SampleRate;

    /// <summary>Feature set id (e.g. <c>librosa-seed-193</c>).</summary>
    public string FeatureSetId => Definition.FeatureSetId;

    /// <summary>Feature extractor version the model was trained with.</summary>
    public int ExtractorVersion => Definition.ExtractorVersion;

    /// <summary>Feature vector length (193).</summary>
    public int InputLength => Definition.InputLength;

    /// <summary>Input channels (1).</summary>
    public int InputChannels => Definition.InputChannels;

    /// <summary>The model card JSON, or null.</summary>
    public string? ModelCardJson => Definition.ModelCardJson;

    /// <summary>The most test-time speed factors a weights file holds (docs/weights-format.md).</summary>
    public const int MaxTestTimeSpeedFactors = ModelFileFormat.MaxSpeedFactors;

    /// <summary>
    /// Test-time speed factors (docs/weights-format.md, version 2): <c>EmotionClassifier</c> classifies a clip as the
    /// mean of the probabilities of the clip and of an <see cref="Audio.SpeedChange"/> copy per factor, in this order.
    /// Empty: the clip alone.
    /// </summary>
    public IReadOnlyList<float> TestTimeSpeedFactors { get; }

    /// <summary>
    /// The front end every clip goes through at the model's rate before its features (format version 3), or null
    /// (versions 1 and 2: the audio as it is). <c>EmotionClassifier</c> and <c>EmotionStream</c> apply it.
    /// </summary>
    public Audio.FrontEndSettings? FrontEnd => Definition.FrontEnd;

    /// <summary>
    /// The temperature the members' pre-softmax outputs are divided by (format version 3; 1 for older files). It is
    /// folded into the last Dense layer at load, so it costs nothing per inference.
    /// </summary>
    public float Temperature => Definition.Temperature;

    /// <summary>Number of member networks whose probabilities are averaged.</summary>
    public int MemberCount => _members.Length;

    /// <summary>True when the file stores an input standardization.</summary>
    public bool IsStandardized => _mean is not null;

    /// <summary>True when the model was trained with per-speaker standardization (see <see cref="SpeakerNormalization"/>).</summary>
    public bool HasSpeakerNormalization => _speaker is not null;

    /// <summary>
    /// The per-speaker standardization the model was trained with, or null. When set, pass a
    /// <see cref="SpeakerProfile"/> of the speaker to <see cref="Predict(ReadOnlySpan{float}, Span{float}, InferenceWorkspace, SpeakerProfile?)"/>;
    /// without one the population statistics stand in (docs/speaker-normalization.md). A copy: changing it changes nothing.
    /// </summary>
    public SpeakerNormalization? SpeakerNormalization =>
        _speaker is null ? null : _speaker with { PopulationMean = (float[])_speaker.PopulationMean.Clone(), PopulationStd = (float[])_speaker.PopulationStd.Clone() };

    /// <summary>The definition this model was built from (the model keeps its own copies of every weight it uses).</summary>
    internal ModelDefinition Definition { get; }

    /// <summary>The kernel implementation in use.</summary>
    internal KernelPath KernelPath { get; }

    /// <summary>The file or name the model was loaded from, for the messages that blame it (<see cref="ModelFormatException.InputName"/>).</summary>
    internal string SourceName { get; }

    /// <summary>Loads and validates a weights file.</summary>
    /// <param name="path">The file; also the name in error messages.</param>
    /// <exception cref="ModelFormatException">The file is malformed, unreadable or describes an invalid network.</exception>
    public static EmotionModel Load(string path) => ModelFileReader.WithFileBytes(path, static (data, name) => Load(data, name));

    /// <summary>Loads and validates a weights file from a stream (read to its end; it need not be seekable).</summary>
    /// <param name="stream">The data.</param>
    /// <param name="name">Name for error messages (e.g. a resource name).</param>
    /// <exception cref="ModelFormatException">The data is malformed.</exception>
    public static EmotionModel Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[] data;
        try
        {
            data = ModelFileReader.ReadAllBytes(stream, name);
        }
        catch (IOException e)
        {
            throw new ModelFormatException(name, $"cannot read the stream: {ErrorText.Describe(e)}", e);
        }
        return Load(data, name);
    }

    /// <summary>Loads and validates a weights file held in memory (e.g. an embedded resource).</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="name">Name for error messages.</param>
    /// <exception cref="ModelFormatException">The data is malformed.</exception>
    public static EmotionModel Load(ReadOnlySpan<byte> data, string name) => Load(data, name, KernelSelection.Default);

    internal static EmotionModel Load(ReadOnlySpan<byte> data, string name, KernelPath path)
    {
        var (definition, shapes) = ModelFileReader.ReadValidated(data, name);
        return new EmotionModel(definition, shapes, path, name, prepareNow: false);
    }

    /// <summary>Builds a model directly from a definition (validated with the same rules as a file).</summary>
    /// <param name="definition">The model.</param>
    /// <exception cref="ModelFormatException">The definition breaks a rule of the format.</exception>
    public static EmotionModel FromDefinition(ModelDefinition definition) => FromDefinition(definition, KernelSelection.Default);

    internal static EmotionModel FromDefinition(ModelDefinition definition, KernelPath path)
    {
        ArgumentNullException.ThrowIfNull(definition);
        const string Source = "model definition";
        return new EmotionModel(definition, ModelValidator.Validate(definition, Source), path, Source, prepareNow: true);
    }

    /// <summary>A workspace for allocation-free <see cref="Predict(ReadOnlySpan{float}, Span{float}, InferenceWorkspace)"/> calls.</summary>
    internal InferenceWorkspace CreateWorkspace() => new(this, _activationElements, _scratchElements, Labels.Count,
        _speaker is null ? 0 : InputLength * InputChannels);

    /// <summary>
    /// Probabilities for one feature vector: standardization, every member network, the average of their softmax
    /// outputs. Allocates nothing.
    /// </summary>
    /// <param name="features">InputLength x InputChannels raw (unstandardized) features, channels-last.</param>
    /// <param name="probabilities">Receives one probability per label.</param>
    /// <param name="workspace">Scratch from <see cref="CreateWorkspace"/> of this model, used by one thread at a time.</param>
    /// <exception cref="ArgumentException">Wrong lengths, or a workspace of another model.</exception>
    internal void Predict(ReadOnlySpan<float> features, Span<float> probabilities, InferenceWorkspace workspace)
        => Predict(features, probabilities, workspace, null);

    /// <summary>
    /// Probabilities for one feature vector of the speaker described by <paramref name="speaker"/>: speaker
    /// standardization (when the model has <see cref="SpeakerNormalization"/>; null uses the population statistics,
    /// and a profile is ignored by a model without it), standardization, every member network, the average of their
    /// softmax outputs. Allocates nothing.
    /// </summary>
    /// <param name="features">InputLength x InputChannels raw (unstandardized) features, channels-last.</param>
    /// <param name="probabilities">Receives one probability per label.</param>
    /// <param name="workspace">Scratch from <see cref="CreateWorkspace"/> of this model, used by one thread at a time.</param>
    /// <param name="speaker">The speaker's profile, or null.</param>
    /// <exception cref="ArgumentException">Wrong lengths, a workspace of another model, or a profile of another feature length.</exception>
    internal void Predict(ReadOnlySpan<float> features, Span<float> probabilities, InferenceWorkspace workspace, SpeakerProfile? speaker)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        int inputElements = InputLength * InputChannels;
        if (features.Length != inputElements)
            throw new ArgumentException($"Expected {inputElements} features, got {features.Length}.", nameof(features));
        if (probabilities.Length != Labels.Count)
            throw new ArgumentException($"Expected room for {Labels.Count} probabilities, got {probabilities.Length}.", nameof(probabilities));
        if (workspace.Owner != this)
            throw new ArgumentException("The workspace was created by another model.", nameof(workspace));
        if (_speaker is not null && speaker is not null && speaker.FeatureCount != inputElements)
            throw new ArgumentException($"The speaker profile has {speaker.FeatureCount} features, the model takes {inputElements}.", nameof(speaker));
        if (!float.IsFinite(TensorPrimitives.Sum(features)) && features.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) is int bad and >= 0)
            throw new ArgumentException($"Feature {bad} is {features[bad]}, not a finite number.", nameof(features));

        Prepare();
        ReadOnlySpan<float> modelInput = features;
        if (_speaker is not null)
        {
            // Two steps, exactly as the trainer computes them: the speaker's standardization, then the model's.
            var speakerMean = workspace.SpeakerMean.AsSpan(0, inputElements);
            var speakerStd = workspace.SpeakerStd.AsSpan(0, inputElements);
            if (speaker is null)
            {
                _speaker.PopulationMean.CopyTo(speakerMean);
                _speaker.PopulationStd.CopyTo(speakerStd);
            }
            else
            {
                speaker.Resolve(_speaker.PopulationMean, _speaker.PopulationStd, _speaker.PriorWeight, speakerMean, speakerStd);
            }
            var normalized = workspace.SpeakerInput.AsSpan(0, inputElements);
            ElementwiseKernels.Standardize(features, speakerMean, speakerStd, normalized);
            modelInput = normalized;
        }

        for (int m = 0; m < _members.Length; m++)
        {
            float[] current = workspace.Ping, other = workspace.Pong;
            var layers = _members[m];
            // Activations sit at `offset` in their buffer, with zero rows around them when a conv reads them next.
            int offset = layers[0] is ConvLayer { InputPrePadded: true } first ? first.PadBefore : 0;
            current.AsSpan(0, offset).Clear();
            if (_mean is not null)
                ElementwiseKernels.Standardize(modelInput, _mean, _std!, current.AsSpan(offset));
            else
                modelInput.CopyTo(current.AsSpan(offset));
            if (layers[0] is ConvLayer { InputPrePadded: true } c0)
                current.AsSpan(offset + inputElements, c0.PadAfter).Clear();
            foreach (var layer in layers)
            {
                if (layer.InPlace)
                {
                    layer.Run(current.AsSpan(offset), current.AsSpan(offset), workspace.Scratch, KernelPath);
                    continue;
                }
                ReadOnlySpan<float> input = layer is ConvLayer { InputPrePadded: true } ? current : current.AsSpan(offset);
                int before = layer.OutputPadBefore;
                other.AsSpan(0, before).Clear();
                layer.Run(input, other.AsSpan(before), workspace.Scratch, KernelPath);
                other.AsSpan(before + layer.OutputElements, layer.OutputPadAfter).Clear();
                (current, other) = (other, current);
                offset = before;
            }
            var output = current.AsSpan(offset, Labels.Count);
            if (m == 0)
                output.CopyTo(probabilities);
            else
                for (int i = 0; i < output.Length; i++)
                    probabilities[i] += output[i];
        }
        if (_members.Length > 1)
        {
            float inv = 1f / _members.Length;
            for (int i = 0; i < probabilities.Length; i++)
                probabilities[i] *= inv;
        }
        // Loaded weights and speaker statistics are bounded (docs/limits.md), but no bound keeps every network finite:
        // a result that is not a probability vector is never handed out.
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1.0001f))
                throw NonFiniteOutput(probabilities[i]);
        }
    }

    private ModelFormatException NonFiniteOutput(float value) => new(SourceName,
        $"model '{Name}' computed the probability {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} for this input (its weights or the speaker statistics overflow): no result is given");

    /// <summary>Probabilities for one feature vector; thread-safe (workspaces come from an internal pool).</summary>
    /// <param name="features">InputLength x InputChannels raw features.</param>
    /// <returns>One probability per label.</returns>
    public float[] Predict(ReadOnlySpan<float> features) => Predict(features, speaker: null);

    /// <summary>Probabilities for one feature vector of the speaker described by <paramref name="speaker"/> (null: none); thread-safe.</summary>
    /// <param name="features">InputLength x InputChannels raw features.</param>
    /// <param name="speaker">The speaker's profile, or null (see <see cref="SpeakerNormalization"/>).</param>
    /// <returns>One probability per label.</returns>
    public float[] Predict(ReadOnlySpan<float> features, SpeakerProfile? speaker)
    {
        var result = new float[Labels.Count];
        if (!_pool.TryDequeue(out var workspace))
            workspace = CreateWorkspace();
        try
        {
            Predict(features, result, workspace, speaker);
        }
        finally
        {
            _pool.Enqueue(workspace);
        }
        return result;
    }

    private static CompiledLayer[] Compile(ModelDefinition definition, IReadOnlyList<LayerDefinition> layers, ActivationShape[] shapes)
    {
        var compiled = new List<CompiledLayer>();
        var shape = new ActivationShape(definition.InputLength, definition.InputChannels, false);
        int lastDense = -1;
        for (int l = 0; l < layers.Count; l++)
            if (layers[l].Type == LayerType.Dense) lastDense = l;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            switch (layer.Type)
            {
                case LayerType.Conv1D:
                {
                    BatchNormParameters? bn = null;
                    int next = l + 1;
                    if (next < layers.Count && layers[next].Type == LayerType.BatchNorm)
                    {
                        var b = layers[next];
                        bn = new BatchNormParameters(b.Tensors[0].Data, b.Tensors[1].Data, b.Tensors[2].Data, b.Tensors[3].Data, b.FloatParameter(1));
                        next++;
                    }
                    bool relu = next < layers.Count && layers[next].Type == LayerType.ReLU;
                    compiled.Add(new ConvLayer(layer.Tensors[0].Data, layer.Tensors[1].Data,
                        (int)layer.Parameters[0], (int)layer.Parameters[1], (int)layer.Parameters[2], bn, shape.Length, relu));
                    l = relu ? next : next - 1;
                    break;
                }
                case LayerType.ReLU:
                    compiled.Add(new ReluLayer((int)shape.Elements));
                    break;
                case LayerType.MaxPool1D:
                    compiled.Add(new MaxPoolLayer(shape.Length, shape.Channels, (int)layer.Parameters[0], (int)layer.Parameters[1]));
                    break;
                case LayerType.Dense:
                {
                    float[] weight = (float[])layer.Tensors[0].Data.Clone(), bias = (float[])layer.Tensors[1].Data.Clone();
                    // softmax(z / T) of the last Dense's z = W x + b is softmax((W / T) x + b / T).
                    if (l == lastDense && definition.Temperature != 1)
                    {
                        float inverse = 1f / definition.Temperature;
                        for (int i = 0; i < weight.Length; i++) weight[i] *= inverse;
                        for (int i = 0; i < bias.Length; i++) bias[i] *= inverse;
                    }
                    compiled.Add(new DenseLayer(weight, bias));
                    break;
                }
                case LayerType.Softmax:
                    compiled.Add(new SoftmaxLayer((int)shape.Elements));
                    break;
                case LayerType.Dropout:
                case LayerType.Flatten:
                    break;
                default:
                    throw new InvalidOperationException($"Layer type {layer.Type} passed validation but cannot be compiled.");
            }
            shape = shapes[l];
        }
        // A conv right after a step that writes a fresh buffer (or after the input) reads that buffer as its
        // padded input: the producer leaves the zero rows, so no padding copy is made.
        for (int i = 0; i < compiled.Count; i++)
        {
            if (compiled[i] is not ConvLayer conv || (i > 0 && compiled[i - 1].InPlace))
                continue;
            conv.InputPrePadded = true;
            if (i > 0)
            {
                compiled[i - 1].OutputPadBefore = conv.PadBefore;
                compiled[i - 1].OutputPadAfter = conv.PadAfter;
            }
        }
        return compiled.ToArray();
    }
}
