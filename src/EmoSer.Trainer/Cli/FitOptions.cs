using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Cli;

/// <summary>The parsed options of <c>emoser-train fit</c>.</summary>
public sealed record FitOptions
{
    /// <summary>Corpus folder or manifest .csv.</summary>
    public required string Data { get; init; }
    /// <summary>Evaluation protocol.</summary>
    public Protocol Protocol { get; init; } = Protocol.Holdout;
    /// <summary>Output directory.</summary>
    public required string Out { get; init; }
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
    /// <summary>Print every epoch.</summary>
    public bool Verbose { get; init; }
    /// <summary>The command line, for the report.</summary>
    public string CommandLine { get; init; } = "";
}
