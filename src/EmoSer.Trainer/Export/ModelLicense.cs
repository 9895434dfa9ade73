namespace EmoSer.Trainer.Export;

/// <summary>
/// The licence of a trained model, which follows its training data (the code's MIT licence does not cover the
/// weights): written into the model card as <c>license</c> and shown by <c>emoser info</c> (docs/weights-format.md).
/// </summary>
public static class ModelLicense
{
    private const string EmoDb = "Emo-DB (Burkhardt et al. 2005), released free for research use";
    private const string Ravdess = "RAVDESS (Livingstone & Russo 2018), licensed CC BY-NC-SA 4.0";

    /// <summary>The licence of one known training corpus named <paramref name="corpusName"/>, or null for another corpus.</summary>
    public static string? ForCorpus(string corpusName) => Known(corpusName) switch
    {
        (true, false) => EmoDb,
        (false, true) => Ravdess,
        _ => null,
    };

    private static (bool EmoDb, bool Ravdess) Known(string corpusName)
    {
        string name = corpusName.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return (name.Contains("emodb", StringComparison.Ordinal), name.Contains("ravdess", StringComparison.Ordinal));
    }

    /// <summary>
    /// The licence statement for a model trained on the corpus named <paramref name="corpusName"/> (Emo-DB, RAVDESS, or a
    /// manifest naming them); an unknown corpus gets a statement that its own terms apply and how to state them.
    /// </summary>
    public static string For(string corpusName)
    {
        var (emoDb, ravdess) = Known(corpusName);
        return (emoDb, ravdess) switch
        {
            (true, false) => $"Research use only: the model is trained on {EmoDb}, and its licence follows that data.",
            (false, true) => $"CC BY-NC-SA 4.0 (non-commercial, share-alike, attribution): the model is trained on {Ravdess}, and is shared under the same licence.",
            (true, true) => $"Non-commercial research use only, under CC BY-NC-SA 4.0 and Emo-DB's research-only terms: the model is trained on {EmoDb} and on {Ravdess}.",
            _ => $"The terms of the training data ({corpusName}) apply to the model; state them with 'emoser-train card --license TEXT'.",
        };
    }
}
