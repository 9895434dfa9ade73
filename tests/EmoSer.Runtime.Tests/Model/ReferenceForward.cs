using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Runtime.Tests.Model;

/// <summary>
/// The network computed the obvious way, in double precision, straight from the file's layers (BatchNorm not
/// folded, channels-last activations, direct convolution with bounds checks): what the fast kernels must equal.
/// </summary>
internal static class ReferenceForward
{
    public static double[] Conv1D(double[] x, int length, int inC, float[] w, float[] b, int outC, int k)
    {
        int left = (k - 1) / 2;
        var y = new double[length * outC];
        for (int l = 0; l < length; l++)
        {
            for (int o = 0; o < outC; o++)
            {
                double s = b[o];
                for (int i = 0; i < inC; i++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        int src = l + j - left;
                        if (src >= 0 && src < length)
                            s += (double)w[(((o * inC) + i) * k) + j] * x[(src * inC) + i];
                    }
                }
                y[(l * outC) + o] = s;
            }
        }
        return y;
    }

    public static double[] Predict(ModelDefinition model, float[] features)
    {
        var probs = new double[model.Labels.Count];
        foreach (var member in model.Members)
        {
            var p = Member(model, member, features);
            for (int i = 0; i < probs.Length; i++)
                probs[i] += p[i] / model.Members.Count;
        }
        return probs;
    }

    private static double[] Member(ModelDefinition model, NetworkDefinition member, float[] features)
    {
        var x = new double[features.Length];
        for (int i = 0; i < x.Length; i++)
            x[i] = model.InputMean is null ? features[i] : (features[i] - (double)model.InputMean[i]) / model.InputStd![i];
        int length = model.InputLength, channels = model.InputChannels;
        foreach (var layer in member.Layers)
        {
            var p = layer.Parameters;
            switch (layer.Type)
            {
                case LayerType.Conv1D:
                    x = Conv1D(x, length, channels, layer.Tensors[0].Data, layer.Tensors[1].Data, (int)p[1], (int)p[2]);
                    channels = (int)p[1];
                    break;
                case LayerType.BatchNorm:
                {
                    double eps = layer.FloatParameter(1);
                    for (int l = 0; l < length; l++)
                    {
                        for (int c = 0; c < channels; c++)
                        {
                            ref double v = ref x[(l * channels) + c];
                            v = (layer.Tensors[0].Data[c] * (v - layer.Tensors[2].Data[c]) / Math.Sqrt(layer.Tensors[3].Data[c] + eps)) + layer.Tensors[1].Data[c];
                        }
                    }
                    break;
                }
                case LayerType.ReLU:
                    for (int i = 0; i < x.Length; i++)
                        x[i] = Math.Max(0, x[i]);
                    break;
                case LayerType.MaxPool1D:
                {
                    int pool = (int)p[0], stride = (int)p[1], outL = ((length - pool) / stride) + 1;
                    var y = new double[outL * channels];
                    for (int o = 0; o < outL; o++)
                    {
                        for (int c = 0; c < channels; c++)
                        {
                            double m = double.NegativeInfinity;
                            for (int q = 0; q < pool; q++)
                                m = Math.Max(m, x[(((o * stride) + q) * channels) + c]);
                            y[(o * channels) + c] = m;
                        }
                    }
                    x = y;
                    length = outL;
                    break;
                }
                case LayerType.Flatten:
                    length *= channels;
                    channels = 1;
                    break;
                case LayerType.Dense:
                {
                    int inF = (int)p[0], outF = (int)p[1];
                    var y = new double[outF];
                    for (int o = 0; o < outF; o++)
                    {
                        double s = layer.Tensors[1].Data[o];
                        for (int i = 0; i < inF; i++)
                            s += (double)layer.Tensors[0].Data[(o * inF) + i] * x[i];
                        y[o] = s;
                    }
                    x = y;
                    length = outF;
                    break;
                }
                case LayerType.Softmax:
                {
                    double max = x.Max(), sum = 0;
                    for (int i = 0; i < x.Length; i++)
                        sum += x[i] = Math.Exp(x[i] - max);
                    for (int i = 0; i < x.Length; i++)
                        x[i] /= sum;
                    break;
                }
            }
        }
        return x;
    }
}
