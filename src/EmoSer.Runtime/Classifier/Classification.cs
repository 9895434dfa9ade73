namespace EmoSer.Runtime.Classifier;

/// <summary>The result of classifying one piece of audio.</summary>
/// <param name="Emotion">The most probable label, or <see cref="Uncertain"/> after <see cref="WithMinConfidence"/>.</param>
/// <param name="Confidence">The most probable label's probability.</param>
/// <param name="Labels">All labels of the model, in the order of <paramref name="Probabilities"/>.</param>
/// <param name="Probabilities">One probability per label (they sum to 1).</param>
/// <param name="DurationSeconds">Duration of the classified audio.</param>
public sealed record Classification(string Emotion, float Confidence, IReadOnlyList<string> Labels, float[] Probabilities, double DurationSeconds)
{
    /// <summary>What <see cref="Emotion"/> says when the most probable label's probability is below the caller's minimum confidence.</summary>
    public const string Uncertain = "uncertain";

    /// <summary>
    /// Index in <see cref="Labels"/> of the most probable label (the first of equals): the best guess, also when
    /// <see cref="Emotion"/> is <see cref="Uncertain"/>.
    /// </summary>
    public int TopIndex => IndexOfTop(Probabilities);

    /// <summary>The index of the largest of <paramref name="probabilities"/> (the first of equals; 0 when empty).</summary>
    /// <param name="probabilities">One probability per label.</param>
    public static int IndexOfTop(ReadOnlySpan<float> probabilities)
    {
        int top = 0;
        for (int i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[top])
                top = i;
        }
        return top;
    }

    /// <summary>True when <see cref="Emotion"/> is <see cref="Uncertain"/> rather than a label.</summary>
    public bool IsUncertain => Emotion == Uncertain && !Labels.Contains(Uncertain);

    /// <summary>
    /// This classification, or, when its confidence is below <paramref name="minConfidence"/>, the same with
    /// <see cref="Emotion"/> = <see cref="Uncertain"/> (probabilities and confidence unchanged, so the best guess stays
    /// visible). The rule of <c>classify --min-confidence</c>, the HTTP API's <c>min_confidence</c> and
    /// <c>emoser_model_set_min_confidence</c>.
    /// </summary>
    /// <param name="minConfidence">In [0, 1]; 0 never answers uncertain.</param>
    /// <exception cref="ArgumentOutOfRangeException">The minimum is not a number in [0, 1].</exception>
    public Classification WithMinConfidence(float minConfidence)
    {
        CheckMinConfidence(minConfidence);
        return Confidence < minConfidence ? this with { Emotion = Uncertain } : this;
    }

    /// <summary>
    /// <see cref="WithMinConfidence"/>'s rule for callers that hold only probabilities (the span
    /// <see cref="EmotionClassifier.Classify(ReadOnlySpan{float}, int, int, Span{float}, Speakers.SpeakerProfile?)"/>): true
    /// when the answer is <see cref="Uncertain"/> rather than a label of <paramref name="labels"/>.
    /// </summary>
    /// <param name="confidence">The most probable label's probability.</param>
    /// <param name="minConfidence">In [0, 1]; 0 never answers uncertain.</param>
    /// <param name="labels">The model's labels (a model with a label called <see cref="Uncertain"/> never answers uncertain).</param>
    /// <exception cref="ArgumentOutOfRangeException">The minimum is not a number in [0, 1].</exception>
    public static bool IsUncertainAt(float confidence, float minConfidence, IReadOnlyList<string> labels)
    {
        CheckMinConfidence(minConfidence);
        ArgumentNullException.ThrowIfNull(labels);
        return confidence < minConfidence && !labels.Contains(Uncertain);
    }

    /// <summary>Throws unless <paramref name="minConfidence"/> is a number in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The minimum is not a number in [0, 1].</exception>
    public static void CheckMinConfidence(float minConfidence)
    {
        if (!(minConfidence >= 0 && minConfidence <= 1))
            throw new ArgumentOutOfRangeException(nameof(minConfidence), minConfidence, "The minimum confidence must be a number in [0, 1].");
    }
}
