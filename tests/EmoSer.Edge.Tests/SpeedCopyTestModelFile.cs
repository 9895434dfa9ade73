using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Tests;

/// <summary>
/// <see cref="TestModelFile"/>'s network with test-time speed factors [0.9, 1.1] (a version 2 weights file), written
/// once per test run.
/// </summary>
internal static class SpeedCopyTestModelFile
{
    public static readonly float[] Factors = [0.9f, 1.1f];

    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    private static string Create()
    {
        var plain = ModelFileReader.Read(TestModelFile.Path);
        var definition = new ModelDefinition
        {
            Name = "edge-speed-copy-model",
            SampleRate = plain.SampleRate,
            FeatureSetId = plain.FeatureSetId,
            ExtractorVersion = plain.ExtractorVersion,
            InputLength = plain.InputLength,
            Labels = plain.Labels,
            InputMean = plain.InputMean,
            InputStd = plain.InputStd,
            ModelCardJson = plain.ModelCardJson,
            TestTimeSpeedFactors = Factors,
            Members = plain.Members,
        };
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-speed-copy-model-{Environment.ProcessId}.emow");
        ModelFileWriter.Write(definition, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
