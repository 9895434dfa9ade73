namespace EmoSer.Trainer.Training;

/// <summary>Which optimizer trains the network.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Keras defaults: lr 1e-3, betas 0.9/0.999, eps 1e-7).</summary>
    Adam,
    /// <summary>The seed's RMSprop: lr 1e-5, rho 0.9, eps 1e-7, Keras' legacy time decay 1e-6 per step.</summary>
    RmsProp,
}

/// <summary>How the learning rate moves over the training steps.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout (or the seed's time decay with <see cref="Recipe.Decay"/>).</summary>
    Constant,
    /// <summary>One cycle: a linear warm-up from rate/25 over the first 10% of steps, then a cosine descent to rate/2.5e5.</summary>
    OneCycle,
}

/// <summary>What the augmented copies of a training utterance are.</summary>
public enum AugmentationKind
{
    /// <summary>The seed's: white noise 0.05, a random delay, a phase-vocoder stretch by 1.23 or 0.81.</summary>
    Seed,
    /// <summary>Speed perturbation: one resampled copy per factor of <see cref="Recipe.SpeedFactors"/>.</summary>
    Speed,
}

/// <summary>Everything that decides how one network is trained; recorded in the report and the model card.</summary>
public sealed record Recipe
{
    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate (null: the optimizer's default, 1e-3 for Adam, 1e-5 for the seed's RMSprop).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Keras legacy decay: lr / (1 + decay * step).</summary>
    public double Decay { get; init; }

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Early stopping patience in epochs on the inner validation accuracy (0: train all epochs).</summary>
    public int Patience { get; init; } = 15;

    /// <summary>Fraction of the training part held out as the inner validation split for early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Early stopping monitors the inner validation loss instead of its accuracy.</summary>
    public bool MonitorLoss { get; init; }

    /// <summary>After every epoch, set the BatchNorm running statistics to the exact statistics of the training part (see <see cref="ModelA.RecalibrateBatchNorm"/>).</summary>
    public bool PreciseBatchNorm { get; init; } = true;

    /// <summary>Protocol full: after early stopping picks the epoch count, retrain on every utterance for that many epochs.</summary>
    public bool RefitOnAll { get; init; } = true;

    /// <summary>Fit a standardization on the training part (the seed does not).</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>
    /// Per-speaker standardization before the global one (docs/speaker-normalization.md); used only when every
    /// utterance has a speaker.
    /// </summary>
    public bool SpeakerNormalization { get; init; } = true;

    /// <summary>Pseudo-utterances of the population prior in every speaker profile.</summary>
    public float SpeakerPriorWeight { get; init; } = 4;

    /// <summary>Weight the loss by inverse class frequency.</summary>
    public bool ClassWeights { get; init; }

    /// <summary>Number of independently seeded networks averaged (model averaging).</summary>
    public int Members { get; init; } = 1;

    /// <summary>Augmented copies per training utterance (0: none).</summary>
    public int Augmentations { get; init; }

    /// <summary>What the augmented copies are (when <see cref="Augmentations"/> is above 0).</summary>
    public AugmentationKind Augmentation { get; init; } = AugmentationKind.Seed;

    /// <summary>The speed factors of <see cref="AugmentationKind.Speed"/>, one copy each.</summary>
    public IReadOnlyList<double> SpeedFactors { get; init; } = EmoSer.Trainer.Augmentation.SpeedPerturbation.DefaultFactors;

    /// <summary>
    /// Test-time speed copies: every test utterance is classified as the mean of the probabilities of the utterance
    /// and of a copy at each of <see cref="SpeedFactors"/>, and the exported model tells the runtime to do the same.
    /// Needs <see cref="AugmentationKind.Speed"/> augmentation, so the network has seen such copies in training.
    /// </summary>
    public bool TestTimeSpeeds { get; init; }

    /// <summary>
    /// The front end applied to every clip before its features (null: none), stored in the exported model so the
    /// runtime applies the same (docs/front-end.md).
    /// </summary>
    public EmoSer.Runtime.Audio.FrontEndSettings? FrontEnd { get; init; }

    /// <summary>
    /// With several corpora: weight the loss so that every corpus counts as much as the others (and, with
    /// <see cref="ClassWeights"/>, every class as much as the others within its corpus).
    /// </summary>
    public bool CorpusBalance { get; init; } = true;

    /// <summary>
    /// Temperature scaling: each fold's temperature is fitted on speakers held out of its training part, by a
    /// calibration network trained without them (docs/trainer.md, "Calibration"); the exported model stores it.
    /// </summary>
    public bool Calibration { get; init; }

    /// <summary>Share of the training speakers (per corpus) held out for the calibration network.</summary>
    public double CalibrationFraction { get; init; } = 0.2;

    /// <summary>How the learning rate moves over the steps of the <see cref="Epochs"/> epochs.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>The effective learning rate.</summary>
    public double EffectiveLearningRate => LearningRate ?? (Optimizer == OptimizerKind.Adam ? 1e-3 : 1e-5);

    /// <summary>The seed's recipe: RMSprop lr 1e-5 decay 1e-6, batch 32, no standardization.</summary>
    public static Recipe Seed(int epochs) => new()
    {
        Optimizer = OptimizerKind.RmsProp, LearningRate = 1e-5, Decay = 1e-6, BatchSize = 32,
        Epochs = epochs, Patience = 0, ValidationFraction = 0, Standardize = false, PreciseBatchNorm = false, SpeakerNormalization = false,
    };
}
