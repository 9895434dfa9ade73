using System.Reflection;

namespace EmoSer.Edge.Serve;

/// <summary>The engine factory over the runtime's model, and the weights embedded in the binary.</summary>
internal static class ModelEngines
{
    /// <summary>Creates an engine from weights bytes that applies the model's test-time speed copies, if it has any.</summary>
    public static ModelFactory Factory { get; } = (weights, name, version) => Create(weights, name, version, testTimeSpeedCopies: true);

    /// <summary>Creates an engine from weights bytes that classifies in a single pass (<c>emoser serve --single-pass</c>).</summary>
    public static ModelFactory SinglePassFactory { get; } = (weights, name, version) => Create(weights, name, version, testTimeSpeedCopies: false);

    /// <summary>The factory for <paramref name="options"/>: <see cref="SinglePassFactory"/> when <see cref="ServeOptions.SinglePass"/>.</summary>
    public static ModelFactory For(ServeOptions options) => options.SinglePass ? SinglePassFactory : Factory;

    private static IClassifierEngine Create(byte[] weights, string name, string version, bool testTimeSpeedCopies) =>
        new RuntimeEngine(EmoSer.Runtime.Model.EmotionModel.Load(weights, name), version, testTimeSpeedCopies);

    /// <summary>The embedded default weights (the resource the CLI loads, <see cref="Models.ModelSource.EmbeddedResourceName"/>), or null.</summary>
    public static byte[]? EmbeddedWeights()
    {
        using Stream? stream = typeof(ModelEngines).Assembly.GetManifestResourceStream(Models.ModelSource.EmbeddedResourceName);
        if (stream is null)
            return null;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Embedded evaluation reports (resources named like report-*.json), keyed by the part after "report-".</summary>
    public static Dictionary<string, string> EmbeddedReports()
    {
        Assembly assembly = typeof(ModelEngines).Assembly;
        var reports = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            int at = name.LastIndexOf("report-", StringComparison.Ordinal);
            if (at < 0 || !name.EndsWith(".json", StringComparison.Ordinal))
                continue;
            string file = name[at..];
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            reports[file["report-".Length..^".json".Length]] = reader.ReadToEnd();
        }
        return reports;
    }
}
