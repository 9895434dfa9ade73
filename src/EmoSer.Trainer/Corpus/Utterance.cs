namespace EmoSer.Trainer.Corpus;

/// <summary>One labelled recording of a corpus.</summary>
/// <param name="Id">Stable identifier (the path relative to the corpus root, '/'-separated); augmented copies refer back to it.</param>
/// <param name="Path">Absolute path of the audio file.</param>
/// <param name="Label">The free-text emotion label.</param>
/// <param name="Speaker">The speaker id, or null when the corpus does not say.</param>
public sealed record Utterance(string Id, string Path, string Label, string? Speaker);
