using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using EmoSer.Edge.Serve;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The web page in real headless Chromium (Debian's chromium, driven by playwright-core from npm): upload a
/// WAV through the page, check the chart's top label is the API's answer, save a screenshot, then record from
/// Chromium's fake microphone and check the page's WAV encoding is accepted and classified
/// (artifacts/screenshots/web.png, or $EMOSER_SCREENSHOT).
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string BrowserDir => Path.Combine(TestData.RepoRoot, "tests", "EmoSer.Serve.Tests", "browser");

    [Fact]
    public async Task Uploaded_file_shows_the_api_top_label_in_the_chart()
    {
        if (!File.Exists(Chromium))
            Assert.Skip($"SKIPPED: {Chromium} not found (Debian package chromium; scripts/ci/install-packages.sh installs it).");
        if (FindOnPath("node") is null || FindOnPath("npm") is null)
            Assert.Skip("SKIPPED: node/npm not found (Debian packages nodejs and npm).");
        string data = TestData.RequireEmoDb();
        await using var server = await StartRealAsync(new ServeOptions { DataDir = data });

        if (!Directory.Exists(Path.Combine(BrowserDir, "node_modules", "playwright-core")))
        {
            var (npmCode, npmOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], BrowserDir, TimeSpan.FromMinutes(5));
            Assert.True(npmCode == 0, $"npm ci failed: {npmOutput}");
        }

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

            string screenshot = Environment.GetEnvironmentVariable("EMOSER_SCREENSHOT") is { Length: > 0 } s
                ? Path.GetFullPath(s)
                : Path.Combine(TestData.RepoRoot, "artifacts", "screenshots", "web.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var (code, output) = await RunAsync("node", ["upload-and-screenshot.mjs", server.Client.BaseAddress!.ToString(), wavPath, screenshot, Chromium],
                BrowserDir, TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"browser script failed ({code}): {output}");
            using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
            var root = result.RootElement;
            Assert.Equal(expected, root.GetProperty("top_label").GetString());
            Assert.Equal(expected, root.GetProperty("shown_label").GetString());
            Assert.Equal(7, root.GetProperty("bars").GetArrayLength());
            Assert.Equal(expected, root.GetProperty("bars")[0].GetString());
            Assert.Equal(api.GetProperty("timeline").GetArrayLength(), root.GetProperty("timeline_segments").GetInt32());
            Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
            // The microphone path: Web Audio samples -> WAV in the page -> POST /predict -> chart.
            var recording = root.GetProperty("recording");
            Assert.Matches(@"^recording\.wav · 1\.\d\d s · \d+ Hz · 1 ch$", recording.GetProperty("source").GetString());
            Assert.Contains(recording.GetProperty("top_label").GetString(), (await JsonAsync(await server.Client.GetAsync("/train", Ct))).GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            var png = await File.ReadAllBytesAsync(screenshot, Ct);
            Assert.True(png.Length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "screenshot is not a PNG");
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
