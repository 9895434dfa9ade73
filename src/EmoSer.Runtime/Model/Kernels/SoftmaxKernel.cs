namespace EmoSer.Runtime.Model.Kernels;

/// <summary>Softmax with the max subtracted first, so large logits cannot overflow.</summary>
internal static class SoftmaxKernel
{
    public static void Run(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length)
            throw new ArgumentException("Output is shorter than the input.", nameof(y));
        float max = float.NegativeInfinity;
        foreach (float v in x)
            max = Math.Max(max, v);
        float sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float e = MathF.Exp(x[i] - max);
            y[i] = e;
            sum += e;
        }
        for (int i = 0; i < x.Length; i++)
            y[i] /= sum;
    }
}
