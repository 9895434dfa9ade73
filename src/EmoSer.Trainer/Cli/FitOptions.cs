using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Cli;

/// <summary>The parsed options of <c>emoser-train fit</c>.</summary>
public sealed record FitOptions
{
    /// <summary>Corpus folders or manifest .csv files (<c>--data</c>, once per corpus).</summary>
    public required IReadOnlyList<string> Data { get; init; }

    /// <summary>A label map .csv for labels the canonical table does not know (docs/labels.md), or null.</summary>
    public string? LabelMap { get; init; }

    /// <summary>Train (and test) only on these labels (canonical names), or null for all.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>Write every utterance's features (as the run computed them) to this JSON-lines file, for reference classifiers.</summary>
    public string? DumpFeatures { get; init; }
    /// <summary>Evaluation protocol.</summary>
    public Protocol Protocol { get; init; } = Protocol.Holdout;
    /// <summary>Output directory.</summary>
    public required string Out { get; init; }
    /// <summary>The <c>--recipe</c> preset the recipe started from (recorded in the report).</summary>
    public string RecipeName { get; init; } = "custom";

    /// <summary>The training recipe.</summary>
    public required Recipe Recipe { get; init; }
    /// <summary>Seed of everything random.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Test fraction for seed/holdout.</summary>
    public double TestSize { get; init; } = 0.2;
    /// <summary>Seed of the seed/holdout test split.</summary>
    public int RandomState { get; init; } = 1;
    /// <summary>JSON lines events on stdout.</summary>
    public bool Events { get; init; }
    /// <summary>Folder for the augmented WAVs, or null.</summary>
    public string? DumpAugmented { get; init; }
    /// <summary>Precomputed golden features JSON to use instead of the runtime extractor (Emo-DB only; no augmentation).</summary>
    public string? Golden { get; init; }
    /// <summary>Feature cache folder.</summary>
    public string? Cache { get; init; }
    /// <summary>Sample rate of the features (default: that of the first file).</summary>
    public int? SampleRate { get; init; }
    /// <summary>Torch intra-op threads.</summary>
    public int Threads { get; init; } = 2;
    /// <summary>Weights file to write (protocol full), default OUT/model-a.emow.</summary>
    public string? Weights { get; init; }
    /// <summary>The licence of each training corpus (<c>--license CORPUS=TEXT</c>; default: the known corpora's), written into the model card.</summary>
    public IReadOnlyDictionary<string, string> Licences { get; init; } = new Dictionary<string, string>();

    /// <summary>The licence of the weights that follows from the corpora's (<c>--weights-license</c>; default: <see cref="Export.ModelLicense.For"/>), written into the model card.</summary>
    public string? WeightsLicence { get; init; }

    /// <summary>The model's name in the weights file and its card (<c>--model-name</c>).</summary>
    public string ModelName { get; init; } = "model-a";

    /// <summary>Print every epoch.</summary>
    public bool Verbose { get; init; }
    /// <summary>The command line, for the report.</summary>
    public string CommandLine { get; init; } = "";
}
