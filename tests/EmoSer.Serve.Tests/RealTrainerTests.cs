using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EmoSer.Serve;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// POST /train with the real <c>emoser-train</c> (the Release build of src/EmoSer.Trainer) on a small Emo-DB
/// subset: a full run swaps the served model; a run killed mid-way leaves the shipped model serving.
/// </summary>
[Trait("Category", "golden")]
public sealed class RealTrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-serve-realtrain-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RequireTrainer()
    {
        string path = Path.Combine(TestData.RepoRoot, "src", "EmoSer.Trainer", "bin", "Release", "net10.0", "emoser-train");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not found (build src/EmoSer.Trainer in Release).");
        return path;
    }

    /// <summary>One utterance per emotion from each of four speakers (27 files: one speaker lacks one), linked into a folder.</summary>
    private string Subset()
    {
        string dir = Path.Combine(_dir, "subset");
        Directory.CreateDirectory(dir);
        var picked = TestData.EmoDbFiles()
            .GroupBy(f => (Speaker: Path.GetFileName(f)[..2], Emotion: Path.GetFileName(f)[5]))
            .Where(g => g.Key.Speaker is "03" or "08" or "10" or "13")
            .Select(g => g.First());
        foreach (string file in picked)
            File.CreateSymbolicLink(Path.Combine(dir, Path.GetFileName(file)), file);
        return dir;
    }

    private async Task<ServeTestServer> StartAsync()
    {
        string trainer = RequireTrainer();
        TestData.RequireEmoDb();
        return await StartRealAsync(new ServeOptions { DataDir = Subset(), TrainerPath = trainer, ModelsDir = Path.Combine(_dir, "models") });
    }

    private static async Task<string> StartJobAsync(ServeTestServer server, string body)
    {
        var response = await server.Client.PostAsync("/train", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var json = await JsonAsync(response);
        Assert.True(202 == (int)response.StatusCode, json.ToString());
        return json.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> WaitAsync(ServeTestServer server, string id, Func<JsonElement, bool> until, double seconds)
    {
        JsonElement status = default;
        await LimitsTests.WaitUntilAsync(async () =>
        {
            status = await JsonAsync(await server.Client.GetAsync($"/train/{id}", Ct));
            return until(status);
        }, seconds);
        return status;
    }

    private static bool Finished(JsonElement s) => s.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled";

    private static async Task<string> PredictModelAsync(ServeTestServer server)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(TestData.EmoDbFiles()[0]));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        return (await JsonAsync(await server.Client.PostAsync("/predict", content, Ct))).GetProperty("model").GetString()!;
    }

    [Fact]
    public async Task Full_training_on_a_subset_succeeds_and_the_served_model_changes()
    {
        await using var server = await StartAsync();
        string before = await PredictModelAsync(server);
        string id = await StartJobAsync(server, """{"protocol":"full","epochs":3}""");
        var status = await WaitAsync(server, id, Finished, 300);
        Assert.True("succeeded" == status.GetProperty("state").GetString(), status.ToString());
        // The shipped recipe trains a fixed number of epochs: the model's network and, for its temperature, a
        // calibration network on part of the speakers (fold "<name>-calibration"); both stream every epoch into the curve.
        var folds = status.GetProperty("curve").EnumerateArray().Where(p => p.GetProperty("member").GetInt32() == 0)
            .GroupBy(p => p.GetProperty("fold").GetString()!).ToList();
        Assert.All(folds, fold => Assert.True(fold.Count() == 3, $"fold {fold.Key}: {fold.Count()} epochs"));
        Assert.Contains(folds, fold => !fold.Key.EndsWith("-calibration", StringComparison.Ordinal));
        // Every file's features, once as recorded and once per speed copy of the recipe.
        int files = Directory.GetFiles(server.Options.DataDir!).Length, features = status.GetProperty("progress").GetProperty("features_total").GetInt32();
        Assert.True(features >= files && features % files == 0, $"{features} feature vectors for {files} files");
        Assert.Equal(JsonValueKind.Object, status.GetProperty("report").ValueKind);

        string after = await PredictModelAsync(server);
        Assert.NotEqual(before, after);
        Assert.Equal(status.GetProperty("model_version").GetString(), after);
        var served = await JsonAsync(await server.Client.GetAsync("/train", Ct));
        Assert.Equal(id, served.GetProperty("job_id").GetString());
        Assert.Equal(after, served.GetProperty("version").GetString());
        Assert.True(File.Exists(Path.Combine(server.Options.ModelsDir, "current.emow")));
    }

    [Fact]
    public async Task Trainer_killed_mid_run_fails_the_job_and_the_shipped_model_keeps_serving()
    {
        await using var server = await StartAsync();
        string before = await PredictModelAsync(server);
        string id = await StartJobAsync(server, """{"protocol":"full","epochs":5000}""");
        var running = await WaitAsync(server, id, s => Finished(s) || s.GetProperty("progress").GetProperty("epoch_events").GetInt32() >= 1, 300);
        Assert.Equal("running", running.GetProperty("state").GetString());
        using (var trainer = Process.GetProcessById(running.GetProperty("pid").GetInt32()))
            trainer.Kill();
        var status = await WaitAsync(server, id, Finished, 60);
        Assert.Equal("failed", status.GetProperty("state").GetString());
        Assert.Equal("the trainer was killed by signal 9 (exit code 137)", status.GetProperty("error").GetString());
        Assert.Equal(before, await PredictModelAsync(server));
        Assert.False(File.Exists(Path.Combine(server.Options.ModelsDir, "current.emow")));
    }
}
