using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EmoSer.Serve;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using Microsoft.Extensions.DependencyInjection;
using static EmoSer.Serve.Tests.ServeTestServer;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve.Tests;

/// <summary>
/// Speaker sessions: <c>POST /predict?speaker=</c> (query or form field) classifies with the speaker's profile so far and
/// then enrolls the clip; <c>/speakers/{id}</c> GET/PUT/DELETE and <c>/profile</c>; id validation; the LRU bound;
/// profiles dropped when a swap brings other features; metrics.
/// </summary>
[Trait("Category", "golden")]
public sealed class SpeakerSessionTests
{
    private const int F = SeedFeatureExtractor.FeatureCount;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ServeTestServer> StartSpeakerAsync(ServeOptions? options = null) =>
        StartAsync(SpeakerServeModel.Weights(), ModelEngines.Factory, options, "speaker.emow");

    private static EmotionClassifier Classifier() => new(EmotionModel.Load(SpeakerServeModel.Weights(), "speaker.emow"));

    private static ByteArrayContent Wav(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        return content;
    }

    private static MultipartFormDataContent Form(byte[] wav, string? speaker, bool speakerFirst = true)
    {
        var form = new MultipartFormDataContent();
        if (speaker is not null && speakerFirst)
            form.Add(new StringContent(speaker), "speaker");
        form.Add(Wav(wav), "file", "clip.wav");
        if (speaker is not null && !speakerFirst)
            form.Add(new StringContent(speaker), "speaker");
        return form;
    }

    private static ByteArrayContent Json(byte[] utf8)
    {
        var content = new ByteArrayContent(utf8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        return content;
    }

    private static float[] Probabilities(JsonElement json) =>
        [.. json.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle())];

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"{what}: probability {i} is {actual[i]}, expected {expected[i]}");
    }

    private static void AssertSpeaker(JsonElement json, string id, string source, long utterances, bool enrolled)
    {
        var speaker = json.GetProperty("speaker");
        Assert.Equal(id, speaker.GetProperty("id").GetString());
        Assert.Equal(source, speaker.GetProperty("source").GetString());
        Assert.Equal(utterances, speaker.GetProperty("utterances").GetInt64());
        Assert.Equal(enrolled, speaker.GetProperty("enrolled").GetBoolean());
    }

    private static byte[] ProfileJson(SpeakerProfile profile, string featureSet = "librosa-seed-193", int sampleRate = 16000) =>
        new SpeakerProfileFile(profile, featureSet, SeedFeatureExtractor.Version, sampleRate).ToUtf8();

    private static SpeakerProfile Enrolled(EmotionClassifier classifier, IEnumerable<string> files)
    {
        var profile = new SpeakerProfile(F);
        foreach (string f in files)
            Assert.True(classifier.Enroll(WavReader.ReadFile(f), profile));
        return profile;
    }

    [Fact]
    public async Task Each_upload_is_classified_with_the_profile_so_far_then_enrolled()
    {
        await using var server = await StartSpeakerAsync();
        var classifier = Classifier();
        string[] files = SpeakerServeModel.SpeakerFiles("03")[..3];
        var expectedProfile = new SpeakerProfile(F);
        // The three request shapes: query with a WAV body, form field before the file, form field after it plus the same query.
        for (int i = 0; i < files.Length; i++)
        {
            byte[] wav = File.ReadAllBytes(files[i]);
            HttpResponseMessage response = i switch
            {
                0 => await server.Client.PostAsync("/predict?speaker=x", Wav(wav), Ct),
                1 => await server.Client.PostAsync("/predict", Form(wav, "x"), Ct),
                _ => await server.Client.PostAsync("/predict?speaker=x&segment=1", Form(wav, "x", speakerFirst: false), Ct),
            };
            var json = await JsonAsync(response);
            Assert.True(response.IsSuccessStatusCode, json.GetRawText());
            AudioClip clip = WavReader.ReadFile(files[i]);
            float[] expected = classifier.Classify(clip, expectedProfile).Probabilities;
            AssertClose(expected, Probabilities(json), Path.GetFileName(files[i]));
            AssertSpeaker(json, "x", i == 0 ? "population" : "profile", i, enrolled: true);
            if (i == 0)
                AssertClose(classifier.Classify(clip).Probabilities, Probabilities(json), "no profile is the population statistics");
            else
                Assert.NotEqual(classifier.Classify(clip).Probabilities, Probabilities(json));
            if (i == 2)
            {
                // Timeline segments use the same statistics as the whole clip.
                var first = json.GetProperty("timeline")[0];
                int end = (int)Math.Round(first.GetProperty("end").GetDouble() * 16000);
                AssertClose(classifier.Classify(clip.ToMono().AsSpan(0, end), 16000, expectedProfile).Probabilities, Probabilities(first), "segment 0");
            }
            classifier.Enroll(clip, expectedProfile);
        }

        var info = await JsonAsync(await server.Client.GetAsync("/speakers/x", Ct));
        Assert.Equal("""{"id":"x","utterances":3,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000}""", info.GetRawText());
        var response2 = await server.Client.GetAsync("/speakers/x/profile", Ct);
        Assert.Equal("application/json; charset=utf-8", response2.Content.Headers.ContentType?.ToString());
        var saved = SpeakerProfileFile.Parse(await response2.Content.ReadAsByteArrayAsync(Ct), "profile");
        Assert.Equal(3, saved.Profile.Count);
        Assert.Equal(expectedProfile.Mean.ToArray(), saved.Profile.Mean.ToArray());
        Assert.Equal(expectedProfile.SumSquaredDeviations.ToArray(), saved.Profile.SumSquaredDeviations.ToArray());

        // Another speaker id starts from the population statistics.
        var other = await JsonAsync(await server.Client.PostAsync("/predict?speaker=y", Wav(File.ReadAllBytes(files[0])), Ct));
        AssertSpeaker(other, "y", "population", 0, enrolled: true);
        // Without an id nothing changes and there is no speaker member.
        var plain = await JsonAsync(await server.Client.PostAsync("/predict", Wav(File.ReadAllBytes(files[0])), Ct));
        Assert.False(plain.TryGetProperty("speaker", out _));
        Assert.Equal(3, (await JsonAsync(await server.Client.GetAsync("/speakers/x", Ct))).GetProperty("utterances").GetInt64());
    }

    [Fact]
    public async Task A_speaker_upload_extracts_its_features_once()
    {
        await using var server = await StartSpeakerAsync(new ServeOptions { DataDir = EmoSer.Tests.Shared.TestData.RequireEmoDb() });
        var engine = Assert.IsType<RuntimeEngine>(server.App.Services.GetRequiredService<ModelHolder>().Current.Engine);
        var classifier = Classifier();
        string[] files = EmoSer.Tests.Shared.TestData.EmoDbFiles()[..3];
        var expectedProfile = new SpeakerProfile(F);
        // The upload and the dataset endpoint, each classified with the profile so far and then enrolled: one extraction apiece.
        for (int i = 0; i < files.Length; i++)
        {
            long before = engine.Classifier.FeatureExtractions;
            HttpResponseMessage response = i == 1
                ? await server.Client.GetAsync("/predict?ID=1&speaker=once", Ct)
                : await server.Client.PostAsync("/predict?speaker=once", Wav(File.ReadAllBytes(files[i])), Ct);
            var json = await JsonAsync(response);
            Assert.True(response.IsSuccessStatusCode, json.GetRawText());
            Assert.Equal(1, engine.Classifier.FeatureExtractions - before);
            AudioClip clip = WavReader.ReadFile(files[i]);
            Assert.Equal(classifier.Classify(clip, expectedProfile).Probabilities, Probabilities(json));
            AssertSpeaker(json, "once", i == 0 ? "population" : "profile", i, enrolled: true);
            Assert.True(classifier.Enroll(clip, expectedProfile));
        }
        var saved = SpeakerProfileFile.Parse(await server.Client.GetByteArrayAsync("/speakers/once/profile", Ct), "profile");
        Assert.Equal(expectedProfile.Count, saved.Profile.Count);
        Assert.Equal(expectedProfile.Mean.ToArray(), saved.Profile.Mean.ToArray());
        Assert.Equal(expectedProfile.SumSquaredDeviations.ToArray(), saved.Profile.SumSquaredDeviations.ToArray());

        // Silence: one extraction, classified, not enrolled.
        long start = engine.Classifier.FeatureExtractions;
        var quiet = await JsonAsync(await server.Client.PostAsync("/predict?speaker=once", Wav(TestAudio.Wav(new float[16000], 16000, 1)), Ct));
        Assert.Equal(1, engine.Classifier.FeatureExtractions - start);
        AssertSpeaker(quiet, "once", "profile", 3, enrolled: false);
    }

    [Fact]
    public async Task Silent_uploads_are_classified_but_not_enrolled()
    {
        await using var server = await StartSpeakerAsync();
        byte[] silence = TestAudio.Wav(new float[16000], 16000, 1);
        var json = await JsonAsync(await server.Client.PostAsync("/predict?speaker=quiet", Wav(silence), Ct));
        AssertSpeaker(json, "quiet", "population", 0, enrolled: false);
        var speech = File.ReadAllBytes(SpeakerServeModel.SpeakerFiles("03")[0]);
        json = await JsonAsync(await server.Client.PostAsync("/predict?speaker=quiet", Wav(speech), Ct));
        AssertSpeaker(json, "quiet", "population", 0, enrolled: true);
        json = await JsonAsync(await server.Client.PostAsync("/predict?speaker=quiet", Wav(silence), Ct));
        AssertSpeaker(json, "quiet", "profile", 1, enrolled: false);
        Assert.Equal(1, (await JsonAsync(await server.Client.GetAsync("/speakers/quiet", Ct))).GetProperty("utterances").GetInt64());
    }

    [Fact]
    public async Task Dataset_predictions_take_a_speaker_too()
    {
        string data = EmoSer.Tests.Shared.TestData.RequireEmoDb();
        await using var server = await StartSpeakerAsync(new ServeOptions { DataDir = data });
        var first = await JsonAsync(await server.Client.GetAsync("/predict?ID=0&speaker=d", Ct));
        AssertSpeaker(first, "d", "population", 0, enrolled: true);
        var second = await JsonAsync(await server.Client.GetAsync("/predict?ID=1&speaker=d", Ct));
        AssertSpeaker(second, "d", "profile", 1, enrolled: true);
        var classifier = Classifier();
        string[] files = EmoSer.Tests.Shared.TestData.EmoDbFiles();
        var profile = Enrolled(classifier, [files[0]]);
        AssertClose(classifier.Classify(WavReader.ReadFile(files[1]), profile).Probabilities, Probabilities(second), "ID=1");
    }

    [Fact]
    public async Task Concurrent_uploads_for_one_speaker_all_count()
    {
        await using var server = await StartSpeakerAsync();
        byte[] wav = File.ReadAllBytes(SpeakerServeModel.SpeakerFiles("03")[0]);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.Client.PostAsync("/predict?speaker=busy", Wav(wav), Ct)));
        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        var counts = new List<long>();
        foreach (var r in responses)
            counts.Add((await JsonAsync(r)).GetProperty("speaker").GetProperty("utterances").GetInt64());
        Assert.All(counts, c => Assert.InRange(c, 0, 7));
        var saved = SpeakerProfileFile.Parse(await server.Client.GetByteArrayAsync("/speakers/busy/profile", Ct), "profile");
        Assert.Equal(8, saved.Profile.Count);
        // Eight copies of one vector: the mean is that vector and the spread (numerically) zero.
        var single = Enrolled(Classifier(), [SpeakerServeModel.SpeakerFiles("03")[0]]);
        for (int i = 0; i < F; i++)
            Assert.Equal(single.Mean[i], saved.Profile.Mean[i], 1e-9 * Math.Max(1, Math.Abs(single.Mean[i])));
    }

    [Theory]
    [InlineData("speaker=", "")]
    [InlineData("speaker=a%20b", "a b")]
    [InlineData("speaker=%C3%A4", "ä")]
    [InlineData("speaker=a/b", "a/b")]
    public async Task Bad_speaker_ids_get_400(string query, string shown)
    {
        await using var server = await StartProbeAsync();
        string message = $"invalid speaker id '{shown}': it must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        await AssertErrorAsync(await server.Client.PostAsync($"/predict?{query}", Wav(wav), Ct), 400, message);
        await AssertErrorAsync(await server.Client.PostAsync("/predict", Form(wav, shown), Ct), 400, message);
    }

    [Fact]
    public async Task Speaker_id_rules_length_repetition_and_conflicts()
    {
        await using var server = await StartProbeAsync();
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        string longest = new('a', 64);
        var ok = await server.Client.PostAsync($"/predict?speaker={longest}", Wav(wav), Ct);
        Assert.Equal(200, (int)ok.StatusCode);
        var ok2 = await server.Client.PostAsync("/predict?speaker=A-z_0.9", Wav(wav), Ct);
        Assert.Equal(200, (int)ok2.StatusCode);
        await AssertErrorAsync(await server.Client.PostAsync($"/predict?speaker={longest}b", Wav(wav), Ct), 400,
            $"invalid speaker id '{longest}...': it must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        await AssertErrorAsync(await server.Client.PostAsync("/predict?speaker=a&speaker=b", Wav(wav), Ct), 400,
            "the speaker parameter is given more than once");
        await AssertErrorAsync(await server.Client.PostAsync("/predict?speaker=a", Form(wav, "b"), Ct), 400,
            "two different speaker ids: 'a' in the query and 'b' in the form");
        var form = Form(wav, "a");
        form.Add(new StringContent("a"), "speaker");
        await AssertErrorAsync(await server.Client.PostAsync("/predict", form, Ct), 400, "the form has more than one 'speaker' field");
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/a%20b", Ct), 400,
            "invalid speaker id 'a b': it must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        await AssertErrorAsync(await server.Client.DeleteAsync($"/speakers/{longest}x", Ct), 400,
            $"invalid speaker id '{longest}...': it must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    }

    [Fact]
    public async Task A_model_without_speaker_normalization_ignores_the_id()
    {
        await using var server = await StartProbeAsync();
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        var with = await JsonAsync(await server.Client.PostAsync("/predict?speaker=x", Form(wav, "x"), Ct));
        var without = await JsonAsync(await server.Client.PostAsync("/predict", Wav(wav), Ct));
        Assert.False(with.TryGetProperty("speaker", out _));
        Assert.Equal(without.GetProperty("probabilities").GetRawText(), with.GetProperty("probabilities").GetRawText());
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/x", Ct), 404, "no speaker profile 'x'");
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/x/profile", Ct), 404, "no speaker profile 'x'");
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/x", Json(ProfileJson(new SpeakerProfile(F))), Ct), 409,
            "model 'probe-1' has no speaker normalization: it does not use speaker profiles");
        Assert.False((await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("speaker_normalization").GetBoolean());
    }

    [Fact]
    public async Task Put_get_profile_delete_round_trip()
    {
        await using var server = await StartSpeakerAsync();
        Assert.True((await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("speaker_normalization").GetBoolean());
        var classifier = Classifier();
        string[] files = SpeakerServeModel.SpeakerFiles("10");
        var profile = Enrolled(classifier, files[..4]);
        byte[] upload = ProfileJson(profile);

        var put = await server.Client.PutAsync("/speakers/alice", Json(upload), Ct);
        Assert.Equal(201, (int)put.StatusCode);
        Assert.Equal("""{"id":"alice","utterances":4,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000}""", (await JsonAsync(put)).GetRawText());
        Assert.Equal(4, (await JsonAsync(await server.Client.GetAsync("/speakers/alice", Ct))).GetProperty("utterances").GetInt64());
        Assert.Equal(upload, await server.Client.GetByteArrayAsync("/speakers/alice/profile", Ct));

        var json = await JsonAsync(await server.Client.PostAsync("/predict?speaker=alice", Wav(File.ReadAllBytes(files[4])), Ct));
        AssertSpeaker(json, "alice", "profile", 4, enrolled: true);
        AssertClose(classifier.Classify(WavReader.ReadFile(files[4]), profile).Probabilities, Probabilities(json), "uploaded profile");

        // PUT replaces (200), with no Content-Type too.
        var replace = await server.Client.PutAsync("/speakers/alice", new ByteArrayContent(ProfileJson(new SpeakerProfile(F))), Ct);
        Assert.Equal(200, (int)replace.StatusCode);
        Assert.Equal(0, (await JsonAsync(await server.Client.GetAsync("/speakers/alice", Ct))).GetProperty("utterances").GetInt64());

        var delete = await server.Client.DeleteAsync("/speakers/alice", Ct);
        Assert.Equal(204, (int)delete.StatusCode);
        Assert.Empty(await delete.Content.ReadAsByteArrayAsync(Ct));
        await AssertErrorAsync(await server.Client.DeleteAsync("/speakers/alice", Ct), 404, "no speaker profile 'alice'");
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/alice", Ct), 404, "no speaker profile 'alice'");
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/alice/profile", Ct), 404, "no speaker profile 'alice'");
    }

    [Fact]
    public async Task Put_refuses_bad_profiles_with_the_loaders_message()
    {
        await using var server = await StartSpeakerAsync();
        var profile = new SpeakerProfile(F);
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", Json(ProfileJson(profile, sampleRate: 8000)), Ct), 400,
            "request body: the profile was computed from the features 'librosa-seed-193' version 1 at 8000 Hz, but model 'serve-speaker-model' takes 'librosa-seed-193' version 1 at 16000 Hz");
        string text = Encoding.UTF8.GetString(ProfileJson(profile)).Replace("\"count\":0", "\"count\":2", StringComparison.Ordinal);
        int m2 = text.IndexOf("\"m2\":[0", StringComparison.Ordinal);
        text = text[..(m2 + 6)] + "-0.5" + text[(m2 + 7)..];
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", Json(Encoding.UTF8.GetBytes(text)), Ct), 400,
            "request body: \"m2\"[0] is -0.5; every value must be a finite number >= 0");
        foreach (string bad in (string[])["{\"format\":1}", "{\"format\":", "{}", "{\"format\":\"emoser-speaker-profile\",\"version\":1,\"colour\":2}"])
            await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", Json(Encoding.UTF8.GetBytes(bad)), Ct), 400, LoaderMessage(bad));
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", Json("[]"u8.ToArray()), Ct), 400,
            "request body: not a speaker profile (the JSON is an array, not an object)");
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", Json(new byte[70_000]), Ct), 413,
            "the speaker profile is larger than the 64 KB limit");
        var wrongType = new StringContent("{}", Encoding.UTF8, "text/plain");
        await AssertErrorAsync(await server.Client.PutAsync("/speakers/p", wrongType, Ct), 415,
            "unsupported Content-Type 'text/plain; charset=utf-8': send the speaker profile as application/json");
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/p", Ct), 404, "no speaker profile 'p'");
    }

    /// <summary>The loader's own message for a body, which the server must repeat.</summary>
    private static string LoaderMessage(string body)
    {
        var e = Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Parse(Encoding.UTF8.GetBytes(body), "request body"));
        Assert.StartsWith("request body: ", e.Message);
        return e.Message;
    }

    [Fact]
    public async Task At_most_max_speaker_profiles_are_kept_least_recently_used_first_out()
    {
        await using var server = await StartSpeakerAsync(new ServeOptions { MaxSpeakerProfiles = 2 });
        byte[] empty = ProfileJson(new SpeakerProfile(F));
        Assert.Equal(201, (int)(await server.Client.PutAsync("/speakers/a", Json(empty), Ct)).StatusCode);
        Assert.Equal(201, (int)(await server.Client.PutAsync("/speakers/b", Json(empty), Ct)).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/speakers/a", Ct)).StatusCode); // a is now the most recent
        Assert.Equal(201, (int)(await server.Client.PutAsync("/speakers/c", Json(empty), Ct)).StatusCode);
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/b", Ct), 404, "no speaker profile 'b'");
        Assert.Equal(200, (int)(await server.Client.GetAsync("/speakers/a", Ct)).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/speakers/c", Ct)).StatusCode);
        // A prediction creates a profile too, evicting the least recently used: a (c was read after it).
        var json = await JsonAsync(await server.Client.PostAsync("/predict?speaker=d", Wav(File.ReadAllBytes(SpeakerServeModel.SpeakerFiles("03")[0])), Ct));
        AssertSpeaker(json, "d", "population", 0, enrolled: true);
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/a", Ct), 404, "no speaker profile 'a'");

        string metrics = await server.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("emoser_speaker_profiles 2\n", metrics);
        Assert.Contains("emoser_speaker_profiles_evicted_total 2\n", metrics);
        Assert.Contains("emoser_http_requests_total{route=\"/speakers/{id}\",method=\"PUT\",code=\"201\"} 3\n", metrics);
    }

    [Fact]
    public void Sessions_keep_only_profiles_of_the_given_features()
    {
        var a = new SpeakerFeatures("librosa-seed-193", 1, 16000, F);
        var b = a with { SampleRate = 22050 };
        var sessions = new SpeakerSessions(10);
        sessions.GetOrCreate("x", a).Add(new float[F]);
        sessions.GetOrCreate("y", b);
        sessions.GetOrCreate("z", a);
        Assert.Null(sessions.Find("y", a)); // found with other features: dropped
        Assert.Equal(2, sessions.Count);
        sessions.GetOrCreate("y", b);
        Assert.Equal(1, sessions.DropIncompatible(a));
        Assert.Equal(["x", "z"], new[] { "x", "y", "z" }.Where(id => sessions.Find(id, a) is not null));
        Assert.Equal(1, sessions.Find("x", a)!.Count);
        // A session asked for with other features starts empty.
        Assert.Equal(0, sessions.GetOrCreate("x", b).Count);
        Assert.Equal(0, sessions.Evicted);
    }

    [Fact]
    public void A_request_of_a_model_swapped_out_meanwhile_leaves_the_new_models_profile_alone()
    {
        var old = new SpeakerFeatures("librosa-seed-193", 1, 22050, F);
        var served = old with { SampleRate = 16000 };
        var sessions = new SpeakerSessions(10);
        sessions.GetOrCreate("x", old).Add(new float[F]);
        Assert.Equal(1, sessions.DropIncompatible(served)); // the swap
        sessions.GetOrCreate("x", served).Add(new float[F]);
        sessions.GetOrCreate("x", served).Add(new float[F]);
        // A request that read the old model before the swap: it gets an empty profile of its own, kept nowhere.
        var stale = sessions.GetOrCreate("x", old);
        Assert.Equal(0, stale.Count);
        stale.Add(new float[F]);
        Assert.Null(sessions.Find("x", old));
        Assert.Equal(2, sessions.Find("x", served)!.Count);
        Assert.Equal(1, sessions.Count);
    }

    [Fact]
    public void Max_speakers_must_be_at_least_one()
    {
        var e = Assert.Throws<ServeStartupException>(() => ServeCommand.Validate(new ServeOptions { MaxSpeakerProfiles = 0 }));
        Assert.Equal("--max-speakers must be at least 1", e.Message);
        ServeCommand.Validate(new ServeOptions { MaxSpeakerProfiles = 1 });
        Assert.Equal(1000, new ServeOptions().MaxSpeakerProfiles);
    }

    [Fact]
    public async Task A_swap_to_a_model_with_other_features_drops_the_profiles()
    {
        await using var server = await StartSpeakerAsync();
        byte[] empty = ProfileJson(new SpeakerProfile(F));
        Assert.Equal(201, (int)(await server.Client.PutAsync("/speakers/keep", Json(empty), Ct)).StatusCode);
        var holder = server.App.Services.GetRequiredService<ModelHolder>();

        // Same features (another speaker-normalized model of the same feature set): kept.
        holder.Swap(ServedModel.Create(ModelEngines.Factory, SpeakerServeModel.Weights(), "speaker-2.emow", "test", null, null));
        Assert.Equal(200, (int)(await server.Client.GetAsync("/speakers/keep", Ct)).StatusCode);

        // A model without speaker normalization: every profile goes.
        holder.Swap(ServedModel.Create(ModelEngines.Factory, SpeakerServeModel.PlainWeights(), "plain.emow", "test", null, null));
        Assert.Contains("emoser_speaker_profiles 0\n", await server.Client.GetStringAsync("/metrics", Ct));
        await AssertErrorAsync(await server.Client.GetAsync("/speakers/keep", Ct), 404, "no speaker profile 'keep'");
    }
}
