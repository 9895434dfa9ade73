using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Edge.Tests;

/// <summary>
/// Speaker statistics on the command line: <c>enroll</c>, <c>classify --speaker / --same-speaker</c>,
/// <c>stream --speaker / --no-adapt</c>, the <c>"speaker"</c> JSON field, warnings and errors.
/// </summary>
[Trait("Category", "golden")]
public sealed class SpeakerCommandTests : IDisposable
{
    private const int F = SeedFeatureExtractor.FeatureCount;
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-edge-speaker-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static (string Model, EmotionClassifier Classifier) SpeakerModel()
    {
        TestData.RequireEmoDb();
        string path = SpeakerTestModelFile.Path;
        return (path, new EmotionClassifier(EmotionModel.Load(path)));
    }

    private static SpeakerProfile EnrollInProcess(EmotionClassifier classifier, IEnumerable<string> files)
    {
        var profile = new SpeakerProfile(F);
        foreach (string f in files)
            classifier.Enroll(WavReader.ReadFile(f), profile);
        return profile;
    }

    private static float[] Probabilities(JsonElement line) =>
        [.. line.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];

    private static void AssertSpeaker(JsonElement line, string source, long utterances)
    {
        JsonElement speaker = line.GetProperty("speaker");
        Assert.Equal(source, speaker.GetProperty("source").GetString());
        Assert.Equal(utterances, speaker.GetProperty("utterances").GetInt64());
    }

    private string Enroll(string model, params string[] files)
    {
        string profile = Path.Combine(_dir, "p.json");
        CliResult r = CliRunner.Run(["enroll", "--model", model, "--out", profile, .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return profile;
    }

    [Fact]
    public void Enroll_writes_the_profile_of_the_files_atomically()
    {
        var (model, classifier) = SpeakerModel();
        string[] files = SpeakerTestModelFile.SpeakerFiles("03")[..4];
        string profile = Path.Combine(_dir, "alice.json");
        File.WriteAllText(profile, "old content");
        CliResult r = CliRunner.Run(["enroll", "--model", model, "--out", profile, .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{profile}: 4 utterances (4 inputs), features librosa-seed-193 v1 at 16000 Hz\n", r.Stdout);
        Assert.Equal("", r.Stderr);
        Assert.Equal(["alice.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));

        var saved = SpeakerProfileFile.Load(profile);
        var expected = EnrollInProcess(classifier, files);
        Assert.Equal(4, saved.Profile.Count);
        Assert.Equal(expected.Mean.ToArray(), saved.Profile.Mean.ToArray());
        Assert.Equal(expected.SumSquaredDeviations.ToArray(), saved.Profile.SumSquaredDeviations.ToArray());
        Assert.Equal(("librosa-seed-193", 1, 16000), (saved.FeatureSetId, saved.ExtractorVersion, saved.SampleRate));
    }

    [Fact]
    public void Enroll_skips_silence_and_refuses_all_silent_input()
    {
        var (model, _) = SpeakerModel();
        using TempFile silent = CliRunner.TempFile(TestAudio.Wav16(new short[16000], 16000));
        string file = SpeakerTestModelFile.SpeakerFiles("03")[0];
        string profile = Path.Combine(_dir, "p.json");
        CliResult r = CliRunner.Run("enroll", "--model", model, "--out", profile, file, silent.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{profile}: 1 utterance (2 inputs, 1 silent skipped), features librosa-seed-193 v1 at 16000 Hz\n", r.Stdout);

        string none = Path.Combine(_dir, "none.json");
        r = CliRunner.Run("enroll", "--model", model, "--out", none, silent.Path, silent.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {none}: not written: all 2 inputs are silent (below -50 dBFS), no speech to enroll\n", r.Stderr);
        Assert.False(File.Exists(none));
    }

    [Fact]
    public void Enroll_errors_name_the_file()
    {
        string profile = Path.Combine(_dir, "p.json");
        string missing = Path.Combine(_dir, "missing.wav");
        using TempFile good = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        CliResult r = CliRunner.Run("enroll", "--model", TestModelFile.Path, "--out", profile, missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {missing}: no such file\nemoser: {profile}: not written: the input could not be read\n", r.Stderr);
        Assert.False(File.Exists(profile));
        // The readable inputs still make a profile; the exit code says one failed.
        r = CliRunner.Run("enroll", "--model", TestModelFile.Path, "--out", profile, good.Path, missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {missing}: no such file\nemoser: 1 of 2 inputs could not be processed\n", r.Stderr);
        Assert.True(File.Exists(profile));

        string noFolder = Path.Combine(_dir, "no-such-folder", "p.json");
        r = CliRunner.Run("enroll", "--model", TestModelFile.Path, "--out", noFolder, good.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"emoser: {noFolder}: cannot write: ", r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        r = CliRunner.Run("enroll", "--model", TestModelFile.Path, good.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--out", r.Stderr.Split('\n')[0]);
        Assert.Equal("Run 'emoser enroll --help' for usage.", r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public void Classify_with_a_profile_equals_the_classifier_with_it()
    {
        var (model, classifier) = SpeakerModel();
        string[] files = SpeakerTestModelFile.SpeakerFiles("03");
        string profilePath = Enroll(model, files[..5]);
        var profile = SpeakerProfileFile.Load(profilePath).Profile;
        string[] inputs = files[5..8];
        CliResult r = CliRunner.Run(["classify", "--json", "--model", model, "--speaker", profilePath, .. inputs]);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement[] lines = r.JsonLines;
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            AudioClip clip = WavReader.ReadFile(inputs[i]);
            Assert.Equal(classifier.Classify(clip, profile).Probabilities, Probabilities(lines[i]));
            Assert.NotEqual(classifier.Classify(clip).Probabilities, Probabilities(lines[i]));
            AssertSpeaker(lines[i], "profile", 5);
            // "speaker" follows "model", before "segments".
            Assert.Equal(["file", "emotion", "confidence", "probabilities", "duration_s", "model", "speaker"], lines[i].EnumerateObject().Select(p => p.Name));
        }

        // Segments are classified with the profile too.
        JsonElement segmented = CliRunner.Run("classify", "--json", "--segment", "1", "--model", model, "--speaker", profilePath, inputs[0]).JsonLines[0];
        AudioClip first = WavReader.ReadFile(inputs[0]);
        var expected = classifier.ClassifySegments(first.ToMono(), 16000, 1, profile);
        JsonElement[] segments = [.. segmented.GetProperty("segments").EnumerateArray()];
        Assert.Equal(expected.Count, segments.Length);
        Assert.Equal(expected[0].Classification.Probabilities, Probabilities(segments[0]));
    }

    [Fact]
    public void Info_shows_the_speaker_normalization()
    {
        var (model, _) = SpeakerModel();
        JsonElement info = CliRunner.Run("info", "--json", "--model", model).JsonLines[0];
        Assert.Equal(2f, info.GetProperty("speaker_normalization").GetProperty("prior_weight").GetSingle());
        Assert.Contains("speaker norm yes (prior weight 2 utterances; see --speaker)\n", CliRunner.Run("info", "--model", model).Stdout);
    }

    [Fact]
    public void Without_speaker_options_the_speaker_model_reports_the_population()
    {
        var (model, classifier) = SpeakerModel();
        string file = SpeakerTestModelFile.SpeakerFiles("03")[2];
        JsonElement line = CliRunner.Run("classify", "--json", "--model", model, file).JsonLines[0];
        Assert.Equal(classifier.Classify(WavReader.ReadFile(file)).Probabilities, Probabilities(line));
        AssertSpeaker(line, "population", 0);
    }

    [Fact]
    public void Same_speaker_builds_the_profile_from_the_inputs_first()
    {
        var (model, classifier) = SpeakerModel();
        string[] files = SpeakerTestModelFile.SpeakerFiles("10")[..3];
        byte[] stdinWav = File.ReadAllBytes(files[2]);
        // The last input from standard input: read once, used in both passes.
        CliResult r = CliRunner.Run(stdinWav, "classify", "--json", "--model", model, "--same-speaker", files[0], files[1], "-");
        Assert.True(r.ExitCode == 0, r.ToString());
        var profile = EnrollInProcess(classifier, files);
        JsonElement[] lines = r.JsonLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("<stdin>", lines[2].GetProperty("file").GetString());
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(classifier.Classify(WavReader.ReadFile(files[i]), profile).Probabilities, Probabilities(lines[i]));
            AssertSpeaker(lines[i], "inputs", 3);
        }
    }

    [Fact]
    public void Same_speaker_extracts_each_input_once()
    {
        var (_, classifier) = SpeakerModel();
        string[] files = SpeakerTestModelFile.SpeakerFiles("10")[..3];
        var context = new CliContext(new MemoryStream(File.ReadAllBytes(files[2])), TextWriter.Null, TextWriter.Null);
        long before = classifier.FeatureExtractions;
        var batch = Input.InputBatch.Expand([files[0], files[1], "-"], recursive: false, raw: false, context, jsonErrors: null, streamsResults: false);
        var inputs = Commands.ClassifyCommand.ReadSameSpeaker(classifier, batch, new Commands.ClassifyCommand.Inputs(null, 600), context);
        Assert.Equal(3, classifier.FeatureExtractions - before);
        var expected = EnrollInProcess(new EmotionClassifier(classifier.Model), files);
        Assert.Equal(expected.Count, inputs.Profile.Count);
        Assert.Equal(expected.Mean.ToArray(), inputs.Profile.Mean.ToArray());
        Assert.Equal(expected.SumSquaredDeviations.ToArray(), inputs.Profile.SumSquaredDeviations.ToArray());
        // The second pass classifies the stored vectors: no extraction, the same result as classifying the clip.
        before = classifier.FeatureExtractions;
        for (int i = 0; i < files.Length; i++)
        {
            Assert.Equal(classifier.Classify(WavReader.ReadFile(files[i]), expected).Probabilities,
                classifier.Classify(inputs.Utterances[i]!, inputs.Profile).Probabilities);
        }
        Assert.Equal(files.Length, classifier.FeatureExtractions - before); // only the reference classifications above
    }

    [Fact]
    public void Same_speaker_builds_its_profile_from_the_readable_inputs_and_reports_the_others_in_place()
    {
        var (model, _) = SpeakerModel();
        string good = SpeakerTestModelFile.SpeakerFiles("10")[0];
        string missing = Path.Combine(_dir, "missing.wav");
        CliResult r = CliRunner.Run("classify", "--json", "--model", model, "--same-speaker", missing, good);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"{{\"file\":\"{missing}\",\"error\":\"no such file\"}}", r.Lines[0]);
        Assert.Equal(1, r.JsonLines[1].GetProperty("speaker").GetProperty("utterances").GetInt32());
        Assert.Equal("emoser: 1 of 2 inputs could not be processed\n", r.Stderr);
    }

    [Theory]
    [InlineData(new[] { "classify", "--speaker", "p.json", "--same-speaker", "a.wav" }, "emoser: --speaker and --same-speaker cannot be used together", "classify")]
    [InlineData(new[] { "stream", "--speaker", "p.json", "--no-adapt" }, "emoser: --speaker and --no-adapt cannot be used together", "stream")]
    public void Exclusive_options_are_usage_errors(string[] args, string firstLine, string command)
    {
        CliResult r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        string[] err = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(firstLine, err[0]);
        Assert.Equal($"Run 'emoser {command} --help' for usage.", err[^1]);
    }

    [Fact]
    public void A_model_without_speaker_normalization_warns_and_goes_on()
    {
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 2.0), 16000));
        string profile = Path.Combine(_dir, "p.json");
        CliResult enroll = CliRunner.Run("enroll", "--model", TestModelFile.Path, "--out", profile, wav.Path);
        Assert.True(enroll.ExitCode == 0, enroll.ToString());

        CliResult plain = CliRunner.Run("classify", "--json", "--model", TestModelFile.Path, wav.Path);
        Assert.False(plain.JsonLines[0].TryGetProperty("speaker", out _));
        foreach (string[] option in new[] { new[] { "--speaker", profile }, ["--same-speaker"] })
        {
            CliResult r = CliRunner.Run(["classify", "--json", "--model", TestModelFile.Path, .. option, wav.Path]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal($"emoser: warning: model 'edge-test-model' has no speaker normalization; {option[0]} is ignored\n", r.Stderr);
            Assert.Equal(plain.Stdout, r.Stdout);
        }
        CliResult stream = CliRunner.Run(File.ReadAllBytes(wav.Path), "stream", "--window", "1", "--model", TestModelFile.Path, "--speaker", profile);
        Assert.True(stream.ExitCode == 0, stream.ToString());
        Assert.Equal("emoser: warning: model 'edge-test-model' has no speaker normalization; --speaker is ignored\n", stream.Stderr);
        Assert.All(stream.JsonLines, l => Assert.False(l.TryGetProperty("speaker", out _)));
    }

    [Fact]
    public void Bad_profiles_are_bad_input_naming_the_file()
    {
        var (model, _) = SpeakerModel();
        string wav = SpeakerTestModelFile.SpeakerFiles("03")[0];
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, """{"format":"emoser-speaker-profile","version":1}""");
        CliResult r = CliRunner.Run("classify", "--json", "--model", model, "--speaker", bad, wav);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {bad}: \"feature_set\" is missing\n", r.Stderr);
        Assert.Equal("", r.Stdout);

        string other = Path.Combine(_dir, "other.json");
        new SpeakerProfileFile(new SpeakerProfile(F), "librosa-seed-193", 2, 16000).Save(other);
        r = CliRunner.Run("classify", "--json", "--model", model, "--speaker", other, wav);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {other}: the profile was computed from the features 'librosa-seed-193' version 2 at 16000 Hz, but model 'edge-speaker-model' takes 'librosa-seed-193' version 1 at 16000 Hz\n", r.Stderr);

        string missing = Path.Combine(_dir, "missing.json");
        r = CliRunner.Run(File.ReadAllBytes(wav), "stream", "--model", model, "--speaker", missing);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {missing}: no such file\n", r.Stderr);
        r = CliRunner.Run("classify", "--model", model, "--speaker", _dir, wav);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"emoser: {_dir}: is a directory, not a file\n", r.Stderr);
    }

    [Fact]
    public void Stream_adapts_by_default_and_reports_the_source()
    {
        var (model, classifier) = SpeakerModel();
        string[] files = SpeakerTestModelFile.SpeakerFiles("11");
        float[] audio = [.. files[..4].SelectMany(f => WavReader.ReadFile(f).ToMono())];
        short[] pcm = [.. audio.Select(v => (short)Math.Clamp(Math.Round(v * 32768), short.MinValue, short.MaxValue))];
        byte[] wav = TestAudio.Wav16(pcm, 16000);
        string profilePath = Enroll(model, files[4..7]);

        // In-process reference: the same stream over the same (16-bit) samples.
        List<StreamResult> Reference(StreamSpeaker speaker)
        {
            var stream = new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 1, SilenceDbfs = -50, InputSampleRate = 16000, Speaker = speaker });
            float[] samples = [.. pcm.Select(s => s / 32768f)];
            stream.Push(samples);
            stream.Complete();
            var results = new List<StreamResult>();
            while (stream.TryRead(out var r))
                results.Add(r);
            return results;
        }

        foreach ((string[] options, string source, StreamSpeaker speaker) in new[]
        {
            (Array.Empty<string>(), "adaptive", StreamSpeaker.Adaptive),
            (["--no-adapt"], "population", StreamSpeaker.Population),
            (["--speaker", profilePath], "profile", StreamSpeaker.Fixed(SpeakerProfileFile.Load(profilePath).Profile)),
        })
        {
            CliResult r = CliRunner.Run(wav, ["stream", "--window", "2", "--hop", "1", "--model", model, .. options]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("", r.Stderr);
            JsonElement[] lines = r.JsonLines;
            var expected = Reference(speaker);
            Assert.Equal(expected.Count, lines.Length);
            for (int i = 0; i < lines.Length; i++)
            {
                if (expected[i].Silence)
                {
                    Assert.Equal(JsonValueKind.Null, lines[i].GetProperty("speaker").ValueKind);
                    continue;
                }
                Assert.Equal(expected[i].Probabilities, Probabilities(lines[i]));
                AssertSpeaker(lines[i], source, expected[i].SpeakerUtterances);
                Assert.Equal("speaker", lines[i].EnumerateObject().Last().Name);
            }
            long last = lines.Where(l => l.GetProperty("speaker").ValueKind != JsonValueKind.Null).Last().GetProperty("speaker").GetProperty("utterances").GetInt64();
            Assert.True(source switch { "adaptive" => last >= 2, "population" => last == 0, _ => last == 3 }, $"{source}: {last} utterances");
        }
    }
}
