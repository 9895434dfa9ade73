using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Programs;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Models;

/// <summary>
/// Where the model comes from: <c>--model PATH</c>, a model embedded in the binary at build time by name
/// (<c>--model default</c>, the multi-corpus model on canonical labels; <c>--model emodb</c>, the Emo-DB Model A),
/// or without <c>--model</c> the default one, so the single native file works anywhere.
/// </summary>
internal static class ModelSource
{
    /// <summary>The <c>--model</c> option.</summary>
    public static OptionSpec<string?> CreateOption() => new("--model")
    {
        Description = $"Weights file (.emow), or the name of an embedded model: {string.Join(", ", EmbeddedModels.All.Select(e => e.Name))} (default: {EmbeddedModels.DefaultName}).",
        HelpName = "PATH|NAME",
    };

    /// <summary>Loads <paramref name="path"/> (a file or an embedded model's name), or the default embedded model when it is null.</summary>
    /// <exception cref="InputException">The file cannot be opened.</exception>
    /// <exception cref="ModelFormatException">The file is not a valid weights file.</exception>
    /// <exception cref="UsageException">No path and no embedded model.</exception>
    public static EmotionModel Load(string? path)
    {
        string? name = path is null ? EmbeddedModels.DefaultName : EmbeddedModels.IsName(path) ? path : null;
        if (name is not null)
            return EmbeddedModels.Load(name) ?? throw new UsageException($"this build has no embedded model '{name}' ({name}.emow was missing at build time): pass --model PATH");
        using FileStream file = AudioInput.OpenFile(path!);
        return EmotionModel.Load(file, path!);
    }
}
