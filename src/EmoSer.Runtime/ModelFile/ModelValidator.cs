using System.Numerics.Tensors;
using System.Text.Json;
using System.Text;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.IO;
using EmoSer.Runtime.Model;

namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// Checks a <see cref="ModelDefinition"/> against the rules of docs/weights-format.md ("Validation": layer order,
/// shapes, labels, standardization, model card) and computes each layer's output shape. Used by the loader
/// after the structural checks and by the writer before it writes anything.
/// </summary>
internal static class ModelValidator
{
    /// <summary>Validates <paramref name="model"/>; returns the per-member, per-layer output shapes.</summary>
    /// <exception cref="ModelFormatException">The first rule that fails, named after <paramref name="inputName"/>.</exception>
    public static ActivationShape[][] Validate(ModelDefinition model, string inputName)
    {
        void Fail(string problem) => throw new ModelFormatException(inputName, problem);

        if (model.Kind != ModelFileFormat.KindCnn1dSequential)
            Fail($"unknown model kind '{model.Kind}' (this runtime runs '{ModelFileFormat.KindCnn1dSequential}')");
        if (string.IsNullOrEmpty(model.Name))
            Fail("the model name is empty");
        if (model.SampleRate is < 1 or > InputLimits.MaxSampleRate)
            Fail($"sample rate {model.SampleRate} Hz is outside 1..{InputLimits.MaxSampleRate}");
        if (string.IsNullOrEmpty(model.FeatureSetId))
            Fail("the feature set id is empty");
        if (model.ExtractorVersion < 0)
            Fail($"extractor version {model.ExtractorVersion} is negative");
        if (model.InputLength is < 1 or > ModelFileFormat.MaxDimension)
            Fail($"input length {model.InputLength} is outside 1..{ModelFileFormat.MaxDimension}");
        if (model.InputChannels is < 1 or > ModelFileFormat.MaxDimension)
            Fail($"input channels {model.InputChannels} is outside 1..{ModelFileFormat.MaxDimension}");
        long inputElements = (long)model.InputLength * model.InputChannels;
        if (inputElements > ModelFileFormat.MaxActivationElements)
            Fail($"input of {inputElements} values exceeds the limit of {ModelFileFormat.MaxActivationElements}");

        ValidateLabels(model.Labels, Fail);
        ValidateStandardization(model, inputElements, Fail);
        ValidateSpeakerNormalization(model, inputElements, Fail);
        ValidateSpeedFactors(model.TestTimeSpeedFactors, model.SampleRate, Fail);
        if (model.FrontEnd?.Problem() is { } frontEndProblem)
            Fail(frontEndProblem);
        if (!(model.Temperature >= ModelDefinition.MinTemperature && model.Temperature <= ModelDefinition.MaxTemperature))
            Fail($"temperature {model.Temperature} is outside [{ModelDefinition.MinTemperature}, {ModelDefinition.MaxTemperature}]");
        if (model.ModelCardJson is { } card)
            ValidateModelCard(card, Fail);

        if (model.Members is null || model.Members.Count is < 1 or > ModelFileFormat.MaxMembers)
            Fail($"member count {model.Members?.Count ?? 0} is outside 1..{ModelFileFormat.MaxMembers}");
        var shapes = new ActivationShape[model.Members!.Count][];
        for (int m = 0; m < model.Members.Count; m++)
            shapes[m] = ValidateMember(model, m, Fail);
        return shapes;
    }

    private static void ValidateLabels(IReadOnlyList<string> labels, Action<string> fail)
    {
        if (labels is null || labels.Count is < 1 or > ModelFileFormat.MaxLabels)
        {
            fail($"label count {labels?.Count ?? 0} is outside 1..{ModelFileFormat.MaxLabels}");
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
        {
            if (string.IsNullOrEmpty(labels[i]))
                fail($"label {i} is empty");
            if (Encoding.UTF8.GetByteCount(labels[i]) > ushort.MaxValue)
                fail($"label {i} is longer than {ushort.MaxValue} UTF-8 bytes");
            if (!seen.Add(labels[i]))
                fail($"label '{labels[i]}' appears twice");
        }
    }

    private static void ValidateStandardization(ModelDefinition model, long inputElements, Action<string> fail)
    {
        if (model.InputMean is null && model.InputStd is null)
            return;
        if (model.InputMean is null || model.InputStd is null)
        {
            fail($"standardization needs both '{ModelFileFormat.MeanTensorName}' and '{ModelFileFormat.StdTensorName}'");
            return;
        }
        if (model.InputMean.Length != inputElements)
            fail($"'{ModelFileFormat.MeanTensorName}' has {model.InputMean.Length} values, the input has {inputElements}");
        if (model.InputStd.Length != inputElements)
            fail($"'{ModelFileFormat.StdTensorName}' has {model.InputStd.Length} values, the input has {inputElements}");
        CheckStatistics(ModelFileFormat.MeanTensorName, model.InputMean, ModelFileFormat.StdTensorName, model.InputStd, fail);
    }

    private static void ValidateSpeakerNormalization(ModelDefinition model, long inputElements, Action<string> fail)
    {
        if (model.Speaker is not { } speaker)
            return;
        if (model.InputMean is null || model.InputStd is null)
            fail("speaker normalization (2) needs the input standardization too");
        if (!(speaker.PriorWeight > 0) || speaker.PriorWeight > ModelFileFormat.MaxSpeakerPriorWeight)
            fail($"speaker prior weight {speaker.PriorWeight} is outside (0, {ModelFileFormat.MaxSpeakerPriorWeight:0}]");
        if (speaker.PopulationMean is null || speaker.PopulationMean.Length != inputElements)
            fail($"'{ModelFileFormat.SpeakerMeanTensorName}' has {speaker.PopulationMean?.Length ?? 0} values, the input has {inputElements}");
        if (speaker.PopulationStd is null || speaker.PopulationStd.Length != inputElements)
            fail($"'{ModelFileFormat.SpeakerStdTensorName}' has {speaker.PopulationStd?.Length ?? 0} values, the input has {inputElements}");
        CheckStatistics(ModelFileFormat.SpeakerMeanTensorName, speaker.PopulationMean!, ModelFileFormat.SpeakerStdTensorName, speaker.PopulationStd!, fail);
    }

    /// <summary>
    /// A standardization's mean and std, in feature space: every mean finite and within ±<see cref="InputLimits.MaxFeatureMagnitude"/>,
    /// every std finite, &gt; 0 and within the same bound.
    /// </summary>
    private static void CheckStatistics(string meanName, float[] mean, string stdName, float[] std, Action<string> fail)
    {
        for (int i = 0; i < mean.Length; i++)
        {
            if (!(Math.Abs(mean[i]) <= InputLimits.MaxFeatureMagnitude))
                fail($"'{meanName}'[{i}] is {Format(mean[i])}; every mean must be a finite number within ±{InputLimits.MaxFeatureMagnitude:0e0}");
        }
        for (int i = 0; i < std.Length; i++)
        {
            float s = std[i];
            if (!(s > 0) || !(s <= InputLimits.MaxFeatureMagnitude))
                fail($"'{stdName}'[{i}] is {Format(s)}; every std must be a finite number > 0 and at most {InputLimits.MaxFeatureMagnitude:0e0}");
        }
    }

    private static string Format(float v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static void ValidateSpeedFactors(IReadOnlyList<float> factors, int sampleRate, Action<string> fail)
    {
        if (factors is null)
        {
            fail("the test-time speed factor list is null (use an empty list for none)");
            return;
        }
        if (factors.Count > ModelFileFormat.MaxSpeedFactors)
            fail($"test-time speed factor count {factors.Count} is outside 0..{ModelFileFormat.MaxSpeedFactors}");
        for (int i = 0; i < factors.Count; i++)
        {
            float f = factors[i];
            // SpeedChange.Apply's range: a factor outside it could not be applied at classification time.
            if (!(f >= SpeedChange.MinFactor && f <= SpeedChange.MaxFactor))
                fail($"test-time speed factor {i} is {f}, outside [{SpeedChange.MinFactor}, {SpeedChange.MaxFactor}]");
            // The clip itself is always classified: a factor 1 would count it twice.
            if (f == 1)
                fail($"test-time speed factor {i} is 1, the clip itself (which is always classified)");
            for (int j = 0; j < i; j++)
            {
                if (factors[j] == f)
                    fail($"test-time speed factor {i} ({f}) repeats factor {j}");
            }
            // A copy is defined by the rate its samples are read at, round(rate · factor): factors that round alike
            // make the same copy, and one that rounds to the rate itself makes the clip.
            int source = SpeedChange.SourceRate(sampleRate, f);
            if (source == sampleRate)
                fail($"test-time speed factor {i} ({f}) reads the clip at {source} Hz, its own rate: the clip itself, which is always classified");
            for (int j = 0; j < i; j++)
            {
                if (SpeedChange.SourceRate(sampleRate, factors[j]) == source)
                    fail($"test-time speed factor {i} ({f}) makes the same copy as factor {j} (both read the clip at {source} Hz)");
            }
        }
    }

    private static void ValidateModelCard(string card, Action<string> fail)
    {
        int bytes = Encoding.UTF8.GetByteCount(card);
        if (bytes > ModelFileFormat.MaxModelCardBytes)
            fail($"the model card is {bytes} bytes, more than the limit of {ModelFileFormat.MaxModelCardBytes}");
        if (JsonSyntax.ObjectProblem(Encoding.UTF8.GetBytes(card), s_cardOptions, "the model card is not a JSON object", "the model card is not valid JSON") is { } problem)
            fail(problem);
    }

    private static readonly JsonReaderOptions s_cardOptions = new() { MaxDepth = 64 };

    private static ActivationShape[] ValidateMember(ModelDefinition model, int m, Action<string> fail)
    {
        var layers = model.Members[m].Layers;
        if (layers is null || layers.Count is < 1 or > ModelFileFormat.MaxLayers)
            fail($"member {m}: layer count {layers?.Count ?? 0} is outside 1..{ModelFileFormat.MaxLayers}");
        var outputs = new ActivationShape[layers!.Count];
        var shape = new ActivationShape(model.InputLength, model.InputChannels, false);
        int lastDense = -1;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            string at = $"member {m} layer {l} ({layer.Type})";
            void Fail(string problem) => fail($"{at}: {problem}");
            CheckFinite(layer, Fail);
            switch (layer.Type)
            {
                case LayerType.Conv1D:
                {
                    CheckCounts(layer, 5, 2, Fail);
                    int inC = Dimension(layer, 0, "in channels", Fail), outC = Dimension(layer, 1, "out channels", Fail);
                    int k = Dimension(layer, 2, "kernel size", Fail);
                    if (layer.Parameters[3] != ModelFileFormat.PaddingSame)
                        Fail($"padding mode {layer.Parameters[3]} is unknown (0 = same)");
                    if (layer.Parameters[4] != 1)
                        Fail($"stride {layer.Parameters[4]} is not supported (1)");
                    if (shape.IsFlat)
                        Fail($"needs a (length, channels) input, got the flat vector {shape}");
                    if (inC != shape.Channels)
                        Fail($"has {inC} input channels but its input is {shape}");
                    CheckTensor(layer, 0, Fail, outC, inC, k);
                    CheckTensor(layer, 1, Fail, outC);
                    shape = shape with { Channels = outC };
                    break;
                }
                case LayerType.BatchNorm:
                {
                    CheckCounts(layer, 2, 4, Fail);
                    if (l == 0 || layers[l - 1].Type != LayerType.Conv1D)
                        Fail($"must directly follow a Conv1D (it is folded into it), but follows {(l == 0 ? "the input" : layers[l - 1].Type.ToString())}");
                    int c = Dimension(layer, 0, "channels", Fail);
                    float eps = layer.FloatParameter(1);
                    if (!(eps >= 0) || !float.IsFinite(eps))
                        Fail($"epsilon {eps} is not a finite number >= 0");
                    if (c != shape.Channels)
                        Fail($"has {c} channels but its input is {shape}");
                    for (int t = 0; t < 4; t++)
                        CheckTensor(layer, t, Fail, c);
                    var variance = layer.Tensors[3].Data;
                    for (int i = 0; i < variance.Length; i++)
                    {
                        if (!(variance[i] + eps > 0))
                            Fail($"running_var[{i}] + epsilon = {variance[i] + eps} is not > 0");
                    }
                    break;
                }
                case LayerType.ReLU:
                    CheckCounts(layer, 0, 0, Fail);
                    break;
                case LayerType.Dropout:
                {
                    CheckCounts(layer, 1, 0, Fail);
                    float rate = layer.FloatParameter(0);
                    if (!(rate >= 0 && rate < 1))
                        Fail($"rate {rate} is outside [0, 1)");
                    break;
                }
                case LayerType.MaxPool1D:
                {
                    CheckCounts(layer, 2, 0, Fail);
                    int pool = Dimension(layer, 0, "pool size", Fail), stride = Dimension(layer, 1, "stride", Fail);
                    if (shape.IsFlat)
                        Fail($"needs a (length, channels) input, got the flat vector {shape}");
                    if (pool > shape.Length)
                        Fail($"pool size {pool} is longer than its input {shape}");
                    shape = shape with { Length = ((shape.Length - pool) / stride) + 1 };
                    break;
                }
                case LayerType.Flatten:
                    CheckCounts(layer, 1, 0, Fail);
                    if (layer.Parameters[0] != ModelFileFormat.FlattenChannelsLast)
                        Fail($"order {layer.Parameters[0]} is unknown (0 = channels-last)");
                    if (shape.IsFlat)
                        Fail($"its input {shape} is already flat");
                    shape = new ActivationShape((int)shape.Elements, 1, true);
                    break;
                case LayerType.Dense:
                {
                    CheckCounts(layer, 2, 2, Fail);
                    int inF = Dimension(layer, 0, "in features", Fail), outF = Dimension(layer, 1, "out features", Fail);
                    if (!shape.IsFlat)
                        Fail($"needs a flattened input (add Flatten before it), got {shape}");
                    if (inF != shape.Length)
                        Fail($"has {inF} input features but its input is {shape}");
                    CheckTensor(layer, 0, Fail, outF, inF);
                    CheckTensor(layer, 1, Fail, outF);
                    shape = new ActivationShape(outF, 1, true);
                    lastDense = l;
                    break;
                }
                case LayerType.Softmax:
                    CheckCounts(layer, 0, 0, Fail);
                    if (l != layers.Count - 1)
                        Fail($"must be the last layer, but {layers.Count - 1 - l} layer(s) follow it");
                    if (!shape.IsFlat)
                        Fail($"needs a flat input, got {shape}");
                    break;
                default:
                    Fail($"unknown layer type {(uint)layer.Type}");
                    break;
            }
            if (shape.Elements > ModelFileFormat.MaxActivationElements)
                Fail($"output {shape} exceeds the limit of {ModelFileFormat.MaxActivationElements} values");
            outputs[l] = shape;
        }
        if (layers[^1].Type != LayerType.Softmax)
            fail($"member {m}: the last layer is {layers[^1].Type}, it must be Softmax");
        if (lastDense < 0)
            fail($"member {m}: has no Dense layer before Softmax");
        int width = layers[lastDense].Tensors[1].Data.Length;
        if (width != model.Labels.Count)
            fail($"member {m} layer {lastDense} (Dense): the last Dense has {width} outputs but the model has {model.Labels.Count} labels");
        if (outputs[^1].Length != model.Labels.Count)
            fail($"member {m}: the output {outputs[^1]} does not match the {model.Labels.Count} labels");
        return outputs;
    }

    private static void CheckCounts(LayerDefinition layer, int parameters, int tensors, Action<string> fail)
    {
        if (layer.Parameters.Count != parameters)
            fail($"has {layer.Parameters.Count} params, expected {parameters}");
        if (layer.Tensors.Count != tensors)
            fail($"has {layer.Tensors.Count} tensors, expected {tensors}");
    }

    private static int Dimension(LayerDefinition layer, int index, string what, Action<string> fail)
    {
        uint v = layer.Parameters[index];
        if (v < 1 || v > ModelFileFormat.MaxDimension)
            fail($"{what} {v} is outside 1..{ModelFileFormat.MaxDimension}");
        return (int)v;
    }

    private static void CheckTensor(LayerDefinition layer, int index, Action<string> fail, params ReadOnlySpan<int> shape)
    {
        var t = layer.Tensors[index];
        if (!t.HasShape(shape))
            fail($"tensor {index} '{t.Name}' has shape {t.ShapeText}, expected ({string.Join(", ", shape.ToArray())})");
    }

    /// <summary>Every weight finite and within ±<see cref="InputLimits.MaxWeightMagnitude"/>: trained weights are of order 1.</summary>
    private static void CheckFinite(LayerDefinition layer, Action<string> fail)
    {
        foreach (var t in layer.Tensors)
        {
            var data = t.Data;
            // One vectorized pass (NaN propagates through MaxMagnitude and fails the test); the scalar scan only finds the culprit.
            if (data.Length == 0 || Math.Abs(TensorPrimitives.MaxMagnitude(data)) <= InputLimits.MaxWeightMagnitude)
                continue;
            for (int i = 0; i < data.Length; i++)
            {
                if (!(Math.Abs(data[i]) <= InputLimits.MaxWeightMagnitude))
                    fail($"tensor '{t.Name}' holds {Format(data[i])} at index {i}; weights must be finite numbers within ±{InputLimits.MaxWeightMagnitude:0e0}");
            }
        }
    }
}
