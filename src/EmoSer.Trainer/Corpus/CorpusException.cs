namespace EmoSer.Trainer.Corpus;

/// <summary>A corpus (folder or manifest) that cannot be used; the message names the file (and line) and the problem.</summary>
public sealed class CorpusException(string message) : Exception(message);
