using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Edge.Tests;

/// <summary>
/// A model with test-time speed factors in <c>emoser</c>: <c>classify</c> applies the copies unless
/// <c>--single-pass</c>, and <c>info</c> lists the factors.
/// </summary>
[Trait("Category", "unit")]
public sealed class SpeedCopyCommandTests
{
    /// <summary>examples/audio/sample.wav (committed, 16 kHz mono speech).</summary>
    private static string Sample => Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");

    private static float[] Probabilities(JsonElement element) =>
        [.. element.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];

    [Fact]
    public void Single_pass_switches_the_speed_copies_off()
    {
        var model = EmotionModel.Load(SpeedCopyTestModelFile.Path);
        AudioClip clip = WavReader.ReadFile(Sample);
        Classification withCopies = new EmotionClassifier(model).Classify(clip);
        Classification singlePass = new EmotionClassifier(model, testTimeSpeedCopies: false).Classify(clip);
        Assert.NotEqual(singlePass.Probabilities, withCopies.Probabilities);
        // The single pass is the network without factors.
        Assert.Equal(new EmotionClassifier(EmotionModel.Load(TestModelFile.Path)).Classify(clip).Probabilities, singlePass.Probabilities);

        CliResult copies = CliRunner.Run("classify", "--json", "--model", SpeedCopyTestModelFile.Path, Sample);
        CliResult single = CliRunner.Run("classify", "--json", "--single-pass", "--model", SpeedCopyTestModelFile.Path, Sample);
        foreach (CliResult r in new[] { copies, single })
            Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(withCopies.Probabilities, Probabilities(Assert.Single(copies.JsonLines)));
        Assert.Equal(singlePass.Probabilities, Probabilities(Assert.Single(single.JsonLines)));

        // Segments follow the same switch.
        JsonElement segmented = CliRunner.Run("classify", "--json", "--single-pass", "--segment", "1.5", "--model", SpeedCopyTestModelFile.Path, Sample).JsonLines[0];
        var expected = new EmotionClassifier(model, testTimeSpeedCopies: false).ClassifySegments(clip.Interleaved, clip.SampleRate, 1.5);
        Assert.Equal(expected.Select(s => s.Classification.Probabilities), segmented.GetProperty("segments").EnumerateArray().Select(Probabilities));

        // A model without factors gives the same result either way.
        JsonElement plain = CliRunner.Run("classify", "--json", "--model", TestModelFile.Path, Sample).JsonLines[0];
        JsonElement plainSingle = CliRunner.Run("classify", "--json", "--single-pass", "--model", TestModelFile.Path, Sample).JsonLines[0];
        Assert.Equal(Probabilities(plain), Probabilities(plainSingle));
    }

    [Fact]
    public void Info_lists_the_speed_factors()
    {
        JsonElement info = Assert.Single(CliRunner.Run("info", "--json", "--model", SpeedCopyTestModelFile.Path).JsonLines);
        Assert.Equal(SpeedCopyTestModelFile.Factors, info.GetProperty("test_time_speed_factors").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Contains("speed copies 0.9, 1.1 (averaged with the clip; classify --single-pass skips them)\n",
            CliRunner.Run("info", "--model", SpeedCopyTestModelFile.Path).Stdout);

        JsonElement plain = Assert.Single(CliRunner.Run("info", "--json", "--model", TestModelFile.Path).JsonLines);
        Assert.Equal(0, plain.GetProperty("test_time_speed_factors").GetArrayLength());
        Assert.Contains("speed copies none\n", CliRunner.Run("info", "--model", TestModelFile.Path).Stdout);
    }
}
