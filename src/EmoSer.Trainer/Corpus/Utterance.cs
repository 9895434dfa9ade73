namespace EmoSer.Trainer.Corpus;

/// <summary>One labelled recording of a corpus.</summary>
/// <param name="Id">Stable identifier (the path relative to the corpus root, '/'-separated; with several corpora, prefixed by <c>corpus:</c>); augmented copies refer back to it.</param>
/// <param name="Path">Absolute path of the audio file.</param>
/// <param name="Label">The emotion label (canonical when known, docs/labels.md).</param>
/// <param name="Speaker">The speaker id (with several corpora, prefixed by <c>corpus/</c>), or null when the corpus does not say.</param>
public sealed record Utterance(string Id, string Path, string Label, string? Speaker)
{
    /// <summary>The corpus the utterance belongs to: the manifest's <c>corpus</c> column, else the name of the <c>--data</c> it came from.</summary>
    public string Corpus { get; init; } = "";

    /// <summary>The label as the corpus writes it (before <see cref="CanonicalLabels"/> or a label map).</summary>
    public string SourceLabel { get; init; } = "";
}
