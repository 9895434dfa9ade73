using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

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
        var definition = ModelDefinitions.WithSpeedFactors(ModelFileReader.Read(TestModelFile.Path), Factors);
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-speed-copy-model-{Environment.ProcessId}.emow");
        ModelFileWriter.Write(definition, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
