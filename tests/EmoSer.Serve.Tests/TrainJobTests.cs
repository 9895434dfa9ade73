using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EmoSer.Serve;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The training job lifecycle against a scripted trainer that speaks the events contract: success swaps the
/// model, evaluation keeps it, kill/cancel/error/corrupt weights leave the old model serving.
/// </summary>
[Trait("Category", "unit")]
public sealed class TrainJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-serve-train-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<ServeTestServer> StartAsync(FakeTrainer.Mode mode)
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        foreach (string name in new[] { "03a01Wa.wav", "03a01Ta.wav", "08a02Fa.wav" })
            File.WriteAllBytes(Path.Combine(data, name), TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
        return StartProbeAsync(new ServeOptions
        {
            DataDir = data,
            TrainerPath = FakeTrainer.Write(_dir, mode),
            ModelsDir = Path.Combine(_dir, "models"),
            // The swap test keeps four clients posting for as long as the job runs; on a slow machine that is
            // more than the default 120 uploads a minute, and a 429 is not what these tests are about.
            UploadsPerMinute = 0,
        });
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> PostTrainAsync(ServeTestServer server, string body)
    {
        var response = await server.Client.PostAsync("/train", Json(body), Ct);
        var json = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        string id = json.GetProperty("id").GetString()!;
        Assert.Equal($"/train/{id}", response.Headers.Location?.ToString());
        Assert.Equal($"/train/{id}", json.GetProperty("location").GetString());
        return id;
    }

    private static async Task<JsonElement> WaitForStateAsync(ServeTestServer server, string id, Func<JsonElement, bool> done)
    {
        JsonElement status = default;
        await LimitsTests.WaitUntilAsync(async () =>
        {
            status = await JsonAsync(await server.Client.GetAsync($"/train/{id}", Ct));
            return done(status);
        }, seconds: 60);
        return status;
    }

    private static bool Finished(JsonElement s) => s.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled";

    private static async Task<string> ServedVersionAsync(ServeTestServer server) =>
        (await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("version").GetString()!;

    private static async Task<string> PredictVersionAsync(ServeTestServer server)
    {
        var content = new ByteArrayContent(TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        var response = await server.Client.PostAsync("/predict", content, Ct);
        var json = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode && json.TryGetProperty("model", out _), $"/predict answered {(int)response.StatusCode}: {json}");
        return json.GetProperty("model").GetString()!;
    }

    [Fact]
    public async Task Successful_job_reports_progress_and_swaps_the_served_model()
    {
        await using var server = await StartAsync(FakeTrainer.Mode.Success);
        string before = await ServedVersionAsync(server);
        Assert.Equal(before, await PredictVersionAsync(server));

        // Requests keep flowing while the job runs and the model is swapped: none fails, and once a client has
        // seen the new model it never sees the old one again.
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var seen = new List<string>();
            while (!stop.IsCancellationRequested)
                seen.Add(await PredictVersionAsync(server));
            seen.Add(await PredictVersionAsync(server));
            return seen;
        })).ToArray();

        string id = await PostTrainAsync(server, """{"protocol":"full","recipe":"emodb","epochs":3,"optimizer":"adam","augment":true,"n_modifications":2,"test_size":0.25,"random_state":7}""");
        var status = await WaitForStateAsync(server, id, Finished);
        stop.Cancel();
        foreach (var seen in await Task.WhenAll(clients))
        {
            string newVersion = status.GetProperty("model_version").GetString()!;
            Assert.All(seen, v => Assert.True(v == before || v == newVersion, v));
            int firstNew = seen.IndexOf(newVersion);
            Assert.True(firstNew >= 0, "a client never saw the new model");
            Assert.DoesNotContain(before, seen.Skip(firstNew));
        }

        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var progress = status.GetProperty("progress");
        Assert.Equal(3, progress.GetProperty("epoch").GetInt32());
        Assert.Equal("full", progress.GetProperty("fold").GetString());
        Assert.Equal(3, progress.GetProperty("features_total").GetInt32());
        var curve = status.GetProperty("curve").EnumerateArray().ToArray();
        Assert.Equal([1, 2, 3], curve.Select(p => p.GetProperty("epoch").GetInt32()));
        Assert.Equal([1.1, 1.2, 1.3], curve.Select(p => p.GetProperty("loss").GetDouble()));
        var log = status.GetProperty("log_tail").EnumerateArray().Select(l => l.GetString()!).ToArray();
        string data = server.Options.DataDir!;
        string outDir = Path.Combine(server.Options.ModelsDir, "jobs", id);
        // The feature cache is the server's, under its models folder: a job writes nothing elsewhere.
        string cache = Path.GetFullPath(Path.Combine(server.Options.ModelsDir, "cache"));
        Assert.Contains($"args: fit --data {data} --out {outDir} --cache {cache} --events --protocol full --recipe emodb --augment --n-modifications 2 --test-size 0.25 --random-state 7 --epochs 3 --optimizer adam", log);
        Assert.Contains("plain text progress line", log);
        Assert.Contains("a line on stderr", log);
        Assert.Equal(0.25, status.GetProperty("report").GetProperty("ua").GetDouble());

        string after = await ServedVersionAsync(server);
        Assert.NotEqual(before, after);
        Assert.Equal(after, status.GetProperty("model_version").GetString());
        Assert.StartsWith($"model-{id}.emow@", after);
        Assert.Equal(after, await PredictVersionAsync(server));
        var served = await JsonAsync(await server.Client.GetAsync("/train", Ct));
        Assert.Equal(id, served.GetProperty("job_id").GetString());
        Assert.Equal("trained", served.GetProperty("model_card").GetProperty("probe").GetString());
        Assert.Equal(0.5, served.GetProperty("reports").GetProperty("report").GetProperty("wa").GetDouble());
        Assert.Equal("probe:trained", File.ReadAllText(Path.Combine(server.Options.ModelsDir, $"model-{id}.emow")));
        string metrics = await server.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("emoser_model_swaps_total 1\n", metrics);
        Assert.Contains("emoser_training_jobs_total{state=\"succeeded\"} 1\n", metrics);
    }

    [Fact]
    public async Task Evaluation_job_succeeds_with_a_report_and_keeps_the_model()
    {
        await using var server = await StartAsync(FakeTrainer.Mode.Evaluate);
        string before = await ServedVersionAsync(server);
        string id = await PostTrainAsync(server, """{"protocol":"holdout"}""");
        var status = await WaitForStateAsync(server, id, Finished);
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        Assert.Equal(0.75, status.GetProperty("report").GetProperty("wa").GetDouble());
        Assert.False(status.TryGetProperty("model_version", out _));
        Assert.Equal(before, await ServedVersionAsync(server));
    }

    [Fact]
    public async Task Killed_trainer_fails_the_job_and_the_previous_model_keeps_serving()
    {
        await using var server = await StartAsync(FakeTrainer.Mode.Hang);
        string before = await ServedVersionAsync(server);
        string id = await PostTrainAsync(server, "{}");
        var running = await WaitForStateAsync(server, id, s => s.GetProperty("progress").GetProperty("epoch_events").GetInt32() == 3);
        Assert.Equal("running", running.GetProperty("state").GetString());

        // A second job while one runs: 409.
        var conflict = await server.Client.PostAsync("/train", Json("{}"), Ct);
        await AssertErrorAsync(conflict, 409, $"a training job is already running: {id}");
        Assert.Equal(id, (await JsonAsync(await server.Client.GetAsync("/healthz", Ct))).GetProperty("active_job").GetString());

        // Killed from outside (OOM killer, operator): SIGKILL.
        using (var trainer = Process.GetProcessById(running.GetProperty("pid").GetInt32()))
            trainer.Kill();
        var status = await WaitForStateAsync(server, id, Finished);
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Equal("the trainer was killed by signal 9 (exit code 137)", status.GetProperty("error").GetString());
        Assert.Equal(before, await ServedVersionAsync(server));
        Assert.Equal(before, await PredictVersionAsync(server));
        Assert.Contains("emoser_training_jobs_total{state=\"failed\"} 1\n", await server.Client.GetStringAsync("/metrics", Ct));
    }

    [Fact]
    public async Task Delete_cancels_a_running_job()
    {
        await using var server = await StartAsync(FakeTrainer.Mode.Hang);
        string before = await ServedVersionAsync(server);
        string id = await PostTrainAsync(server, "{}");
        await WaitForStateAsync(server, id, s => s.GetProperty("state").GetString() == "running");
        var response = await server.Client.DeleteAsync($"/train/{id}", Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var status = await WaitForStateAsync(server, id, Finished);
        Assert.Equal("cancelled", status.GetProperty("state").GetString());
        Assert.Equal($"cancelled by DELETE /train/{id}", status.GetProperty("error").GetString());
        Assert.Equal(before, await ServedVersionAsync(server));
        await AssertErrorAsync(await server.Client.DeleteAsync($"/train/{id}", Ct), 409, $"training job {id} has already finished (cancelled)");
        // Another job may start now.
        string next = await PostTrainAsync(server, "{}");
        Assert.NotEqual(id, next);
        await server.Client.DeleteAsync($"/train/{next}", Ct);
        await WaitForStateAsync(server, next, Finished);
    }

    [Theory]
    [InlineData(FakeTrainer.Mode.Error, "corpus: 3 files, need at least 2 per label")]
    [InlineData(FakeTrainer.Mode.NoDone, "the trainer exited without a done event")]
    [InlineData(FakeTrainer.Mode.BadWeights, "the trained weights could not be loaded: model-{id}.emow: not a probe model")]
    public async Task Failing_trainer_fails_the_job_and_keeps_the_model(FakeTrainer.Mode mode, string error)
    {
        await using var server = await StartAsync(mode);
        string before = await ServedVersionAsync(server);
        string id = await PostTrainAsync(server, "{}");
        var status = await WaitForStateAsync(server, id, Finished);
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Equal(error.Replace("{id}", id, StringComparison.Ordinal), status.GetProperty("error").GetString());
        Assert.Equal(before, await ServedVersionAsync(server));
    }

    [Fact]
    public async Task Bad_parameters_are_400_and_unknown_jobs_404()
    {
        await using var server = await StartAsync(FakeTrainer.Mode.Success);
        await AssertErrorAsync(await server.Client.PostAsync("/train", Json("""{"protocol":"magic"}"""), Ct), 400,
            "protocol must be seed, holdout, loso or full, not 'magic'");
        await AssertErrorAsync(await server.Client.PostAsync("/train", Json("""{"epochs":0}"""), Ct), 400, "epochs must be an integer in [1, 10000]");
        await AssertErrorAsync(await server.Client.PostAsync("/train", Json("""{"recipe":"best"}"""), Ct), 400, "recipe must be default, emodb or seed, not 'best'");
        await AssertErrorAsync(await server.Client.PostAsync("/train", Json("""{"test_size":1.5}"""), Ct), 400, "test_size must be a number in (0, 1)");
        await AssertErrorAsync(await server.Client.PostAsync("/train", Json("""{"optimizer":"sgd"}"""), Ct), 400, "optimizer must be adam or rmsprop, not 'sgd'");
        var unknown = await server.Client.PostAsync("/train", Json("""{"epochz":3}"""), Ct);
        Assert.Equal(400, (int)unknown.StatusCode);
        Assert.StartsWith("invalid JSON body: ", (await JsonAsync(unknown)).GetProperty("error").GetString());
        Assert.Contains("epochz", (await JsonAsync(unknown)).GetProperty("error").GetString());
        var broken = await server.Client.PostAsync("/train", Json("{"), Ct);
        Assert.StartsWith("invalid JSON body: ", (await JsonAsync(broken)).GetProperty("error").GetString());
        await AssertErrorAsync(await server.Client.PostAsync("/train", new StringContent("x", Encoding.UTF8, "text/plain"), Ct), 415,
            "unsupported Content-Type 'text/plain; charset=utf-8': send the parameters as application/json");
        await AssertErrorAsync(await server.Client.GetAsync("/train/nope", Ct), 404, "no training job 'nope'");
        await AssertErrorAsync(await server.Client.DeleteAsync("/train/nope", Ct), 404, "no training job 'nope'");
    }

    [Fact]
    public async Task Training_without_a_dataset_or_trainer_is_503()
    {
        await using (var server = await StartProbeAsync(new ServeOptions { TrainerPath = FakeTrainer.Write(_dir, FakeTrainer.Mode.Success) }))
            await AssertErrorAsync(await server.Client.PostAsync("/train", Json("{}"), Ct), 503, "training needs a dataset: start the server with --data DIR");
        await using (var server = await StartProbeAsync(new ServeOptions { DataDir = _dir, TrainerPath = Path.Combine(_dir, "missing") }))
            await AssertErrorAsync(await server.Client.PostAsync("/train", Json("{}"), Ct), 503,
                "training is unavailable: emoser-train was not found next to emoser or on PATH (start the server with --trainer PATH)");
    }
}
