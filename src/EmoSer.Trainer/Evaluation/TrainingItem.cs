namespace EmoSer.Trainer.Evaluation;

/// <summary>A training example: an original utterance (<paramref name="Copy"/> 0) or its augmented copy number <paramref name="Copy"/> (1..n).</summary>
/// <param name="Source">Index of the source utterance in the corpus.</param>
/// <param name="Copy">0 for the original, otherwise the augmentation copy number.</param>
public readonly record struct TrainingItem(int Source, int Copy);
