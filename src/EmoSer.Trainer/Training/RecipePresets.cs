using EmoSer.Runtime.Audio;

namespace EmoSer.Trainer.Training;

/// <summary>
/// The named recipes of <c>emoser-train fit --recipe</c>: <c>default</c> trains what ships, <c>emodb</c> the Emo-DB
/// Model A as shipped before the multi-corpus model, <c>seed</c> the seed's settings. Options given on the command line
/// override the preset's values.
/// </summary>
public static class RecipePresets
{
    /// <summary>The preset names, <c>default</c> first.</summary>
    public static string[] Names { get; } = ["default", "emodb", "seed"];

    /// <summary>
    /// The shipped front end (docs/front-end.md): DC removal, trimming of leading and trailing blocks more than 40 dB
    /// below the loudest (or below -70 dBFS), level normalization of the active blocks to -20 dBFS, and a noise floor
    /// 45 dB below the speech level.
    /// </summary>
    public static FrontEndSettings DefaultFrontEnd { get; } = new()
    {
        RemoveDc = true, TrimSilence = true, NormalizeLevel = true, ThresholdDb = 40, FloorDbfs = -70, MarginSeconds = 0.05f,
        TargetDbfs = -20, MaxGainDb = 50, NoiseFloorDb = 45,
    };

    /// <summary>The Emo-DB Model A recipe: speaker normalization, speed perturbation with test-time copies, class weights, 10 epochs.</summary>
    public static Recipe EmoDb { get; } = new()
    {
        Epochs = 10, Patience = 0, ClassWeights = true, SpeakerNormalization = true,
        Augmentations = 2, Augmentation = AugmentationKind.Speed, SpeedFactors = [0.9, 1.1], TestTimeSpeeds = true,
    };

    /// <summary>
    /// The shipped recipe: <see cref="EmoDb"/> with wider speed perturbation (0.8, 0.9, 1.1, 1.2, test-time copies at
    /// the same factors) for 5 epochs (as many steps over five times the utterances as 25 epochs without copies),
    /// plus the front end, corpus balancing and temperature scaling. Chosen on leave-one-corpus-out runs
    /// (docs/trainer.md, "The shipped recipe").
    /// </summary>
    public static Recipe Default { get; } = EmoDb with
    {
        Epochs = 5, Augmentations = 4, SpeedFactors = [0.8, 0.9, 1.1, 1.2], FrontEnd = DefaultFrontEnd, CorpusBalance = true, Calibration = true,
    };

    /// <summary>
    /// The seed's settings: RMSprop (lr 1e-5, decay 1e-6), no standardization, Keras' lagging BatchNorm averages,
    /// the seed's three augmented copies, 60 epochs, no speaker normalization.
    /// </summary>
    public static Recipe SeedRecipe { get; } = Recipe.Seed(60) with { Augmentations = 3, Augmentation = AugmentationKind.Seed };

    /// <summary>The preset called <paramref name="name"/>.</summary>
    public static Recipe Get(string name) => name switch
    {
        "default" => Default,
        "emodb" => EmoDb,
        "seed" => SeedRecipe,
        _ => throw new ArgumentException($"unknown recipe '{name}' (known: {string.Join(", ", Names)})"),
    };
}
