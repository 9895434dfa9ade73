using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Native.Tests;

/// <summary>
/// Builds examples/c against include/emoser.h and the published libemoser.so, runs them on Emo-DB and compares
/// with the managed classifier: x64 natively, arm64 under qemu-aarch64-static.
/// </summary>
[Trait("Category", "native")]
public sealed class CExampleTests
{
    /// <summary>Float parity of the C library with the managed classifier on the same machine (issue 5).</summary>
    private const float SameArchTolerance = 1e-5f;

    /// <summary>arm64 vs x64: different SIMD widths and FMA contraction change the last bits.</summary>
    private const float CrossArchTolerance = 1e-4f;

    private static readonly Lazy<EmotionClassifier> s_managed = new(() =>
        new EmotionClassifier(EmotionModel.Load(TestData.DefaultModelPath)));

    private static NativeTarget Target(string rid) => rid == "linux-x64" ? NativeTarget.X64 : NativeTarget.Arm64;

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Classify_prints_the_managed_classifiers_probabilities(string rid)
    {
        NativeTarget target = Target(rid);
        target.Require();
        string[] files = EmoDbSelection.OnePerEmotion();
        ProcessResult r = await target.RunExampleAsync("classify", ["--json", .. files]);
        Assert.True(r.ExitCode == 0, r.ToString());
        ClassifyLine[] lines = ClassifyLine.ParseAll(r.StdOut);
        Assert.Equal(files, lines.Select(l => l.File));
        float tolerance = rid == "linux-x64" ? SameArchTolerance : CrossArchTolerance;
        foreach (ClassifyLine line in lines)
        {
            Classification expected = s_managed.Value.Classify(WavReader.ReadFile(line.File));
            Assert.Equal(expected.Labels, line.Labels);
            AssertClose(expected.Probabilities, line.Probabilities, tolerance, $"{rid} {Path.GetFileName(line.File)}");
            Assert.Equal(expected.Emotion, line.Emotion);
        }
    }

    /// <summary>
    /// <c>emoser_model_set_min_confidence</c> through the example: what <c>emoser classify --min-confidence</c> answers,
    /// "uncertain" below the minimum with the same probabilities; <c>emoser_model_load_named("emodb")</c> is the Emo-DB model.
    /// </summary>
    [Fact]
    public async Task Min_confidence_and_named_models_answer_as_the_managed_classifier()
    {
        NativeTarget target = NativeTarget.X64;
        target.Require();
        string[] files = EmoDbSelection.OnePerEmotion();
        ProcessResult all = await target.RunExampleAsync("classify", ["--json", "--min-confidence", "1", .. files]);
        Assert.True(all.ExitCode == 0, all.ToString());
        foreach (ClassifyLine line in ClassifyLine.ParseAll(all.StdOut))
        {
            Classification expected = s_managed.Value.Classify(WavReader.ReadFile(line.File));
            Assert.Equal("uncertain", line.Emotion);
            AssertClose(expected.Probabilities, line.Probabilities, SameArchTolerance, Path.GetFileName(line.File));
        }
        // A minimum between the files' confidences splits them as the managed rule does.
        float[] confidences = files.Select(f => s_managed.Value.Classify(WavReader.ReadFile(f)).Confidence).Order().ToArray();
        float middle = (confidences[confidences.Length / 2 - 1] + confidences[confidences.Length / 2]) / 2;
        ProcessResult some = await target.RunExampleAsync("classify",
            ["--json", "--min-confidence", middle.ToString("R", System.Globalization.CultureInfo.InvariantCulture), .. files]);
        foreach (ClassifyLine line in ClassifyLine.ParseAll(some.StdOut))
            Assert.Equal(s_managed.Value.Classify(WavReader.ReadFile(line.File)).WithMinConfidence(middle).Emotion, line.Emotion);

        var emodb = new EmotionClassifier(EmotionModel.Load(TestData.EmoDbModelPath));
        ProcessResult named = await target.RunExampleAsync("classify", ["--json", "--model-name", "emodb", files[0]]);
        Assert.True(named.ExitCode == 0, named.ToString());
        ClassifyLine one = Assert.Single(ClassifyLine.ParseAll(named.StdOut));
        Classification reference = emodb.Classify(WavReader.ReadFile(files[0]));
        Assert.Equal(reference.Labels, one.Labels);
        AssertClose(reference.Probabilities, one.Probabilities, SameArchTolerance, "emodb");
    }

    /// <summary>The issue's check: the C program prints what the published CLI prints with --json, within 1e-5.</summary>
    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Classify_equals_emoser_classify_json_of_the_same_build(string rid)
    {
        NativeTarget target = Target(rid);
        target.Require();
        string cli = Path.Combine(target.LibraryDir, "emoser");
        if (!File.Exists(cli))
            Assert.Skip($"SKIPPED: {cli} not found; scripts/publish-native.sh {rid} publishes it beside libemoser.so.");
        // Emo-DB (16 kHz mono) plus one file as 22050 Hz stereo, so the down-mix and resampler paths are compared too.
        string stereo = Path.Combine(Path.GetTempPath(), $"emoser-native-stereo22k-{Environment.ProcessId}-{rid}.wav");
        float[] mono = WavReader.ReadFile(EmoDbSelection.OnePerEmotion()[0]).ToMono();
        var interleaved = new float[2 * mono.Length];
        for (int i = 0; i < mono.Length; i++)
        {
            interleaved[2 * i] = mono[i];
            interleaved[2 * i + 1] = MathF.Round(mono[i] * 16384f) / 32768f;
        }
        WavWriter.WriteFile(stereo, interleaved, 22050, 2, WavSampleFormat.Pcm16);
        string[] files = [.. EmoDbSelection.OnePerEmotion(), stereo];
        ProcessResult c = await target.RunExampleAsync("classify", ["--json", .. files]);
        ProcessResult reference = await ProcessRunner.RunAsync([.. target.Runner, cli, "classify", "--json", .. files], null, null, 300);
        File.Delete(stereo);
        Assert.True(c.ExitCode == 0, c.ToString());
        Assert.True(reference.ExitCode == 0, reference.ToString());
        ClassifyLine[] a = ClassifyLine.ParseAll(c.StdOut), b = ClassifyLine.ParseAll(reference.StdOut);
        Assert.Equal(files.Length, a.Length);
        Assert.Equal(files.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(b[i].Labels, a[i].Labels);
            Assert.Equal(b[i].Emotion, a[i].Emotion);
            AssertClose(b[i].Probabilities, a[i].Probabilities, SameArchTolerance, $"{rid} {Path.GetFileName(files[i])}");
        }
    }

    /// <summary>
    /// The deprecated 0.2 calls (handle settings, emoser_classify_file, emoser_stream_new) and the 0.3 params calls give
    /// the same bytes for the same options: the 0.2 API keeps working as a thin layer over the 0.3 one.
    /// </summary>
    [Theory]
    [InlineData("classify", new[] { "--json" })]
    [InlineData("classify", new[] { "--json", "--single-pass", "--min-confidence", "0.5" })]
    [InlineData("stream", new[] { "--window", "2", "--hop", "0.5" })]
    public async Task Deprecated_0_2_calls_print_what_the_0_3_params_calls_print(string program, string[] options)
    {
        NativeTarget target = NativeTarget.X64;
        target.Require();
        string[] files = EmoDbSelection.OnePerEmotion()[..3];
        string? raw = null;
        try
        {
            string[] args = options;
            if (program == "classify")
                args = [.. options, .. files];
            else
                raw = await WriteRawS16Async(files, "api");
            ProcessResult current = await target.RunExampleAsync(program, args, raw);
            ProcessResult old = await target.RunExampleAsync(program, ["--api", "0.2", .. args], raw);
            Assert.True(current.ExitCode == 0, current.ToString());
            Assert.True(old.ExitCode == 0, old.ToString());
            Assert.True(current.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 3, current.ToString());
            Assert.Equal(current.StdOut, old.StdOut);
        }
        finally
        {
            if (raw is not null)
                File.Delete(raw);
        }
    }

    /// <summary>emoser_stream_params' silence threshold and speaker mode reach the runtime: the managed stream with the same settings.</summary>
    [Fact]
    public async Task Stream_params_silence_and_speaker_mode_match_the_managed_EmotionStream()
    {
        NativeTarget target = NativeTarget.X64;
        target.Require();
        // Five utterances, the second and third levelled to -40 dBFS RMS: windows within them are silence under a -30 dBFS
        // gate and speech under the default -50.
        string[] files = EmoDbSelection.OnePerEmotion()[..5];
        string raw = await WriteRawS16Async(files, "params", quiet: [1, 2]);
        try
        {
            ProcessResult r = await target.RunExampleAsync("stream", ["--window", "2", "--hop", "1", "--silence-db", "-30", "--no-adapt"], raw);
            Assert.True(r.ExitCode == 0, r.ToString());
            float[] audio = ReadRawS16(raw);
            List<StreamResult> expected = RunManagedStream(new EmotionStream(s_managed.Value, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 1, SilenceDbfs = -30, InputSampleRate = 16000, Speaker = StreamSpeaker.Population }), audio);
            List<StreamResult> adaptive = RunManagedStream(new EmotionStream(s_managed.Value, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 1, SilenceDbfs = -30, InputSampleRate = 16000, Speaker = StreamSpeaker.Adaptive }), audio);
            List<StreamResult> defaultGate = RunManagedStream(new EmotionStream(s_managed.Value, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 1, SilenceDbfs = -50, InputSampleRate = 16000, Speaker = StreamSpeaker.Population }), audio);
            string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected.Count, lines.Length);
            // The -30 dBFS gate must report windows as silence that the default -50 classifies, or the test could not
            // tell the threshold being ignored.
            Assert.True(expected.Count(e => e.Silence) > defaultGate.Count(e => e.Silence),
                $"{expected.Count(e => e.Silence)} silent windows at -30 dBFS, {defaultGate.Count(e => e.Silence)} at -50");
            Assert.Contains(expected, e => !e.Silence);
            bool differsFromAdaptive = false;
            for (int i = 0; i < lines.Length; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                JsonElement root = doc.RootElement;
                Assert.Equal(expected[i].Silence, root.GetProperty("silence").GetBoolean());
                if (expected[i].Silence)
                    continue;
                float[] probs = [.. root.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];
                AssertClose(expected[i].Probabilities, probs, SameArchTolerance, $"window {i}");
                differsFromAdaptive |= adaptive[i].Probabilities.Zip(probs).Any(p => Math.Abs(p.First - p.Second) > 1e-3);
            }
            Assert.True(differsFromAdaptive || !s_managed.Value.Model.HasSpeakerNormalization,
                "population and adaptive streams agree everywhere: the test would not notice the speaker mode being ignored");
        }
        finally
        {
            File.Delete(raw);
        }
    }

    /// <summary>The files' mono samples back to back as raw s16le; those at the indices in <paramref name="quiet"/> levelled to -40 dBFS RMS.</summary>
    private static async Task<string> WriteRawS16Async(string[] files, string tag, int[]? quiet = null)
    {
        static float[] Level(float[] x, bool quiet) =>
            quiet ? [.. x.Select(v => v * (float)(0.01 / Math.Sqrt(x.Average(s => (double)s * s))))] : x;
        float[] audio = [.. files.SelectMany((f, i) => Level(WavReader.ReadFile(f).ToMono(), quiet?.Contains(i) == true))];
        string raw = Path.Combine(Path.GetTempPath(), $"emoser-native-{tag}-{Environment.ProcessId}.s16");
        await File.WriteAllBytesAsync(raw, [.. audio.SelectMany(s => BitConverter.GetBytes((short)Math.Clamp(Math.Round(s * 32768f), short.MinValue, short.MaxValue)))],
            TestContext.Current.CancellationToken);
        return raw;
    }

    private static float[] ReadRawS16(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var samples = new float[bytes.Length / 2];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
        return samples;
    }

    private static List<StreamResult> RunManagedStream(EmotionStream stream, float[] audio)
    {
        stream.Push(audio);
        stream.Complete();
        var results = new List<StreamResult>();
        while (stream.TryRead(out StreamResult result))
            results.Add(result);
        return results;
    }

    [Fact]
    public async Task Arm64_classify_equals_x64_classify_within_1e4()
    {
        NativeTarget.X64.Require();
        NativeTarget.Arm64.Require();
        string[] files = EmoDbSelection.OnePerEmotion();
        ProcessResult x64 = await NativeTarget.X64.RunExampleAsync("classify", ["--json", .. files]);
        ProcessResult arm64 = await NativeTarget.Arm64.RunExampleAsync("classify", ["--json", .. files]);
        Assert.True(x64.ExitCode == 0, x64.ToString());
        Assert.True(arm64.ExitCode == 0, arm64.ToString());
        ClassifyLine[] a = ClassifyLine.ParseAll(x64.StdOut), b = ClassifyLine.ParseAll(arm64.StdOut);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Labels, b[i].Labels);
            AssertClose(a[i].Probabilities, b[i].Probabilities, CrossArchTolerance, Path.GetFileName(a[i].File));
        }
    }

    [Theory]
    [InlineData("linux-x64", 8, 50, 20)]
    [InlineData("linux-arm64", 8, 4, 8)] // qemu runs arm64 code ~10x slower: fewer utterances, same 8 threads
    public async Task Threads_sharing_one_model_get_the_single_threaded_results(string rid, int threads, int perThread, int files)
    {
        NativeTarget target = Target(rid);
        target.Require();
        ProcessResult r = await target.RunExampleAsync("threads",
            ["--threads", $"{threads}", "--per-thread", $"{perThread}", .. EmoDbSelection.First(files)]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"{threads} threads x {perThread} utterances ({files} files): {threads * perThread} classifications, 0 failed, 0 differ from single-threaded", r.StdOut);
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Speaker_enrolls_saves_loads_and_classifies_like_the_managed_classifier(string rid)
    {
        NativeTarget target = Target(rid);
        target.Require();
        TestData.RequireEmoDb();
        string dir = Directory.CreateTempSubdirectory($"emoser-native-speaker-{rid}-").FullName;
        try
        {
            ModelDefinition definition = ProfileTests.SpeakerModelDefinition;
            string modelPath = Path.Combine(dir, "speaker.emow");
            ModelFileWriter.Write(definition, modelPath);
            string profilePath = Path.Combine(dir, "alice.json");
            string[] files = [.. TestData.EmoDbFiles().Where(f => Path.GetFileName(f).StartsWith("03", StringComparison.Ordinal)).Take(7)];
            ProcessResult r = await target.RunExampleAsync("speaker", ["--json", "--model", modelPath, "--profile", profilePath, "--enroll", "4", .. files]);
            Assert.True(r.ExitCode == 0, r.ToString());
            string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, lines.Length);
            using (var header = JsonDocument.Parse(lines[0]))
            {
                Assert.Equal(profilePath, header.RootElement.GetProperty("profile").GetString());
                Assert.Equal(4, header.RootElement.GetProperty("utterances").GetInt64());
                Assert.Equal(4, header.RootElement.GetProperty("enrollment_files").GetInt32());
            }
            // The saved file is the runtime's profile format, written atomically (no temporary file left beside it).
            Assert.Equal(["alice.json", "speaker.emow"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var managed = new EmotionClassifier(EmotionModel.FromDefinition(definition));
            var expectedProfile = new SpeakerProfile(definition.InputLength);
            foreach (string f in files[..4])
                Assert.True(managed.Enroll(WavReader.ReadFile(f), expectedProfile));
            SpeakerProfileFile saved = SpeakerProfileFile.Load(profilePath);
            Assert.Equal(4, saved.Profile.Count);
            for (int i = 0; i < definition.InputLength; i++)
            {
                double m = expectedProfile.Mean[i];
                Assert.True(Math.Abs(saved.Profile.Mean[i] - m) <= 1e-4 * Math.Max(1, Math.Abs(m)), $"{rid} mean[{i}]: {saved.Profile.Mean[i]:R} vs managed {m:R}");
            }

            float tolerance = rid == "linux-x64" ? SameArchTolerance : CrossArchTolerance;
            int changed = 0;
            for (int k = 0; k < 3; k++)
            {
                ClassifyLine line = ClassifyLine.Parse(lines[k + 1]);
                Assert.Equal(files[4 + k], line.File);
                AudioClip clip = WavReader.ReadFile(line.File);
                Classification expected = managed.Classify(clip, expectedProfile);
                Assert.Equal(expected.Labels, line.Labels);
                AssertClose(expected.Probabilities, line.Probabilities, tolerance, $"{rid} {Path.GetFileName(line.File)} with the profile");
                using var doc = JsonDocument.Parse(lines[k + 1]);
                float[] population = [.. doc.RootElement.GetProperty("population_probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];
                float[] expectedPopulation = managed.Classify(clip).Probabilities;
                AssertClose(expectedPopulation, population, tolerance, $"{rid} {Path.GetFileName(line.File)} without");
                if (expected.Probabilities.Zip(expectedPopulation).Any(p => Math.Abs(p.First - p.Second) > 1e-3))
                    changed++;
            }
            Assert.True(changed > 0, "the profile never changed a result: the comparison would not notice a profile being ignored");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Misuse_gives_error_codes_and_messages_never_a_crash(string rid)
    {
        NativeTarget target = Target(rid);
        target.Require();
        ProcessResult r = await target.RunExampleAsync("misuse", []);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("FAIL", r.StdOut);
        Assert.Matches(@"misuse: \d+ checks, 0 failed", r.StdOut);
        // A few of the checks, with the exact status and message (the handle values are fixed by the call order).
        Assert.Contains("ok   classify_f32(NULL samples): status -1 (want -1): samples is NULL", r.StdOut);
        Assert.Contains("ok   model_free(again): status -3 (want -3): model handle 0xe100000200000002 was already freed", r.StdOut);
        Assert.Contains("ok   sample_rate(foreign handle): status -3 (want -3): 0x0000000012345678 is not a model handle", r.StdOut);
        int labels = EmotionModel.Load(TestData.DefaultModelPath).Labels.Count; // the embedded default model's
        Assert.Contains($"ok   classify_f32(short probs buffer): status -4 (want -4): probs_len is {labels - 1} but the model has {labels} labels", r.StdOut);
        Assert.Contains("ok   stream call with a model handle: status -3 (want -3): 0xe100000100000001 is a model handle, not a stream handle", r.StdOut);
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Stream_of_raw_s16_stdin_matches_the_managed_EmotionStream(string rid)
    {
        NativeTarget target = Target(rid);
        target.Require();
        // Four utterances back to back (~10 s): several 3 s windows every 1 s, plus a flushed partial window.
        string[] files = EmoDbSelection.OnePerEmotion()[..4];
        float[] audio = files.SelectMany(f => WavReader.ReadFile(f).ToMono()).ToArray();
        string raw = Path.Combine(Path.GetTempPath(), $"emoser-native-stream-{Environment.ProcessId}-{rid}.s16");
        await File.WriteAllBytesAsync(raw, audio.SelectMany(s => BitConverter.GetBytes((short)Math.Round(s * 32768f))).ToArray(), TestContext.Current.CancellationToken);
        try
        {
            ProcessResult r = await target.RunExampleAsync("stream", ["--rate", "16000", "--window", "3", "--hop", "1"], raw);
            Assert.True(r.ExitCode == 0, r.ToString());

            var stream = new EmotionStream(s_managed.Value, new EmotionStreamOptions { WindowSeconds = 3, HopSeconds = 1, SilenceDbfs = -50, InputSampleRate = 16000 });
            stream.Push(audio);
            stream.Complete();
            var expected = new List<StreamResult>();
            while (stream.TryRead(out StreamResult result))
                expected.Add(result);

            string[] lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(expected.Count >= 5, $"only {expected.Count} managed stream results");
            Assert.Equal(expected.Count, lines.Length);
            float tolerance = rid == "linux-x64" ? SameArchTolerance : CrossArchTolerance;
            for (int i = 0; i < lines.Length; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                JsonElement root = doc.RootElement;
                Assert.Equal(expected[i].Start, root.GetProperty("start").GetDouble(), 1e-5);
                Assert.Equal(expected[i].End, root.GetProperty("end").GetDouble(), 1e-5);
                Assert.Equal(expected[i].Silence, root.GetProperty("silence").GetBoolean());
                if (expected[i].Silence)
                    continue;
                Assert.Equal(expected[i].Emotion, root.GetProperty("emotion").GetString());
                float[] probs = root.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
                AssertClose(expected[i].Probabilities, probs, tolerance, $"{rid} window {i}");
            }
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= tolerance, $"{what}: probability {i} is {actual[i]:R}, expected {expected[i]:R} (|diff| {diff:G3} > {tolerance:G})");
        }
    }
}
