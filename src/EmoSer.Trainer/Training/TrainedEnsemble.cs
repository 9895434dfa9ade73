namespace EmoSer.Trainer.Training;

/// <summary>Independently trained networks sharing one standardization; their softmax outputs are averaged (as the runtime does with a file's members).</summary>
public sealed class TrainedEnsemble(Standardizer standardizer, IReadOnlyList<ModelA> members, IReadOnlyList<string> labels)
{
    /// <summary>The input standardization.</summary>
    public Standardizer Standardizer => standardizer;

    /// <summary>The networks.</summary>
    public IReadOnlyList<ModelA> Members => members;

    /// <summary>The class labels, in output order.</summary>
    public IReadOnlyList<string> Labels => labels;

    /// <summary>Averaged probabilities of each row (rows × classes, row-major).</summary>
    public float[] Probabilities(IReadOnlyList<float[]> rows)
    {
        var flat = standardizer.TransformFlat(rows);
        var sum = new float[rows.Count * labels.Count];
        foreach (var m in members)
        {
            var p = m.Probabilities(flat, rows.Count);
            for (int i = 0; i < sum.Length; i++) sum[i] += p[i];
        }
        for (int i = 0; i < sum.Length; i++) sum[i] /= members.Count;
        return sum;
    }

    /// <summary>The arg-max class of each row.</summary>
    public int[] Predict(IReadOnlyList<float[]> rows)
    {
        var p = Probabilities(rows);
        int k = labels.Count;
        var result = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
                if (p[i * k + c] > p[i * k + best]) best = c;
            result[i] = best;
        }
        return result;
    }
}
