using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Edge.Tests;

/// <summary><c>emoser features</c> prints exactly what <see cref="SeedFeatureExtractor"/> computes, whatever the input path.</summary>
[Trait("Category", "golden")]
public sealed class FeaturesCommandTests
{
    [Fact]
    public void EmoDb_files_equal_the_extractor()
    {
        string[] all = TestData.EmoDbFiles();
        string[] files = [.. Enumerable.Range(0, 5).Select(i => all[i * (all.Length / 5)])];
        CliResult r = CliRunner.Run(["features", .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement[] lines = r.JsonLines;
        Assert.Equal(files.Length, lines.Length);
        var extractor = new SeedFeatureExtractor(16000);
        for (int i = 0; i < files.Length; i++)
        {
            AudioClip clip = WavReader.ReadFile(files[i]);
            AssertLine(lines[i], files[i], clip, extractor.Extract(clip.ToMono()));
        }
    }

    [Fact]
    public void Stdin_wav_equals_the_file()
    {
        string file = TestData.EmoDbFiles()[7];
        CliResult fromFile = CliRunner.Run("features", file);
        CliResult fromStdin = CliRunner.Run(File.ReadAllBytes(file), "features", "-");
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal("<stdin>", fromStdin.JsonLines[0].GetProperty("file").GetString());
        Assert.Equal(Features(fromFile.JsonLines[0]), Features(fromStdin.JsonLines[0]));
    }

    [Fact]
    public void Raw_pcm_equals_the_wav()
    {
        string file = TestData.EmoDbFiles()[11];
        byte[] wav = File.ReadAllBytes(file);
        byte[] pcm = TestAudio.DataChunkOf(wav);
        float[] expected = Features(CliRunner.Run("features", file).JsonLines[0]);

        CliResult s16 = CliRunner.Run(pcm, "features", "--raw", "--rate", "16000", "-");
        Assert.True(s16.ExitCode == 0, s16.ToString());
        Assert.Equal(expected, Features(s16.JsonLines[0]));

        // The same samples as f32le, and as two identical interleaved channels (their average is exact).
        short[] samples = new short[pcm.Length / 2];
        Buffer.BlockCopy(pcm, 0, samples, 0, pcm.Length);
        byte[] f32 = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples.Select(s => s / 32768f).ToArray(), 0, f32, 0, f32.Length);
        CliResult asFloat = CliRunner.Run(f32, "features", "--raw", "--rate", "16000", "--sample-format", "f32le", "-");
        Assert.Equal(expected, Features(asFloat.JsonLines[0]));

        byte[] stereo = TestSignals.ToBytes([.. samples.SelectMany(s => new[] { s, s })]);
        using TempFile raw = CliRunner.TempFile(stereo, ".raw");
        CliResult twoChannels = CliRunner.Run("features", "--raw", "--rate", "16000", "--channels", "2", raw.Path);
        Assert.Equal(raw.Path, twoChannels.JsonLines[0].GetProperty("file").GetString());
        Assert.Equal(expected, Features(twoChannels.JsonLines[0]));
    }

    [Fact]
    public void Other_rates_are_computed_at_their_own_rate()
    {
        short[] chirp = TestSignals.Chirp16(22050, 1.5);
        using TempFile file = CliRunner.TempFile(TestAudio.Wav16(chirp, 22050));
        CliResult r = CliRunner.Run("features", file.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement line = r.JsonLines[0];
        AudioClip clip = WavReader.ReadFile(file.Path);
        AssertLine(line, file.Path, clip, new SeedFeatureExtractor(22050).Extract(clip.ToMono()));
    }

    private static void AssertLine(JsonElement line, string file, AudioClip clip, float[] expected)
    {
        Assert.Equal(["file", "sample_rate", "duration_s", "features"], line.EnumerateObject().Select(p => p.Name));
        Assert.Equal(file, line.GetProperty("file").GetString());
        Assert.Equal(clip.SampleRate, line.GetProperty("sample_rate").GetInt32());
        Assert.Equal(clip.DurationSeconds, line.GetProperty("duration_s").GetDouble());
        // Shortest round-trip formatting: the printed floats are the computed floats, bit for bit.
        Assert.Equal(expected, Features(line));
    }

    private static float[] Features(JsonElement line)
    {
        float[] f = [.. line.GetProperty("features").EnumerateArray().Select(e => e.GetSingle())];
        Assert.Equal(SeedFeatureExtractor.FeatureCount, f.Length);
        return f;
    }
}
