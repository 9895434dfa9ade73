using EmoSer.Runtime.Model;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Training;
using TorchSharp;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Trainer.Export;

/// <summary>Converts a trained <see cref="TrainedEnsemble"/> into the runtime's <see cref="ModelDefinition"/> (docs/weights-format.md) and writes it.</summary>
public static class ModelExport
{
    /// <summary>Builds the definition: the shared standardization, one member per network, layers exactly as <see cref="ModelA"/>.</summary>
    public static ModelDefinition ToDefinition(TrainedEnsemble ensemble, IFeatureSource features, string name, string? modelCardJson) => new()
    {
        Name = name,
        SampleRate = features.SampleRate,
        FeatureSetId = features.FeatureSetId,
        ExtractorVersion = features.ExtractorVersion,
        InputLength = features.FeatureCount,
        InputChannels = 1,
        Labels = ensemble.Labels.ToArray(),
        InputMean = ensemble.Standardizer.Mean,
        InputStd = ensemble.Standardizer.Std,
        Speaker = ensemble.Speaker?.Normalization,
        ModelCardJson = modelCardJson,
        TestTimeSpeedFactors = ensemble.TestTimeSpeedFactors.Select(f => (float)f).ToArray(),
        FrontEnd = (features as CachedExtractorSource)?.FrontEnd,
        Temperature = ensemble.Temperature,
        Members = ensemble.Members.Select(Network).ToArray(),
    };

    /// <summary>Writes the weights file atomically (through <see cref="ModelFileWriter"/>).</summary>
    public static void Write(TrainedEnsemble ensemble, IFeatureSource features, string name, string? modelCardJson, string path) =>
        ModelFileWriter.Write(ToDefinition(ensemble, features, name, modelCardJson), path);

    /// <summary>The layer list of one network; PyTorch's (out, in, k) conv and (out, in) dense layouts are the format's.</summary>
    public static NetworkDefinition Network(ModelA m) => new(
    [
        Conv(m.conv1),
        BatchNorm(m.bn1),
        LayerDefinition.ReLU(),
        Conv(m.conv2),
        LayerDefinition.ReLU(),
        LayerDefinition.Dropout((float)ModelA.Dropout1),
        LayerDefinition.MaxPool1D(ModelA.Pool, ModelA.Pool),
        Conv(m.conv3),
        BatchNorm(m.bn3),
        LayerDefinition.ReLU(),
        LayerDefinition.Dropout((float)ModelA.Dropout2),
        LayerDefinition.Flatten(),
        LayerDefinition.Dense(Data(m.dense.weight!), Data(m.dense.bias!), (int)m.dense.in_features, (int)m.dense.out_features),
        LayerDefinition.Softmax(),
    ]);

    private static LayerDefinition Conv(TorchSharp.Modules.Conv1d c)
    {
        var shape = c.weight!.shape; // (out, in, k)
        return LayerDefinition.Conv1D(Data(c.weight), Data(c.bias!), (int)shape[1], (int)shape[0], (int)shape[2]);
    }

    private static LayerDefinition BatchNorm(TorchSharp.Modules.BatchNorm1d b) =>
        LayerDefinition.BatchNorm(Data(b.weight!), Data(b.bias!), Data(b.running_mean!), Data(b.running_var!), (float)ModelA.BatchNormEps);

    private static float[] Data(torch.Tensor t)
    {
        using var c = t.detach().cpu().contiguous();
        return c.data<float>().ToArray();
    }
}
