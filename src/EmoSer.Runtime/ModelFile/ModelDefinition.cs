using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// Everything a weights file holds (docs/weights-format.md): feature configuration, labels, input
/// standardization, model card and the member networks. Written by <see cref="ModelFileWriter"/>, read back by
/// <see cref="ModelFileReader"/>, run by <c>EmotionModel</c>.
/// </summary>
public sealed class ModelDefinition
{
    /// <summary>Model kind; version 1 knows only <c>cnn1d-sequential</c>.</summary>
    public string Kind { get; init; } = ModelFileFormat.KindCnn1dSequential;

    /// <summary>Model name, e.g. <c>model-a</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Sample rate (Hz) the features are computed at.</summary>
    public required int SampleRate { get; init; }

    /// <summary>Feature set id, e.g. <c>librosa-seed-193</c>.</summary>
    public required string FeatureSetId { get; init; }

    /// <summary>Feature extractor version the model was trained with.</summary>
    public required int ExtractorVersion { get; init; }

    /// <summary>Input length (193 for the seed features).</summary>
    public required int InputLength { get; init; }

    /// <summary>Input channels (1 for the seed features).</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Label names, in the order of the output probabilities.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Standardization mean (input length x channels values), or null for no standardization.</summary>
    public float[]? InputMean { get; init; }

    /// <summary>Standardization std (every value &gt; 0), or null for no standardization.</summary>
    public float[]? InputStd { get; init; }

    /// <summary>
    /// Per-speaker standardization applied before <see cref="InputMean"/>/<see cref="InputStd"/> (normalization 2),
    /// or null. Needs the input standardization too.
    /// </summary>
    public SpeakerNormalization? Speaker { get; init; }

    /// <summary>Model card JSON object, or null.</summary>
    public string? ModelCardJson { get; init; }

    /// <summary>
    /// Test-time speed factors (0..8, each in [0.5, 2], not 1, distinct): a clip is classified as the mean of the
    /// probabilities of the clip itself and of a <see cref="Audio.SpeedChange"/> copy per factor. Empty: the clip alone.
    /// </summary>
    public IReadOnlyList<float> TestTimeSpeedFactors { get; init; } = [];

    /// <summary>
    /// The front end applied to every clip at the model's rate before its features (format version 3), or null for
    /// none (versions 1 and 2): see <see cref="Audio.FrontEnd"/>.
    /// </summary>
    public Audio.FrontEndSettings? FrontEnd { get; init; }

    /// <summary>
    /// Temperature scaling (format version 3): every member's pre-softmax outputs are divided by it
    /// (<see cref="MinTemperature"/>..<see cref="MaxTemperature"/>; 1 leaves them as trained).
    /// </summary>
    public float Temperature { get; init; } = 1;

    /// <summary>Smallest and largest temperature a weights file may hold.</summary>
    public const float MinTemperature = 0.05f, MaxTemperature = 20f;

    /// <summary>Member networks (1..64) whose probabilities are averaged.</summary>
    public required IReadOnlyList<NetworkDefinition> Members { get; init; }
}
