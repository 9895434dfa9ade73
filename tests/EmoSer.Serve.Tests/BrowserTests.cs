using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using EmoSer.Serve;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The web page in real headless Chromium (Debian's chromium, driven by playwright-core from npm): upload a
/// WAV through the page, check the chart's top label is the API's answer, save a screenshot, then record from
/// Chromium's fake microphone and check the page's WAV encoding is accepted and classified
/// (artifacts/screenshots/web.png, or $EMOSER_SCREENSHOT); with a speaker-normalized model, check the per-browser
/// speaker id and the "speaker profile: n utterances" line across uploads, a reload and Reset.
/// </summary>
[Trait("Category", "browser")]
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string BrowserDir => Path.Combine(TestData.RepoRoot, "tests", "EmoSer.Serve.Tests", "browser");

    private static readonly SemaphoreSlim s_npm = new(1, 1);

    /// <summary>Skips without chromium or node; installs playwright-core with <c>npm ci</c> when missing.</summary>
    private static async Task RequireBrowserAsync()
    {
        if (!File.Exists(Chromium))
            Assert.Skip($"SKIPPED: {Chromium} not found (Debian package chromium; scripts/ci/install-packages.sh installs it).");
        if (FindOnPath("node") is null || FindOnPath("npm") is null)
            Assert.Skip("SKIPPED: node/npm not found (Debian packages nodejs and npm).");
        await s_npm.WaitAsync(Ct);
        try
        {
            if (!Directory.Exists(Path.Combine(BrowserDir, "node_modules", "playwright-core")))
            {
                var (npmCode, npmOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], BrowserDir, TimeSpan.FromMinutes(5));
                Assert.True(npmCode == 0, $"npm ci failed: {npmOutput}");
            }
        }
        finally
        {
            s_npm.Release();
        }
    }

    private static string ScreenshotPath(string name, string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } s
            ? Path.GetFullPath(s)
            : Path.Combine(TestData.RepoRoot, "artifacts", "screenshots", name);

    [Fact]
    public async Task Training_form_runs_a_job_and_shows_curves_confusion_matrix_and_the_new_model()
    {
        await RequireBrowserAsync();
        string dir = Directory.CreateTempSubdirectory("emoser-browser-train-").FullName;
        try
        {
            string data = Path.Combine(dir, "data");
            Directory.CreateDirectory(data);
            File.WriteAllBytes(Path.Combine(data, "03a01Wa.wav"), TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
            await using var server = await StartProbeAsync(new ServeOptions
            {
                DataDir = data,
                TrainerPath = FakeTrainer.Write(dir, FakeTrainer.Mode.Success),
                ModelsDir = Path.Combine(dir, "models"),
            });
            string screenshot = ScreenshotPath("web-training.png", "EMOSER_SCREENSHOT_TRAINING");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var (code, output) = await RunAsync("node", ["train-ui.mjs", server.Client.BaseAddress!.ToString(), screenshot, "full", "3", Chromium],
                BrowserDir, TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"browser script failed ({code}): {output}");
            using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var root = result.RootElement;
            Assert.Equal("succeeded", root.GetProperty("state").GetString());
            Assert.Equal(1, root.GetProperty("loss_paths").GetInt32()); // train loss (the fake trainer sends no validation values)
            Assert.Equal(1, root.GetProperty("acc_paths").GetInt32());
            Assert.True(root.GetProperty("confusion_visible").GetBoolean());
            Assert.Equal(4, root.GetProperty("confusion_cells").GetInt32()); // the report's 2 x 2 matrix
            string served = (await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("version").GetString()!;
            Assert.NotEqual(root.GetProperty("version_before").GetString(), served);
            Assert.Equal(served, root.GetProperty("version_after").GetString());
            Assert.True(root.GetProperty("start_enabled").GetBoolean());
            Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Uploaded_file_shows_the_api_top_label_in_the_chart()
    {
        await RequireBrowserAsync();
        string data = TestData.RequireEmoDb();
        await using var server = await StartRealAsync(new ServeOptions { DataDir = data });

        // About 7 s of speech, three emotions back to back, so the page also draws a timeline.
        string[] files = TestData.EmoDbFiles();
        float[] joined = new[] { "T", "W", "F" }
            .Select(letter => files.First(f => Path.GetFileName(f)[5..6] == letter))
            .SelectMany(f => WavReader.ReadFile(f).ToMono()).ToArray();
        string tempDir = Directory.CreateTempSubdirectory("emoser-browser-").FullName;
        string wavPath = Path.Combine(tempDir, "sad-angry-happy.wav");
        WavWriter.WriteFile(wavPath, joined, 16000, 1, WavSampleFormat.Pcm16);
        try
        {
            var content = new ByteArrayContent(File.ReadAllBytes(wavPath));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
            var api = await JsonAsync(await server.Client.PostAsync("/predict?segment=2", content, Ct));
            string expected = api.GetProperty("predicted_emotion").GetString()!;

            string screenshot = ScreenshotPath("web.png", "EMOSER_SCREENSHOT");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var (code, output) = await RunAsync("node", ["upload-and-screenshot.mjs", server.Client.BaseAddress!.ToString(), wavPath, screenshot, Chromium],
                BrowserDir, TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"browser script failed ({code}): {output}");
            using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var root = result.RootElement;
            string page = output.Trim().Split('\n')[^1];
            Assert.True(expected == root.GetProperty("top_label").GetString(), $"API says {expected}, page: {page}");
            Assert.True(expected == root.GetProperty("shown_label").GetString(), $"API says {expected}, page: {page}");
            Assert.Equal(7, root.GetProperty("bars").GetArrayLength());
            Assert.Equal(expected, root.GetProperty("bars")[0].GetString());
            Assert.True(api.GetProperty("timeline").GetArrayLength() == root.GetProperty("timeline_segments").GetInt32(),
                $"API timeline {api.GetProperty("timeline").GetArrayLength()} segments, page: {page}");
            Assert.True(root.GetProperty("errors").GetArrayLength() == 0, page);
            // The microphone path: Web Audio samples -> WAV in the page -> POST /predict -> chart. The script stops
            // after 1.5 s of captured audio; the last buffer may take it past that, never below.
            var recording = root.GetProperty("recording");
            var source = System.Text.RegularExpressions.Regex.Match(recording.GetProperty("source").GetString()!,
                @"^recording\.wav · (\d+\.\d\d) s · \d+ Hz · 1 ch$");
            Assert.True(source.Success, page);
            double seconds = double.Parse(source.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(seconds is >= 1.5 and < 10, $"recorded {seconds} s: {page}");
            Assert.Contains(recording.GetProperty("top_label").GetString(), (await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            var png = await File.ReadAllBytesAsync(screenshot, Ct);
            Assert.True(png.Length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "screenshot is not a PNG");
        }
        finally
        {
            Directory.Delete(tempDir, recursive: true);
        }
    }

    [Fact]
    public async Task Speaker_profile_line_counts_this_browsers_uploads_and_resets()
    {
        await RequireBrowserAsync();
        await using var server = await StartAsync(SpeakerServeModel.Weights(), ModelEngines.Factory, null, "speaker.emow");
        string[] files = SpeakerServeModel.SpeakerFiles("03")[..2];
        var (code, output) = await RunAsync("node", ["speaker-ui.mjs", server.Client.BaseAddress!.ToString(), files[0], files[1], Chromium],
            BrowserDir, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"browser script failed ({code}): {output}");
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        string id = root.GetProperty("id").GetString()!;
        Assert.Matches("^web-[0-9a-f]{24}$", id);
        Assert.Equal(id, root.GetProperty("id_after_reload").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("id_after_reset").ValueKind); // a reset also forgets the id
        foreach (var (step, text) in new[] { ("initial", "speaker profile: 0 utterances"), ("after_uploads", "speaker profile: 2 utterances"),
            ("after_reload", "speaker profile: 2 utterances"), ("after_reset", "speaker profile: 0 utterances") })
        {
            Assert.Equal(text, root.GetProperty(step).GetProperty("text").GetString());
            Assert.True(root.GetProperty(step).GetProperty("visible").GetBoolean(), step);
        }
        Assert.True(root.GetProperty("errors").GetArrayLength() == 0, root.GetProperty("errors").GetRawText());
        // The reset deleted the server's profile of that id.
        await AssertErrorAsync(await server.Client.GetAsync($"/speakers/{id}", Ct), 404, $"no speaker profile '{id}'");
    }

    [Fact]
    public async Task Live_mode_streams_the_fake_microphone_and_draws_the_rolling_timeline()
    {
        await RequireBrowserAsync();
        string[] files = TestData.EmoDbFiles();
        await using var server = await StartRealAsync();
        // Chromium's fake microphone plays this file in a loop: angry utterances of one speaker, 16 kHz.
        string[] angry = [.. files.Where(f => Path.GetFileName(f)[..2] == "03" && Path.GetFileName(f)[5] == 'W').Take(3)];
        float[] audio = [.. angry.SelectMany(f => WavReader.ReadFile(f).ToMono())];
        string tempDir = Directory.CreateTempSubdirectory("emoser-browser-live-").FullName;
        string wavPath = Path.Combine(tempDir, "angry.wav");
        WavWriter.WriteFile(wavPath, audio, 16000, 1, WavSampleFormat.Pcm16);
        try
        {
            string screenshot = ScreenshotPath("web-live.png", "EMOSER_SCREENSHOT_LIVE");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var (code, output) = await RunAsync("node", ["live-ui.mjs", server.Client.BaseAddress!.ToString(), wavPath, "10", screenshot, Chromium],
                BrowserDir, TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"browser script failed ({code}): {output}");
            using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var root = result.RootElement;
            Assert.True(root.GetProperty("errors").GetArrayLength() == 0, root.GetProperty("errors").GetRawText());
            JsonElement[] results = [.. root.GetProperty("results").EnumerateArray()];
            int count = root.GetProperty("count").GetInt32();
            Assert.True(count >= 10 && results.Length == count, $"{count} results, {results.Length} messages");
            // One rectangle per result on the timeline (the last 40), each of its result's emotion.
            Assert.Equal(Math.Min(count, 40), root.GetProperty("rects").GetInt32());
            Assert.Equal(results.TakeLast(40).Select(r => r.GetProperty("silence").GetBoolean() ? "silence" : r.GetProperty("emotion").GetString()),
                root.GetProperty("rect_emotions").EnumerateArray().Select(e => e.GetString()));
            // The server's stream timing: 2 s windows every 0.5 s of microphone audio.
            for (int i = 0; i < results.Length; i++)
            {
                double start = results[i].GetProperty("start").GetDouble(), end = results[i].GetProperty("end").GetDouble();
                Assert.Equal(2.0, end - start, 1e-9);
                if (i > 0)
                    Assert.Equal(0.5, end - results[i - 1].GetProperty("end").GetDouble(), 0.04);
            }
            // The speech is heard as speech, and as the emotion it was spoken with most of the time.
            string?[] emotions = [.. results.Where(r => !r.GetProperty("silence").GetBoolean()).Select(r => r.GetProperty("emotion").GetString())];
            Assert.True(emotions.Length >= count / 2, $"{emotions.Length} of {count} windows classified");
            Assert.Equal("angry", emotions.GroupBy(e => e).OrderByDescending(g => g.Count()).First().Key);
            Assert.StartsWith("live · ", root.GetProperty("status").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(tempDir, recursive: true);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string workingDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}: {await stderr}");
        }
        string err = await stderr;
        return (p.ExitCode, await stdout + (err.Length > 0 ? "\n" + err : ""));
    }
}
