using System.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Models;

/// <summary>
/// Where the model comes from: <c>--model PATH</c>, a model embedded in the binary at build time by name
/// (<c>--model default</c>, the multi-corpus model on canonical labels; <c>--model emodb</c>, the Emo-DB Model A),
/// or without <c>--model</c> the default one, so the single native file works anywhere.
/// </summary>
internal static class ModelSource
{
    /// <summary>The embedded models: name, resource (set in EmoSer.Edge.csproj) and what it is.</summary>
    public static IReadOnlyList<(string Name, string Resource, string Description)> Embedded { get; } =
    [
        ("default", "EmoSer.Edge.default.emow", "Model A on Emo-DB and RAVDESS, canonical labels, microphone-independent front end (weights/multicorpus/model.emow)"),
        ("emodb", "EmoSer.Edge.emodb.emow", "Model A on Emo-DB alone, its seven labels (weights/model-a.emow)"),
    ];

    /// <summary>The name of the model used without <c>--model</c>.</summary>
    public const string DefaultName = "default";

    /// <summary>Logical name of the default embedded weights.</summary>
    public static string EmbeddedResourceName => ResourceOf(DefaultName)!;

    /// <summary>What <c>"model"</c> fields and messages call the default embedded model.</summary>
    public const string EmbeddedName = "default.emow";

    // Embedded models are immutable and thread-safe: load each once per process.
    private static readonly Dictionary<string, Lazy<EmotionModel?>> s_embedded =
        Embedded.ToDictionary(e => e.Name, e => new Lazy<EmotionModel?>(() => LoadEmbedded(e.Resource, e.Name + ".emow")), StringComparer.Ordinal);

    /// <summary>The <c>--model</c> option.</summary>
    public static Option<string?> CreateOption() => new("--model")
    {
        Description = $"Weights file (.emow), or the name of an embedded model: {string.Join(", ", Embedded.Select(e => e.Name))} (default: {DefaultName}).",
        HelpName = "PATH|NAME",
    };

    /// <summary>True when the binary carries the default model.</summary>
    public static bool HasEmbedded => typeof(ModelSource).Assembly.GetManifestResourceInfo(EmbeddedResourceName) is not null;

    /// <summary>The resource of the embedded model called <paramref name="name"/>, or null when there is none by that name.</summary>
    public static string? ResourceOf(string name) => Embedded.FirstOrDefault(e => e.Name == name).Resource;

    /// <summary>
    /// True when <paramref name="pathOrName"/> names an embedded model: one of <see cref="Embedded"/>'s names, and no
    /// file of that name exists (a file always wins, so no existing command line changes meaning).
    /// </summary>
    public static bool IsEmbeddedName(string pathOrName) => ResourceOf(pathOrName) is not null && !File.Exists(pathOrName) && !Directory.Exists(pathOrName);

    /// <summary>Loads <paramref name="path"/> (a file or an embedded model's name), or the default embedded model when it is null.</summary>
    /// <exception cref="InputException">The file cannot be opened.</exception>
    /// <exception cref="ModelFormatException">The file is not a valid weights file.</exception>
    /// <exception cref="UsageException">No path and no embedded model.</exception>
    public static EmotionModel Load(string? path)
    {
        string? name = path is null ? DefaultName : IsEmbeddedName(path) ? path : null;
        if (name is not null)
            return s_embedded[name].Value ?? throw new UsageException($"this build has no embedded model '{name}' ({name}.emow was missing at build time): pass --model PATH");
        using FileStream file = AudioInput.OpenFile(path!);
        return EmotionModel.Load(file, path!);
    }

    /// <summary>The bytes of the embedded model called <paramref name="name"/>, or null when this build lacks it.</summary>
    public static byte[]? EmbeddedBytes(string name)
    {
        if (ResourceOf(name) is not { } resource)
            return null;
        using Stream? stream = typeof(ModelSource).Assembly.GetManifestResourceStream(resource);
        if (stream is null)
            return null;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static unsafe EmotionModel? LoadEmbedded(string resource, string displayName)
    {
        using Stream? stream = typeof(ModelSource).Assembly.GetManifestResourceStream(resource);
        if (stream is null)
            return null;
        // Resources are mapped with the binary: read them in place rather than copying.
        if (stream is UnmanagedMemoryStream mapped)
            return EmotionModel.Load(new ReadOnlySpan<byte>(mapped.PositionPointer, checked((int)mapped.Length)), displayName);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return EmotionModel.Load(bytes, displayName);
    }
}
