using System.Reflection;
using EmoSer.Runtime.Model;

namespace EmoSer.Programs;

/// <summary>
/// The models built into the <c>emoser</c> and <c>emoser-serve</c> binaries (resources set in EmoSer.Programs.csproj),
/// by name: <c>default</c>, the multi-corpus model on canonical labels; <c>emodb</c>, the Emo-DB Model A. Each comes
/// with its evaluation reports (<c>GET /train</c>).
/// </summary>
internal static class EmbeddedModels
{
    /// <summary>The embedded models: name, resource and what it is.</summary>
    public static IReadOnlyList<(string Name, string Resource, string Description)> All { get; } =
    [
        ("default", ResourcePrefix + "default.emow", "Model A on Emo-DB and RAVDESS, canonical labels, microphone-independent front end (weights/multicorpus/model.emow)"),
        ("emodb", ResourcePrefix + "emodb.emow", "Model A on Emo-DB alone, its seven labels (weights/model-a.emow)"),
    ];

    /// <summary>The name of the model used when none is given.</summary>
    public const string DefaultName = "default";

    private const string ResourcePrefix = "EmoSer.Programs.";

    private static Assembly Resources => typeof(EmbeddedModels).Assembly;

    // Embedded models are immutable and thread-safe: load each once per process.
    private static readonly Dictionary<string, Lazy<EmotionModel?>> s_loaded =
        All.ToDictionary(e => e.Name, e => new Lazy<EmotionModel?>(() => LoadResource(e.Resource, e.Name + ".emow")), StringComparer.Ordinal);

    /// <summary>True when the binary carries the model called <paramref name="name"/> (by default, the default model).</summary>
    public static bool Has(string name = DefaultName) => ResourceOf(name) is { } resource && Resources.GetManifestResourceInfo(resource) is not null;

    /// <summary>The resource of the embedded model called <paramref name="name"/>, or null when there is none by that name.</summary>
    public static string? ResourceOf(string name) => All.FirstOrDefault(e => e.Name == name).Resource;

    /// <summary>
    /// True when <paramref name="pathOrName"/> names an embedded model: one of <see cref="All"/>'s names, and no
    /// file of that name exists (a file always wins, so no existing command line changes meaning).
    /// </summary>
    public static bool IsName(string pathOrName) => ResourceOf(pathOrName) is not null && !File.Exists(pathOrName) && !Directory.Exists(pathOrName);

    /// <summary>The model called <paramref name="name"/> (loaded once), or null when this build lacks it.</summary>
    public static EmotionModel? Load(string name) => s_loaded.TryGetValue(name, out var model) ? model.Value : null;

    /// <summary>The bytes of the embedded model called <paramref name="name"/>, or null when this build lacks it.</summary>
    public static byte[]? Bytes(string name)
    {
        if (ResourceOf(name) is not { } resource)
            return null;
        using Stream? stream = Resources.GetManifestResourceStream(resource);
        if (stream is null)
            return null;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// The evaluation reports of the model called <paramref name="name"/> (resources named
    /// <c>EmoSer.Programs.NAME.report-*.json</c>), keyed by the part after "report-".
    /// </summary>
    public static Dictionary<string, string> Reports(string name)
    {
        var reports = new Dictionary<string, string>(StringComparer.Ordinal);
        string prefix = $"{ResourcePrefix}{name}.report-";
        foreach (string resource in Resources.GetManifestResourceNames())
        {
            if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(".json", StringComparison.Ordinal))
                continue;
            using var reader = new StreamReader(Resources.GetManifestResourceStream(resource)!);
            reports[resource[prefix.Length..^".json".Length]] = reader.ReadToEnd();
        }
        return reports;
    }

    private static unsafe EmotionModel? LoadResource(string resource, string displayName)
    {
        using Stream? stream = Resources.GetManifestResourceStream(resource);
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
