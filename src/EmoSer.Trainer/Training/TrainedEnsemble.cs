using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Classifier;

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

    /// <summary>Per-speaker standardization applied before <see cref="Standardizer"/>, or null.</summary>
    public SpeakerStandardizer? Speaker { get; init; }

    /// <summary>
    /// The temperature every member's logits are divided by before the softmax (temperature scaling, fitted on
    /// held-out speakers; 1: as trained). The exported model stores it.
    /// </summary>
    public float Temperature { get; init; } = 1;

    /// <summary>Test-time speed factors the exported model asks the runtime to apply (<see cref="Recipe.TestTimeSpeeds"/>); empty for none.</summary>
    public IReadOnlyList<double> TestTimeSpeedFactors { get; init; } = [];

    /// <summary>
    /// Averaged probabilities of each raw row (rows × classes, row-major). With <see cref="Speaker"/>, each row is
    /// first standardized with its speaker's statistics (<paramref name="speakers"/>; null or a missing entry: the
    /// population's).
    /// </summary>
    public float[] Probabilities(IReadOnlyList<float[]> rows, IReadOnlyList<string?>? speakers = null)
    {
        if (Speaker is not null)
            rows = rows.Select((r, i) => Speaker.Apply(r, speakers?[i])).ToArray();
        return FromSpeakerStandardized(rows);
    }

    /// <summary>Averaged probabilities of each raw row (rows × classes), every row standardized with <paramref name="profile"/> (needs <see cref="Speaker"/>).</summary>
    public float[] Probabilities(IReadOnlyList<float[]> rows, SpeakerProfile profile)
    {
        if (Speaker is null)
            throw new InvalidOperationException("this model has no speaker normalization");
        return FromSpeakerStandardized(rows.Select(r => Speaker.ApplyProfile(r, profile)).ToArray());
    }

    /// <summary>
    /// The arg-max class of each utterance from the probabilities of the utterance itself (<paramref name="views"/>[0])
    /// and of its test-time copies (the other views), averaged as the runtime averages them: summed in view order, then
    /// divided by the view count.
    /// </summary>
    public int[] PredictAveraged(IReadOnlyList<float[]> views) => ArgMax(Average(views));

    /// <summary>The mean of the views' probabilities (rows × classes), summed in view order and divided by the view count, as the runtime does.</summary>
    public static float[] Average(IReadOnlyList<float[]> views)
    {
        var sum = views[0].ToArray();
        for (int v = 1; v < views.Count; v++)
            for (int i = 0; i < sum.Length; i++) sum[i] += views[v][i];
        for (int i = 0; i < sum.Length; i++) sum[i] /= views.Count;
        return sum;
    }

    /// <summary>
    /// Every member's logits of each raw row (per member: rows × classes, row-major), speaker-standardized as
    /// <see cref="Probabilities(IReadOnlyList{float[]}, IReadOnlyList{string?}?)"/> does: what temperature scaling is fitted on.
    /// </summary>
    public float[][] MemberLogits(IReadOnlyList<float[]> rows, IReadOnlyList<string?>? speakers = null)
    {
        if (Speaker is not null)
            rows = rows.Select((r, i) => Speaker.Apply(r, speakers?[i])).ToArray();
        var flat = standardizer.TransformFlat(rows);
        return members.Select(m => m.Logits(flat, rows.Count)).ToArray();
    }

    private float[] FromSpeakerStandardized(IReadOnlyList<float[]> rows)
    {
        var flat = standardizer.TransformFlat(rows);
        var sum = new float[rows.Count * labels.Count];
        foreach (var m in members)
        {
            var p = m.Probabilities(flat, rows.Count, Temperature);
            for (int i = 0; i < sum.Length; i++) sum[i] += p[i];
        }
        for (int i = 0; i < sum.Length; i++) sum[i] /= members.Count;
        return sum;
    }

    /// <summary>The arg-max class of each raw row (see <see cref="Probabilities"/>).</summary>
    public int[] Predict(IReadOnlyList<float[]> rows, IReadOnlyList<string?>? speakers = null)
    {
        return ArgMax(Probabilities(rows, speakers));
    }

    private int[] ArgMax(float[] p)
    {
        int k = labels.Count;
        int rows = p.Length / k;
        var result = new int[rows];
        for (int i = 0; i < rows; i++)
            result[i] = Classification.IndexOfTop(p.AsSpan(i * k, k));
        return result;
    }
}
