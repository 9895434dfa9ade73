using System.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Models;

/// <summary>
/// Where the model comes from: <c>--model PATH</c>, else the default model (weights/model-a.emow) embedded in
/// the binary at build time, so the single native file works anywhere.
/// </summary>
internal static class ModelSource
{
    /// <summary>Logical name of the embedded weights (set in EmoSer.Edge.csproj).</summary>
    public const string EmbeddedResourceName = "EmoSer.Edge.model-a.emow";

    /// <summary>What <c>"model"</c> fields and messages call the embedded model.</summary>
    public const string EmbeddedName = "model-a.emow";

    // The embedded model is immutable and thread-safe: load it once per process.
    private static readonly Lazy<EmotionModel?> s_embedded = new(LoadEmbedded);

    /// <summary>The <c>--model PATH</c> option.</summary>
    public static Option<string?> CreateOption() => new("--model")
    {
        Description = $"Weights file (.emow) to use instead of the embedded {EmbeddedName}.",
        HelpName = "PATH",
    };

    /// <summary>True when the binary carries a default model.</summary>
    public static bool HasEmbedded => typeof(ModelSource).Assembly.GetManifestResourceInfo(EmbeddedResourceName) is not null;

    /// <summary>Loads <paramref name="path"/>, or returns the embedded model when it is null.</summary>
    /// <exception cref="InputException">The file cannot be opened.</exception>
    /// <exception cref="ModelFormatException">The file is not a valid weights file.</exception>
    /// <exception cref="UsageException">No path and no embedded model.</exception>
    public static EmotionModel Load(string? path)
    {
        if (path is null)
            return s_embedded.Value ?? throw new UsageException($"this build has no embedded model ({EmbeddedName} was missing at build time): pass --model PATH");
        using FileStream file = AudioInput.OpenFile(path);
        return EmotionModel.Load(file, path);
    }

    private static unsafe EmotionModel? LoadEmbedded()
    {
        using Stream? stream = typeof(ModelSource).Assembly.GetManifestResourceStream(EmbeddedResourceName);
        if (stream is null)
            return null;
        // Resources are mapped with the binary: read them in place rather than copying.
        if (stream is UnmanagedMemoryStream mapped)
            return EmotionModel.Load(new ReadOnlySpan<byte>(mapped.PositionPointer, checked((int)mapped.Length)), EmbeddedName);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return EmotionModel.Load(bytes, EmbeddedName);
    }
}
