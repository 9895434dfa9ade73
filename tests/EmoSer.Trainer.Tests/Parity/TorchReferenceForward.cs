using EmoSer.Runtime.Model;
using TorchSharp;
using static TorchSharp.torch;
using EmoSer.Runtime.ModelFile;
using F = TorchSharp.torch.nn.functional;

namespace EmoSer.Trainer.Tests.Parity;

/// <summary>
/// The network of a weights file run by TorchSharp's functional ops (conv1d, batch_norm, relu, max_pool1d, linear,
/// softmax), straight from the file's tensors and independent of the trainer's module. Activations are
/// (batch, channels, length) as torch wants; Flatten permutes to channels-last first, as the format defines.
/// Shared by the parity tests and the benchmarks (linked into the benchmarks project).
/// TorchSharp is made loadable by the assembly's module initializer (Torch/TorchSharpFirst.cs).
/// </summary>
public sealed class TorchReferenceForward : IDisposable
{
    private readonly ModelDefinition _model;
    private readonly List<Tensor> _owned = [];
    private readonly Dictionary<TensorDefinition, Tensor> _tensors = [];
    private readonly Tensor? _mean;
    private readonly Tensor? _std;

    public TorchReferenceForward(ModelDefinition model)
    {
        _model = model;
        if (model.InputMean is not null)
        {
            _mean = Own(tensor(model.InputMean).reshape(1, model.InputLength, model.InputChannels).permute(0, 2, 1).contiguous());
            _std = Own(tensor(model.InputStd!).reshape(1, model.InputLength, model.InputChannels).permute(0, 2, 1).contiguous());
        }
        foreach (var member in model.Members)
        {
            foreach (var layer in member.Layers)
            {
                foreach (var t in layer.Tensors)
                {
                    if (!_tensors.ContainsKey(t))
                        _tensors[t] = Own(tensor(t.Data).reshape(t.Shape.Select(d => (long)d).ToArray()));
                }
            }
        }
    }

    private Tensor Own(Tensor t)
    {
        _owned.Add(t);
        return t;
    }

    /// <summary>
    /// Probabilities (batch, labels) for raw features (batch, length * channels), channels-last like the runtime. A
    /// speaker-normalized model first standardizes with <paramref name="speakerMean"/>/<paramref name="speakerStd"/>
    /// (a resolved profile), or with its population statistics when they are null.
    /// </summary>
    public Tensor Forward(Tensor features, float[]? speakerMean = null, float[]? speakerStd = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long batch = features.shape[0];
        if (_model.Speaker is { } speaker)
            features = (features - tensor(speakerMean ?? speaker.PopulationMean)) / tensor(speakerStd ?? speaker.PopulationStd);
        var x = features.reshape(batch, _model.InputLength, _model.InputChannels).permute(0, 2, 1);
        if (_mean is not null)
            x = (x - _mean) / _std!;
        Tensor? sum = null;
        foreach (var member in _model.Members)
        {
            var p = Member(member, x);
            sum = sum is null ? p : sum + p;
        }
        var result = _model.Members.Count == 1 ? sum! : sum! / _model.Members.Count;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Probabilities of one feature vector.</summary>
    public float[] Predict(float[] features)
    {
        using var input = tensor(features).reshape(1, features.Length);
        using var output = Forward(input);
        return output.data<float>().ToArray();
    }

    private Tensor Member(NetworkDefinition member, Tensor x)
    {
        foreach (var layer in member.Layers)
        {
            var p = layer.Parameters;
            switch (layer.Type)
            {
                case LayerType.Conv1D:
                {
                    long k = p[2], left = (k - 1) / 2, right = k - 1 - left;
                    x = F.pad(x, [left, right]);
                    x = F.conv1d(x, _tensors[layer.Tensors[0]], _tensors[layer.Tensors[1]]);
                    break;
                }
                case LayerType.BatchNorm:
                    x = F.batch_norm(x, _tensors[layer.Tensors[2]], _tensors[layer.Tensors[3]], _tensors[layer.Tensors[0]], _tensors[layer.Tensors[1]],
                        training: false, eps: layer.FloatParameter(1));
                    break;
                case LayerType.ReLU:
                    x = F.relu(x);
                    break;
                case LayerType.Dropout:
                    break;
                case LayerType.MaxPool1D:
                    x = F.max_pool1d(x, p[0], p[1]);
                    break;
                case LayerType.Flatten:
                    x = x.permute(0, 2, 1).reshape(x.shape[0], -1);
                    break;
                case LayerType.Dense:
                    x = F.linear(x, _tensors[layer.Tensors[0]], _tensors[layer.Tensors[1]]);
                    break;
                case LayerType.Softmax:
                    x = F.softmax(x, 1);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown layer {layer.Type}");
            }
        }
        return x;
    }

    public void Dispose()
    {
        foreach (var t in _owned)
            t.Dispose();
        _owned.Clear();
    }
}
