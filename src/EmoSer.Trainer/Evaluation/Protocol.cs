namespace EmoSer.Trainer.Evaluation;

/// <summary>The evaluation protocol of a run (<c>--protocol</c>).</summary>
public enum Protocol
{
    /// <summary>The seed's leaky procedure: augment everything, random 80/20 split, keep the epoch with the best test accuracy.</summary>
    Seed,
    /// <summary>Stratified 80/20 of the original utterances; epochs chosen on an inner validation split of the training part.</summary>
    Holdout,
    /// <summary>Leave one speaker out: one fold per speaker.</summary>
    Loso,
    /// <summary>Leave one corpus out: one fold per corpus, trained on every other corpus and tested on the left-out one, over the labels they share.</summary>
    Loco,
    /// <summary>No test: trains the final model on the whole corpus (early stopping on an inner validation split) and writes the weights.</summary>
    Full,
}
