using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Edge.Tests;

/// <summary><c>emoser classify</c>: the JSON shape, equality with <see cref="EmotionClassifier"/>, inputs, segments, table.</summary>
[Trait("Category", "golden")]
public sealed class ClassifyCommandTests
{
    private static readonly Lazy<EmotionClassifier> s_classifier = new(() => new EmotionClassifier(EmotionModel.Load(TestModelFile.Path)));

    private static string[] SomeEmoDbFiles(int count)
    {
        string[] all = TestData.EmoDbFiles();
        return [.. Enumerable.Range(0, count).Select(i => all[(i * 61 + 5) % all.Length])];
    }

    [Fact]
    public void Json_lines_have_the_documented_shape_and_equal_the_classifier()
    {
        string[] files = SomeEmoDbFiles(4);
        CliResult r = CliRunner.Run(["classify", "--json", "--model", TestModelFile.Path, .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement[] lines = r.JsonLines;
        Assert.Equal(files.Length, lines.Length);
        for (int i = 0; i < files.Length; i++)
        {
            AudioClip clip = WavReader.ReadFile(files[i]);
            AssertClassification(lines[i], files[i], clip.DurationSeconds, s_classifier.Value.Classify(clip), "edge-test-model");
        }
    }

    [Fact]
    public void Stdin_wav_and_raw_pcm_give_the_same_result_as_the_file()
    {
        string file = SomeEmoDbFiles(1)[0];
        byte[] wav = File.ReadAllBytes(file);
        JsonElement fromFile = CliRunner.Run("classify", "--json", "--model", TestModelFile.Path, file).JsonLines[0];
        CliResult stdin = CliRunner.Run(wav, "classify", "--json", "--model", TestModelFile.Path, "-");
        CliResult raw = CliRunner.Run(TestAudio.DataChunkOf(wav), "classify", "--json", "--model", TestModelFile.Path, "--raw", "--rate", "16000", "-");
        foreach (CliResult r in new[] { stdin, raw })
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            JsonElement line = r.JsonLines[0];
            Assert.Equal("<stdin>", line.GetProperty("file").GetString());
            Assert.Equal(Probabilities(fromFile), Probabilities(line));
            Assert.Equal(fromFile.GetProperty("duration_s").GetDouble(), line.GetProperty("duration_s").GetDouble());
        }
    }

    [Fact]
    public void Other_rates_and_channels_are_resampled_and_downmixed()
    {
        // 44.1 kHz stereo: the command must give exactly what the classifier gives for that clip.
        short[] chirp = TestSignals.Chirp16(44100, 2.0);
        short[] stereo = [.. chirp.SelectMany(s => new[] { s, (short)(s / 2) })];
        using TempFile file = CliRunner.TempFile(TestAudio.Wav16(stereo, 44100, channels: 2));
        CliResult r = CliRunner.Run("classify", "--json", "--model", TestModelFile.Path, file.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        AudioClip clip = WavReader.ReadFile(file.Path);
        AssertClassification(r.JsonLines[0], file.Path, 2.0, s_classifier.Value.Classify(clip), "edge-test-model");
    }

    [Fact]
    public void Segments_cover_the_input_and_each_equals_the_classifier_on_that_window()
    {
        // Three utterances back to back (about 6-9 s), 2-second segments.
        float[] mono = [.. SomeEmoDbFiles(3).SelectMany(f => WavReader.ReadFile(f).ToMono())];
        short[] pcm = [.. mono.Select(x => (short)Math.Round(x * 32768))];
        using TempFile file = CliRunner.TempFile(TestAudio.Wav16(pcm, 16000));
        CliResult r = CliRunner.Run("classify", "--json", "--segment", "2", "--model", TestModelFile.Path, file.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement line = r.JsonLines[0];
        Assert.Equal(["file", "emotion", "confidence", "probabilities", "duration_s", "model", "segments"], line.EnumerateObject().Select(p => p.Name));
        JsonElement[] segments = [.. line.GetProperty("segments").EnumerateArray()];

        int n = pcm.Length, length = 32000;
        int expectedCount = n / length + (n % length >= length / 2 ? 1 : 0);
        Assert.Equal(Math.Max(1, expectedCount), segments.Length);
        float[] samples = WavReader.ReadFile(file.Path).ToMono();
        double previousEnd = 0;
        foreach (JsonElement s in segments)
        {
            Assert.Equal(["start", "end", "emotion", "confidence", "probabilities"], s.EnumerateObject().Select(p => p.Name));
            double start = s.GetProperty("start").GetDouble(), end = s.GetProperty("end").GetDouble();
            Assert.Equal(previousEnd, start);
            Assert.True(end - start >= 1.0 && end - start < 3.0, $"segment {start}-{end}");
            int a = (int)Math.Round(start * 16000), b = (int)Math.Round(end * 16000);
            Classification expected = s_classifier.Value.Classify(samples.AsSpan(a, b - a), 16000);
            Assert.Equal(expected.Emotion, s.GetProperty("emotion").GetString());
            Assert.Equal(expected.Probabilities, Probabilities(s));
            previousEnd = end;
        }
        Assert.Equal((double)n / 16000, previousEnd);
    }

    [Fact]
    public void Short_input_is_one_segment()
    {
        using TempFile file = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.2), 16000));
        JsonElement line = CliRunner.Run("classify", "--json", "--segment", "3", "--model", TestModelFile.Path, file.Path).JsonLines[0];
        JsonElement segment = Assert.Single(line.GetProperty("segments").EnumerateArray());
        Assert.Equal(0, segment.GetProperty("start").GetDouble());
        Assert.Equal(1.2, segment.GetProperty("end").GetDouble());
        Assert.Equal(Probabilities(line), Probabilities(segment));
    }

    [Fact]
    public void Table_has_a_header_and_one_aligned_row_per_file()
    {
        string[] files = SomeEmoDbFiles(2);
        CliResult r = CliRunner.Run(["classify", "--model", TestModelFile.Path, .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] rows = r.Lines;
        Assert.Equal(3, rows.Length);
        Assert.Equal(["FILE", "DURATION", "EMOTION", "CONFIDENCE", .. TestModelFile.Labels], rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        for (int i = 0; i < files.Length; i++)
        {
            Classification c = s_classifier.Value.Classify(WavReader.ReadFile(files[i]));
            string[] cells = rows[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(files[i], cells[0]);
            Assert.Equal(c.Emotion, cells[3]);
            Assert.Equal(c.Confidence.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), cells[4]);
            // Right-aligned numeric columns end where their header ends.
            Assert.Equal(rows[0].IndexOf("CONFIDENCE", StringComparison.Ordinal) + "CONFIDENCE".Length, rows[i + 1].IndexOf(cells[4], StringComparison.Ordinal) + cells[4].Length);
        }
    }

    [Fact]
    public void Segment_table_lists_the_whole_file_then_each_segment()
    {
        using TempFile file = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 2.6), 16000));
        CliResult r = CliRunner.Run("classify", "--segment", "1", "--model", TestModelFile.Path, file.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[][] rows = [.. r.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
        Assert.Equal(["FILE", "START", "END", "EMOTION", "CONFIDENCE", .. TestModelFile.Labels], rows[0]);
        // 2.6 s in 1 s segments: [0,1), [1,2.6) (the 0.6 s tail is more than half a segment: [2,2.6) stays separate).
        Assert.Equal([file.Path, "0.00", "s", "2.60", "s"], rows[1][..5]);
        Assert.Equal(["#1", "0.00", "s", "1.00", "s"], rows[2][..5]);
        Assert.Equal(["#2", "1.00", "s", "2.00", "s"], rows[3][..5]);
        Assert.Equal(["#3", "2.00", "s", "2.60", "s"], rows[4][..5]);
        Assert.Equal(5, rows.Length);
    }

    [Fact]
    public void Malformed_model_file_is_bad_input()
    {
        byte[] good = File.ReadAllBytes(TestModelFile.Path);
        using TempFile truncated = CliRunner.TempFile(good[..(good.Length / 2)], ".emow");
        using TempFile notAModel = CliRunner.TempFile("RIFF not a model at all, just text"u8.ToArray(), ".emow");
        foreach (TempFile bad in new[] { truncated, notAModel })
        {
            CliResult r = CliRunner.Run("classify", "--model", bad.Path, TestData.EmoDbFiles()[0]);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.Equal("", r.Stdout);
            string[] err = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(err);
            Assert.StartsWith($"emoser: {bad.Path}: ", err[0]);
        }
        CliResult missing = CliRunner.Run("classify", "--model", "/nonexistent/model.emow", TestData.EmoDbFiles()[0]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("emoser: /nonexistent/model.emow: no such file\n", missing.Stderr);
    }

    [Fact]
    public void Info_json_describes_the_model()
    {
        CliResult r = CliRunner.Run("info", "--json", "--model", TestModelFile.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement info = Assert.Single(r.JsonLines);
        Assert.Equal(["model", "source", "labels", "sample_rate", "feature_set", "extractor_version", "input_length", "input_channels", "members", "license", "speaker_normalization", "test_time_speed_factors", "front_end", "temperature", "card"],
            info.EnumerateObject().Select(p => p.Name));
        Assert.Equal("edge-test-model", info.GetProperty("model").GetString());
        Assert.Equal(TestModelFile.Path, info.GetProperty("source").GetString());
        Assert.Equal(TestModelFile.Labels, info.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(16000, info.GetProperty("sample_rate").GetInt32());
        Assert.Equal("librosa-seed-193", info.GetProperty("feature_set").GetString());
        Assert.Equal(193, info.GetProperty("input_length").GetInt32());
        Assert.Equal("none (random weights)", info.GetProperty("card").GetProperty("training_data").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("speaker_normalization").ValueKind);
        Assert.Equal(JsonValueKind.Null, info.GetProperty("license").ValueKind); // its card states none
        Assert.Equal(JsonValueKind.Null, info.GetProperty("front_end").ValueKind);
        Assert.Equal(1, info.GetProperty("temperature").GetDouble());

        CliResult text = CliRunner.Run("info", "--model", TestModelFile.Path);
        Assert.Contains("license      not stated in the model card: the terms of its training data apply\n", text.Stdout);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("labels       angry, boredom, disgust, fear, happy, sad, neutral\n", text.Stdout);
        Assert.Contains("  training_data: none (random weights)\n", text.Stdout);
        Assert.Contains("speaker norm no\n", text.Stdout);
        Assert.Contains("front end    none (the audio as it is)\n", text.Stdout);
    }

    [Fact]
    public void The_embedded_model_is_the_default()
    {
        if (!EmoSer.Programs.EmbeddedModels.Has())
            Assert.Skip("SKIPPED: weights/multicorpus/model.emow was not present when emoser was built, so there is no embedded model.");
        string weights = Path.Combine(TestData.RepoRoot, "weights", "multicorpus", "model.emow");
        EmotionModel shipped = EmotionModel.Load(weights);
        JsonElement info = CliRunner.Run("info", "--json").JsonLines[0];
        Assert.Equal("embedded", info.GetProperty("source").GetString());
        Assert.Equal(shipped.Name, info.GetProperty("model").GetString());
        Assert.Equal(shipped.Labels, info.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        // The shipped model's licence follows its training data, and says so (model card and info alike): every
        // training corpus is listed with its licence, and the weights' licence names each of those licences.
        using (var card = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestData.RepoRoot, "weights", "multicorpus", "model-card.json"))))
        {
            string license = card.RootElement.GetProperty("license").GetString()!;
            Assert.Equal(license, info.GetProperty("license").GetString());
            JsonElement[] corpora = [.. card.RootElement.GetProperty("training_data").GetProperty("corpora").EnumerateArray()];
            Assert.Equal(2, corpora.Length);
            foreach (JsonElement corpus in corpora)
                Assert.Contains(corpus.GetProperty("license").GetString()!, license, StringComparison.Ordinal);
            Assert.Contains($"license      {license}\n", CliRunner.Run("info").Stdout, StringComparison.Ordinal);
        }
        Assert.True(info.GetProperty("front_end").GetProperty("trim_silence").GetBoolean());
        Assert.Equal(shipped.Temperature, info.GetProperty("temperature").GetSingle());

        string[] files = SomeEmoDbFiles(3);
        JsonElement[] embedded = CliRunner.Run(["classify", "--json", .. files]).JsonLines;
        JsonElement[] byName = CliRunner.Run(["classify", "--json", "--model", "default", .. files]).JsonLines;
        JsonElement[] explicitPath = CliRunner.Run(["classify", "--json", "--model", weights, .. files]).JsonLines;
        for (int i = 0; i < files.Length; i++)
        {
            Assert.Equal(Probabilities(explicitPath[i]), Probabilities(embedded[i]));
            Assert.Equal(Probabilities(explicitPath[i]), Probabilities(byName[i]));
        }
    }

    [Fact]
    public void The_EmoDb_model_is_there_by_name()
    {
        if (!EmoSer.Programs.EmbeddedModels.Has("emodb"))
            Assert.Skip("SKIPPED: weights/model-a.emow was not present when emoser was built.");
        string weights = Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");
        JsonElement info = CliRunner.Run("info", "--json", "--model", "emodb").JsonLines[0];
        Assert.Equal("embedded", info.GetProperty("source").GetString());
        Assert.Equal(["angry", "boredom", "disgust", "fear", "happy", "neutral", "sad"], info.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, info.GetProperty("front_end").ValueKind);
        string[] files = SomeEmoDbFiles(2);
        JsonElement[] byName = CliRunner.Run(["classify", "--json", "--model", "emodb", .. files]).JsonLines;
        JsonElement[] explicitPath = CliRunner.Run(["classify", "--json", "--model", weights, .. files]).JsonLines;
        for (int i = 0; i < files.Length; i++)
            Assert.Equal(Probabilities(explicitPath[i]), Probabilities(byName[i]));
    }

    [Fact]
    public void Min_confidence_answers_uncertain_and_keeps_the_probabilities()
    {
        string[] files = SomeEmoDbFiles(3);
        JsonElement[] plain = CliRunner.Run(["classify", "--json", "--model", TestModelFile.Path, .. files]).JsonLines;
        CliResult all = CliRunner.Run(["classify", "--json", "--min-confidence", "1", "--segment", "0.5", "--model", TestModelFile.Path, .. files]);
        Assert.True(all.ExitCode == 0, all.ToString());
        for (int i = 0; i < files.Length; i++)
        {
            JsonElement line = all.JsonLines[i];
            // Only a probability of exactly 1 reaches a minimum of 1 (the random test model saturates on some inputs).
            string expected = plain[i].GetProperty("confidence").GetSingle() < 1 ? "uncertain" : plain[i].GetProperty("emotion").GetString()!;
            Assert.Equal(expected, line.GetProperty("emotion").GetString());
            Assert.Equal(Probabilities(plain[i]), Probabilities(line));
            Assert.Equal(plain[i].GetProperty("confidence").GetSingle(), line.GetProperty("confidence").GetSingle());
            Assert.All(line.GetProperty("segments").EnumerateArray(), s =>
                Assert.Equal(s.GetProperty("confidence").GetSingle() < 1 ? "uncertain" : s.GetProperty("probabilities").EnumerateObject().MaxBy(p => p.Value.GetSingle()).Name,
                    s.GetProperty("emotion").GetString()));
        }
        // At the top probability itself the label stays; just above it, it does not.
        float top = plain[0].GetProperty("confidence").GetSingle();
        string at = top.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(plain[0].GetProperty("emotion").GetString(),
            CliRunner.Run("classify", "--json", "--min-confidence", at, "--model", TestModelFile.Path, files[0]).JsonLines[0].GetProperty("emotion").GetString());
        int unsure = Array.FindIndex(plain, l => l.GetProperty("confidence").GetSingle() < 1);
        Assert.True(unsure >= 0, "one of the files must be below a probability of 1");
        CliResult table = CliRunner.Run(["classify", "--min-confidence", "1", "--model", TestModelFile.Path, files[unsure]]);
        Assert.Contains(" uncertain ", table.Stdout);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("often")]
    public void A_min_confidence_outside_zero_to_one_is_a_usage_error(string value)
    {
        CliResult r = CliRunner.Run("classify", "--min-confidence", value, "--model", TestModelFile.Path, SomeEmoDbFiles(1)[0]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--min-confidence", r.Stderr);
    }

    [Fact]
    public void The_readme_example_works()
    {
        if (!EmoSer.Programs.EmbeddedModels.Has())
            Assert.Skip("SKIPPED: no embedded model (weights/multicorpus/model.emow missing at build time).");
        string sample = Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");
        CliResult r = CliRunner.Run("classify", sample);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(2, r.Lines.Length);
        Assert.StartsWith(sample, r.Lines[1]);
    }

    private static void AssertClassification(JsonElement line, string file, double duration, Classification expected, string model)
    {
        Assert.Equal(["file", "emotion", "confidence", "probabilities", "duration_s", "model"], line.EnumerateObject().Select(p => p.Name));
        Assert.Equal(file, line.GetProperty("file").GetString());
        Assert.Equal(duration, line.GetProperty("duration_s").GetDouble());
        Assert.Equal(model, line.GetProperty("model").GetString());
        JsonProperty[] probabilities = [.. line.GetProperty("probabilities").EnumerateObject()];
        Assert.Equal(expected.Labels, probabilities.Select(p => p.Name));
        float[] p = [.. probabilities.Select(x => x.Value.GetSingle())];
        Assert.Equal(expected.Probabilities, p);
        Assert.InRange(p.Sum(), 1 - 1e-5, 1 + 1e-5);
        int top = Array.IndexOf(p, p.Max());
        Assert.Equal(expected.Labels[top], line.GetProperty("emotion").GetString());
        Assert.Equal(p[top], line.GetProperty("confidence").GetSingle());
    }

    private static float[] Probabilities(JsonElement element) =>
        [.. element.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];
}
