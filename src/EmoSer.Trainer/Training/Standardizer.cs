namespace EmoSer.Trainer.Training;

/// <summary>Per-feature standardization <c>(x - mean) / std</c> fitted on the training part only; stored in the model file.</summary>
public sealed class Standardizer
{
    /// <summary>Creates a standardizer from given statistics.</summary>
    public Standardizer(float[] mean, float[] std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>Per-feature means.</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature standard deviations (population), every one &gt; 0.</summary>
    public float[] Std { get; }

    /// <summary>The identity (mean 0, std 1): the seed recipe, which does not standardize.</summary>
    public static Standardizer Identity(int n) => new(new float[n], Enumerable.Repeat(1f, n).ToArray());

    /// <summary>Fits mean and population std of each column; a constant column gets std 1 so it maps to 0.</summary>
    public static Standardizer Fit(IReadOnlyList<float[]> rows)
    {
        int n = rows[0].Length;
        var mean = new double[n];
        var sq = new double[n];
        foreach (var r in rows)
            for (int j = 0; j < n; j++) mean[j] += r[j];
        for (int j = 0; j < n; j++) mean[j] /= rows.Count;
        foreach (var r in rows)
            for (int j = 0; j < n; j++) { double d = r[j] - mean[j]; sq[j] += d * d; }
        var std = new float[n];
        for (int j = 0; j < n; j++)
        {
            double s = Math.Sqrt(sq[j] / rows.Count);
            std[j] = s > 1e-12 && (float)s > 0 ? (float)s : 1f;
        }
        return new Standardizer(mean.Select(m => (float)m).ToArray(), std);
    }

    /// <summary>Standardizes <paramref name="rows"/> into one row-major flat array.</summary>
    public float[] TransformFlat(IReadOnlyList<float[]> rows)
    {
        int n = Mean.Length;
        var flat = new float[rows.Count * n];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < n; j++)
                flat[i * n + j] = (rows[i][j] - Mean[j]) / Std[j];
        return flat;
    }
}
