using System.Net.Http.Headers;
using System.Text.Json;
using EmoSer.Serve;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The seed's calls and uploads against the real server with the shipped model and Emo-DB: IDs in a stable
/// order, the exact range error, WAVs at 16, 44.1 and 48 kHz in mono and stereo, multipart, raw PCM, timelines.
/// </summary>
[Trait("Category", "golden")]
public sealed class PredictTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ServeTestServer> StartAsync()
    {
        string data = TestData.RequireEmoDb();
        return StartRealAsync(new ServeOptions { DataDir = data });
    }

    private static ByteArrayContent Wav(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        return content;
    }

    private static void AssertProbabilities(JsonElement json, IReadOnlyList<string> labels)
    {
        var probs = json.GetProperty("probabilities").EnumerateObject().ToArray();
        Assert.Equal(labels, probs.Select(p => p.Name));
        double sum = probs.Sum(p => p.Value.GetDouble());
        Assert.InRange(sum, 0.999, 1.001);
        var top = probs.MaxBy(p => p.Value.GetDouble());
        Assert.Equal(top.Name, json.GetProperty("predicted_emotion").GetString());
        Assert.Equal(top.Value.GetDouble(), json.GetProperty("confidence").GetDouble(), 6);
    }

    private static async Task<string[]> LabelsAsync(ServeTestServer server) =>
        (await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToArray();

    [Fact]
    public async Task Get_predict_lists_the_corpus_sorted_with_true_labels()
    {
        await using var server = await StartAsync();
        string[] files = TestData.EmoDbFiles().Select(Path.GetFileName).ToArray()!;
        var json = await JsonAsync(await server.Client.GetAsync("/predict", Ct));
        Assert.Equal(files.Length, json.GetProperty("count").GetInt32());
        var entries = json.GetProperty("files").EnumerateArray().ToArray();
        Assert.Equal(files, entries.Select(e => e.GetProperty("file").GetString()));
        Assert.Equal(Enumerable.Range(0, files.Length), entries.Select(e => e.GetProperty("id").GetInt32()));
        var first = entries[0];
        Assert.Equal("03", first.GetProperty("speaker").GetString());
        string letter = files[0][5..6];
        string expected = new Dictionary<string, string> { ["W"] = "angry", ["L"] = "boredom", ["E"] = "disgust", ["A"] = "fear", ["F"] = "happy", ["T"] = "sad", ["N"] = "neutral" }[letter];
        Assert.Equal(expected, first.GetProperty("true_emotion").GetString());
    }

    [Fact]
    public async Task Predict_id_5_classifies_the_sixth_file_like_an_upload_of_it()
    {
        await using var server = await StartAsync();
        string file = TestData.EmoDbFiles()[5];
        var response = await server.Client.GetAsync("/predict?ID=5", Ct);
        var json = await JsonAsync(response);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(5, json.GetProperty("id").GetInt32());
        Assert.Equal(Path.GetFileName(file), json.GetProperty("file").GetString());
        Assert.Equal(DatasetIndex.ParseEmoDbName(Path.GetFileName(file)).Emotion, json.GetProperty("true_emotion").GetString());
        Assert.StartsWith("model-a.emow@", json.GetProperty("model").GetString());
        AssertProbabilities(json, await LabelsAsync(server));

        var upload = await JsonAsync(await server.Client.PostAsync("/predict", Wav(File.ReadAllBytes(file)), Ct));
        Assert.Equal(json.GetProperty("probabilities").GetRawText(), upload.GetProperty("probabilities").GetRawText());
    }

    [Fact]
    public async Task Min_confidence_answers_uncertain_below_it_and_keeps_the_probabilities()
    {
        await using var server = await StartAsync();
        byte[] wav = File.ReadAllBytes(TestData.EmoDbFiles()[7]);
        var plain = await JsonAsync(await server.Client.PostAsync("/predict", Wav(wav), Ct));
        var strict = await JsonAsync(await server.Client.PostAsync("/predict?min_confidence=1&segment=1", Wav(wav), Ct));
        Assert.Equal("uncertain", strict.GetProperty("predicted_emotion").GetString());
        Assert.Equal(plain.GetProperty("probabilities").GetRawText(), strict.GetProperty("probabilities").GetRawText());
        Assert.Equal(plain.GetProperty("confidence").GetDouble(), strict.GetProperty("confidence").GetDouble());
        Assert.All(strict.GetProperty("timeline").EnumerateArray(), s => Assert.Equal("uncertain", s.GetProperty("predicted_emotion").GetString()));
        var lenient = await JsonAsync(await server.Client.PostAsync("/predict?min_confidence=0", Wav(wav), Ct));
        Assert.Equal(plain.GetProperty("predicted_emotion").GetString(), lenient.GetProperty("predicted_emotion").GetString());
        var byId = await JsonAsync(await server.Client.GetAsync("/predict?ID=7&min_confidence=1", Ct));
        Assert.Equal("uncertain", byId.GetProperty("predicted_emotion").GetString());
        foreach (string bad in new[] { "2", "-1", "x", "NaN" })
            await AssertErrorAsync(await server.Client.PostAsync($"/predict?min_confidence={bad}", Wav(wav), Ct), 400, "min_confidence must be one number in [0, 1]");
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("535")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("5.0")]
    [InlineData("99999999999999999999")]
    public async Task Bad_ids_get_400_with_the_exact_range(string id)
    {
        await using var server = await StartAsync();
        int count = TestData.EmoDbFiles().Length;
        await AssertErrorAsync(await server.Client.GetAsync($"/predict?ID={Uri.EscapeDataString(id)}", Ct), 400, $"ID must be an integer in [0, {count})");
    }

    [Fact]
    public async Task Last_valid_id_is_count_minus_one()
    {
        await using var server = await StartAsync();
        int count = TestData.EmoDbFiles().Length;
        var json = await JsonAsync(await server.Client.GetAsync($"/predict?ID={count - 1}", Ct));
        Assert.Equal(Path.GetFileName(TestData.EmoDbFiles()[^1]), json.GetProperty("file").GetString());
    }

    [Fact]
    public async Task Wavs_at_16_44_1_and_48_khz_mono_and_stereo_are_resampled_and_classified_like_the_runtime()
    {
        await using var server = await StartAsync();
        string[] labels = await LabelsAsync(server);
        var engine = ModelEngines.Factory(RealModel.Weights(), "model-a.emow", "direct");
        foreach (string file in TestData.EmoDbFiles().Where((_, i) => i % 100 == 3))
        {
            float[] mono = WavReader.ReadFile(file).ToMono();
            var original = await JsonAsync(await server.Client.PostAsync("/predict", Wav(File.ReadAllBytes(file)), Ct));
            foreach (int rate in new[] { 16000, 44100, 48000 })
            {
                foreach (int channels in new[] { 1, 2 })
                {
                    byte[] wav = TestAudio.Convert(mono, rate, channels);
                    var response = await server.Client.PostAsync("/predict", Wav(wav), Ct);
                    var json = await JsonAsync(response);
                    string what = $"{Path.GetFileName(file)} at {rate} Hz x{channels}";
                    Assert.True(200 == (int)response.StatusCode, what);
                    Assert.Equal(rate, json.GetProperty("sample_rate").GetInt32());
                    Assert.Equal(channels, json.GetProperty("channels").GetInt32());
                    Assert.Equal((double)mono.Length / 16000, json.GetProperty("duration_seconds").GetDouble(), 2);
                    AssertProbabilities(json, labels);
                    // The server hands the decoded, down-mixed audio to the runtime unchanged.
                    var clip = WavReader.Read(new MemoryStream(wav), what);
                    float[] expected = engine.Classify(clip.ToMono(), clip.SampleRate);
                    for (int k = 0; k < labels.Length; k++)
                        Assert.Equal(expected[k], json.GetProperty("probabilities").GetProperty(labels[k]).GetSingle(), 5);
                    if (rate == 16000 && channels == 1)
                        Assert.Equal(original.GetProperty("probabilities").GetRawText(), json.GetProperty("probabilities").GetRawText());
                }
            }
        }
    }

    /// <summary>
    /// <c>--single-pass</c> serves the same model without its test-time speed copies: every upload gets exactly the
    /// runtime's single-pass probabilities, which differ from the default server's.
    /// </summary>
    [Fact]
    public async Task Single_pass_server_classifies_without_the_speed_copies()
    {
        var options = new ServeOptions { SinglePass = true };
        Assert.Same(ModelEngines.SinglePassFactory, ModelEngines.For(options));
        Assert.Same(ModelEngines.Factory, ModelEngines.For(new ServeOptions()));
        var model = EmoSer.Runtime.Model.EmotionModel.Load(RealModel.Weights(), "model-a.emow");
        Assert.NotEmpty(model.TestTimeSpeedFactors);
        string file = Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");
        var clip = WavReader.ReadFile(file);
        float[] single = new EmoSer.Runtime.Classifier.EmotionClassifier(model, testTimeSpeedCopies: false).Classify(clip).Probabilities;
        float[] copies = new EmoSer.Runtime.Classifier.EmotionClassifier(model).Classify(clip).Probabilities;
        Assert.NotEqual(single, copies);
        foreach (var (serverOptions, expected) in new[] { (options, single), (new ServeOptions(), copies) })
        {
            await using var server = await ServeTestServer.StartAsync(RealModel.Weights(), ModelEngines.For(serverOptions), serverOptions);
            string[] labels = await LabelsAsync(server);
            var json = await JsonAsync(await server.Client.PostAsync("/predict", Wav(File.ReadAllBytes(file)), Ct));
            AssertProbabilities(json, labels);
            for (int k = 0; k < labels.Length; k++)
                Assert.Equal(expected[k], json.GetProperty("probabilities").GetProperty(labels[k]).GetSingle());
        }
    }

    [Fact]
    public async Task Multipart_and_raw_pcm_give_the_same_answer_as_the_wav()
    {
        await using var server = await StartAsync();
        string file = TestData.EmoDbFiles()[7];
        byte[] bytes = File.ReadAllBytes(file);
        var wav = await JsonAsync(await server.Client.PostAsync("/predict", Wav(bytes), Ct));

        var form = new MultipartFormDataContent { { new StringContent("note"), "comment" }, { Wav(bytes), "file", Path.GetFileName(file) } };
        var multipart = await JsonAsync(await server.Client.PostAsync("/predict", form, Ct));
        Assert.Equal(wav.GetProperty("probabilities").GetRawText(), multipart.GetProperty("probabilities").GetRawText());

        // The same samples as headerless s16le (Emo-DB is 16-bit PCM: the data chunk starts after the 44-byte header).
        float[] mono = WavReader.ReadFile(file).ToMono();
        var pcm = new byte[mono.Length * 2];
        for (int i = 0; i < mono.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)Math.Round(mono[i] * 32768));
        var raw = new ByteArrayContent(pcm);
        raw.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        var rawJson = await JsonAsync(await server.Client.PostAsync("/predict?rate=16000&channels=1&format=s16le", raw, Ct));
        Assert.Equal(wav.GetProperty("probabilities").GetRawText(), rawJson.GetProperty("probabilities").GetRawText());

        var f32 = new byte[mono.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(mono.AsSpan()).CopyTo(f32);
        var f32Content = new ByteArrayContent(f32);
        var f32Json = await JsonAsync(await server.Client.PostAsync("/predict?rate=16000&format=f32le", f32Content, Ct));
        Assert.Equal(wav.GetProperty("predicted_emotion").GetString(), f32Json.GetProperty("predicted_emotion").GetString());
    }

    [Fact]
    public async Task Segment_gives_a_contiguous_timeline_over_long_audio()
    {
        await using var server = await StartAsync();
        // Four utterances of different emotions back to back (about 10 s).
        string[] files = TestData.EmoDbFiles();
        var picks = new[] { "W", "T", "F", "N" }.Select(letter => files.First(f => Path.GetFileName(f)[5..6] == letter)).ToArray();
        float[] joined = picks.SelectMany(f => WavReader.ReadFile(f).ToMono()).ToArray();
        var json = await JsonAsync(await server.Client.PostAsync("/predict?segment=2", Wav(TestAudio.Wav(joined, 16000, 1)), Ct));
        var segments = json.GetProperty("timeline").EnumerateArray().ToArray();
        double duration = joined.Length / 16000.0;
        int expected = (int)Math.Floor(duration / 2) + (duration % 2 >= 1 ? 1 : 0);
        Assert.Equal(expected, segments.Length);
        Assert.Equal(0, segments[0].GetProperty("start").GetDouble());
        for (int i = 1; i < segments.Length; i++)
            Assert.Equal(segments[i - 1].GetProperty("end").GetDouble(), segments[i].GetProperty("start").GetDouble());
        Assert.Equal(duration, segments[^1].GetProperty("end").GetDouble(), 6);
        string[] labels = await LabelsAsync(server);
        foreach (var s in segments)
            AssertProbabilities(s, labels);
        // Without ?segment there is no timeline.
        var plain = await JsonAsync(await server.Client.PostAsync("/predict", Wav(TestAudio.Wav(joined, 16000, 1)), Ct));
        Assert.False(plain.TryGetProperty("timeline", out _));
    }

    [Fact]
    public async Task Segment_tail_shorter_than_half_a_segment_joins_the_last_segment_as_in_the_cli()
    {
        await using var server = await StartProbeAsync();
        // 10.7 s in 2 s segments: the 0.7 s tail is under half a segment (1 s), so 5 segments, the last 2.7 s long.
        float[] tone = TestAudio.Tone(10.7, 16000);
        var json = await JsonAsync(await server.Client.PostAsync("/predict?segment=2", Wav(TestAudio.Wav(tone, 16000, 1)), Ct));
        var segments = json.GetProperty("timeline").EnumerateArray().Select(s => (s.GetProperty("start").GetDouble(), s.GetProperty("end").GetDouble())).ToArray();
        var expected = EmoSer.Runtime.Classifier.TimelineSegments.Bounds(tone.Length, 32000).Select(b => (b.Start / 16000.0, b.End / 16000.0)).ToArray();
        Assert.Equal(5, expected.Length);
        Assert.Equal(expected, segments);
        Assert.Equal((8.0, 10.7), segments[^1]);
    }

    [Fact]
    public async Task Get_train_shows_the_served_model_and_its_card()
    {
        await using var server = await StartAsync();
        var json = await JsonAsync(await server.Client.GetAsync("/train", Ct));
        Assert.StartsWith("model-a.emow@", json.GetProperty("version").GetString());
        Assert.Equal(7, json.GetProperty("labels").GetArrayLength());
        Assert.Equal(16000, json.GetProperty("sample_rate").GetInt32());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("model_card").ValueKind);
        Assert.Equal(JsonValueKind.Object, json.GetProperty("reports").ValueKind);
    }
}
