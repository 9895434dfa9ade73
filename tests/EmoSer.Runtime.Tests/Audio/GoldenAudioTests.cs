using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>Reads real files and compares with what librosa.load returned for them.</summary>
[Trait("Category", "golden")]
public sealed class GoldenAudioTests
{
    private static JsonElement StageFile(string name)
    {
        string path = TestData.RequireGolden("librosa-stages.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!doc.RootElement.GetProperty("files").TryGetProperty(name, out var entry))
            Assert.Fail($"{name} missing from {path}");
        return entry.Clone();
    }

    private static void AssertMatchesLibrosa(string path, JsonElement golden)
    {
        var clip = WavReader.ReadFile(path);
        float[] mono = clip.ToMono();
        Assert.Equal(golden.GetProperty("sr").GetInt32(), clip.SampleRate);
        Assert.Equal(golden.GetProperty("n_samples").GetInt32(), mono.Length);
        float[] head = golden.GetProperty("y_head").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        Assert.NotEmpty(head);
        Assert.Equal(head, mono[..head.Length]); // bit-exact: same int -> float rule as libsndfile
    }

    [Theory]
    [InlineData("03a01Fa.wav")]
    [InlineData("16b10Wb.wav")]
    public void EmoDb_file_matches_librosa_load(string name)
    {
        string dir = TestData.RequireEmoDb();
        AssertMatchesLibrosa(Path.Combine(dir, name), StageFile(name));
    }

    [Theory]
    [InlineData("sweep_22050.wav")]
    [InlineData("stereo_16000.wav")]
    public void Generated_signal_matches_librosa_load(string name)
    {
        string path = Path.Combine(TestData.GoldenDir, "signals", name);
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not found (set EMOSER_GOLDEN).");
        AssertMatchesLibrosa(path, StageFile(name));
    }

    [Fact]
    public void Stereo_signal_mono_is_the_float32_channel_mean()
    {
        string path = Path.Combine(TestData.GoldenDir, "signals", "stereo_16000.wav");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not found (set EMOSER_GOLDEN).");
        var clip = WavReader.ReadFile(path);
        Assert.Equal(2, clip.Channels);
        float[] mono = clip.ToMono();
        for (int i = 0; i < mono.Length; i++)
            Assert.Equal((clip.Interleaved[2 * i] + clip.Interleaved[2 * i + 1]) / 2f, mono[i]);
    }

    [Fact]
    public void Generated_signals_decode_to_the_sample_count_their_size_implies()
    {
        string dir = Path.Combine(TestData.GoldenDir, "signals");
        if (!Directory.Exists(dir))
            Assert.Skip($"SKIPPED: {dir} not found (set EMOSER_GOLDEN).");
        string[] files = Directory.GetFiles(dir, "*.wav");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            var clip = WavReader.ReadFile(file);
            int rate = int.Parse(Path.GetFileNameWithoutExtension(file).Split('_')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(rate, clip.SampleRate);
            // Python's wave module writes a canonical 44-byte header; 16-bit samples follow.
            long bytes = new FileInfo(file).Length - 44;
            Assert.Equal(bytes / 2 / clip.Channels, clip.FrameCount);
        }
    }

    [Fact]
    public void Whole_EmoDb_corpus_reads_as_16_kHz_mono()
    {
        string[] files = TestData.EmoDbFiles();
        Assert.Equal(535, files.Length);
        foreach (string file in files)
        {
            var clip = WavReader.ReadFile(file);
            Assert.Equal(16000, clip.SampleRate);
            Assert.Equal(1, clip.Channels);
            Assert.InRange(clip.DurationSeconds, 1.0, 10.0);
            Assert.InRange(clip.Interleaved.Max(MathF.Abs), 0.01f, 1f);
        }
    }
}
