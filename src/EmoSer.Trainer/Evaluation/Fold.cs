namespace EmoSer.Trainer.Evaluation;

/// <summary>One train/test partition of the corpus' utterance indices.</summary>
/// <param name="Name">"holdout", "seed-split" or the test speaker's id for LOSO.</param>
/// <param name="Train">Indices of the training utterances.</param>
/// <param name="Test">Indices of the test utterances (empty when the whole corpus trains a final model).</param>
public sealed record Fold(string Name, int[] Train, int[] Test)
{
    /// <summary>The class indices the fold trains and tests on (loco: the labels the corpora share), or null for every class.</summary>
    public int[]? Classes { get; init; }
}
