using System.Globalization;
using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Edge.Tests;

/// <summary><c>emoser features --set egemaps</c>: openSMILE's CSV layout and JSON lines, exactly the extractor's numbers.</summary>
[Trait("Category", "golden")]
public sealed class EgemapsFeaturesCommandTests
{
    [Fact]
    public void Csv_has_openSMILEs_header_and_the_extractors_values()
    {
        string[] files = [.. TestData.EmoDbFiles().Take(2)];
        CliResult r = CliRunner.Run(["features", "--set", "egemaps", "--format", "csv", .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["name", "frameTime", .. EgemapsLayout.FunctionalNames], lines[0].Split(';'));
        Assert.Equal(files.Length + 1, lines.Length);
        var ex = new EgemapsExtractor(16000);
        for (int i = 0; i < files.Length; i++)
        {
            string[] cells = lines[i + 1].Split(';');
            Assert.Equal($"'{files[i]}'", cells[0]);
            Assert.Equal("0.000000", cells[1]);
            float[] expected = ex.Extract(WavReader.ReadFile(files[i]).ToMono());
            for (int k = 0; k < expected.Length; k++)
                Assert.Equal(((double)expected[k]).ToString("0.000000e+00", CultureInfo.InvariantCulture), cells[k + 2]);
        }
    }

    [Fact]
    public void Lld_csv_has_one_row_per_10ms_frame()
    {
        string file = TestData.EmoDbFiles()[5];
        CliResult r = CliRunner.Run("features", "--set", "egemaps", "--format", "csv", "--lld", file);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["name", "frameTime", .. EgemapsLayout.DescriptorNames], lines[0].Split(';'));
        float[] x = WavReader.ReadFile(file).ToMono();
        var ex = new EgemapsExtractor(16000);
        Assert.Equal(ex.FrameCount(x.Length) + 1, lines.Length);
        Assert.StartsWith($"'{file}';0.010000;", lines[2]);
    }

    [Fact]
    public void Json_lines_hold_the_functionals_and_optionally_the_frames()
    {
        string file = TestData.EmoDbFiles()[9];
        float[] x = WavReader.ReadFile(file).ToMono();
        var ex = new EgemapsExtractor(16000);
        var f = new float[88];
        var d = new float[ex.FrameCount(x.Length) * 25];
        int n = ex.Extract(x, f, d);

        JsonElement plain = CliRunner.Run("features", "--set", "egemaps", file).JsonLines[0];
        Assert.Equal(["file", "sample_rate", "duration_s", "feature_set", "features"], plain.EnumerateObject().Select(p => p.Name));
        Assert.Equal("opensmile-egemaps-v02", plain.GetProperty("feature_set").GetString());
        Assert.Equal(f, plain.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()));

        JsonElement withFrames = CliRunner.Run("features", "--set", "egemaps", "--lld", file).JsonLines[0];
        JsonElement[] rows = [.. withFrames.GetProperty("lld").EnumerateArray()];
        Assert.Equal(n, rows.Length);
        Assert.Equal(0.01, withFrames.GetProperty("frame_period_s").GetDouble());
        Assert.Equal(d.AsSpan(7 * 25, 25).ToArray(), rows[7].EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public void The_default_set_is_unchanged_and_lld_needs_egemaps()
    {
        string file = TestData.EmoDbFiles()[0];
        JsonElement line = CliRunner.Run("features", file).JsonLines[0];
        Assert.Equal(193, line.GetProperty("features").GetArrayLength());

        CliResult r = CliRunner.Run("features", "--lld", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lld needs --set egemaps", r.Stderr);
        CliResult arffFrames = CliRunner.Run("features", "--set", "egemaps", "--lld", "--format", "arff", file);
        Assert.Equal(2, arffFrames.ExitCode);
        Assert.Contains("--lld is written as JSON lines or CSV only", arffFrames.Stderr);
        CliResult bad = CliRunner.Run("features", "--set", "mfcc", file);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public void Arff_names_openSMILEs_88_functionals_and_holds_the_json_values()
    {
        string file = TestData.EmoDbFiles()[3];
        CliResult r = CliRunner.Run("features", "--set", "egemaps", "--format", "arff", file);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] attributes = [.. lines.Where(l => l.StartsWith("@attribute ", StringComparison.Ordinal))];
        Assert.Equal(["@attribute file string", .. EgemapsLayout.FunctionalNames.Select(n => $"@attribute {n} numeric")], attributes);
        string[] data = lines[^1].Split(',');
        JsonElement json = CliRunner.Run("features", "--set", "egemaps", file).JsonLines[0];
        Assert.Equal(json.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()),
            data.Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Raw_f32le_input_gives_the_wavs_numbers()
    {
        string file = TestData.EmoDbFiles()[11];
        byte[] pcm = TestAudio.DataChunkOf(File.ReadAllBytes(file));
        short[] samples = new short[pcm.Length / 2];
        Buffer.BlockCopy(pcm, 0, samples, 0, pcm.Length);
        byte[] f32 = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples.Select(s => s / 32768f).ToArray(), 0, f32, 0, f32.Length);

        JsonElement fromWav = CliRunner.Run("features", "--set", "egemaps", file).JsonLines[0];
        CliResult fromRaw = CliRunner.Run(f32, "features", "--set", "egemaps", "--raw", "--rate", "16000", "--sample-format", "f32le", "-");
        Assert.True(fromRaw.ExitCode == 0, fromRaw.ToString());
        Assert.Equal(fromWav.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()),
            fromRaw.JsonLines[0].GetProperty("features").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public void Input_shorter_than_60ms_is_a_one_line_error()
    {
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(new short[800], 16000));
        CliResult r = CliRunner.Run("features", "--set", "egemaps", wav.Path);
        Assert.Equal(1, r.ExitCode);
        JsonElement error = Assert.Single(r.JsonLines);
        Assert.Equal(wav.Path, error.GetProperty("file").GetString());
        Assert.Equal("0.05 s is shorter than eGeMAPS's 60 ms analysis frame", error.GetProperty("error").GetString());

        CliResult csv = CliRunner.Run("features", "--set", "egemaps", "--format", "csv", wav.Path);
        Assert.Equal(1, csv.ExitCode);
        Assert.Contains($"emoser: {wav.Path}: 0.05 s is shorter than eGeMAPS's 60 ms analysis frame", csv.Stderr);
    }
}
