using EmoSer.Programs;

namespace EmoSer.Serve;

/// <summary>The engine factory over the runtime's model, and the weights embedded in the binary.</summary>
internal static class ModelEngines
{
    /// <summary>Creates an engine from weights bytes that applies the model's test-time speed copies, if it has any.</summary>
    public static ModelFactory Factory { get; } = (weights, name, version) => Create(weights, name, version, testTimeSpeedCopies: true);

    /// <summary>Creates an engine from weights bytes that classifies in a single pass (<c>emoser serve --single-pass</c>).</summary>
    public static ModelFactory SinglePassFactory { get; } = (weights, name, version) => Create(weights, name, version, testTimeSpeedCopies: false);

    /// <summary>The factory for <paramref name="options"/>: <see cref="SinglePassFactory"/> when <see cref="ServeOptions.SinglePass"/>.</summary>
    public static ModelFactory For(ServeOptions options) => options.SinglePass ? SinglePassFactory : Factory;

    // Warmed up before it serves (at start and before a trained model is swapped in): the first request then finds
    // the weights packed and the speed-copy threads started instead of paying for them.
    private static IClassifierEngine Create(byte[] weights, string name, string version, bool testTimeSpeedCopies)
    {
        var engine = new RuntimeEngine(EmoSer.Runtime.Model.EmotionModel.Load(weights, name), version, testTimeSpeedCopies);
        engine.WarmUp();
        return engine;
    }

    /// <summary>The embedded weights called <paramref name="name"/> (<see cref="EmbeddedModels.All"/>), or null.</summary>
    public static byte[]? EmbeddedWeights(string name = EmbeddedModels.DefaultName) => EmbeddedModels.Bytes(name);

    /// <summary>The embedded evaluation reports of the model called <paramref name="name"/>, keyed by the part after "report-".</summary>
    public static Dictionary<string, string> EmbeddedReports(string name = EmbeddedModels.DefaultName) => EmbeddedModels.Reports(name);
}
