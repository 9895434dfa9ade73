using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The native AOT <c>emoser serve</c> (artifacts/native/linux-x64/emoser running emoser-serve beside it, from
/// scripts/publish-native.sh) as a process on a loopback port: every endpoint answers as the in-process server does
/// (trimming and AOT keep the source-generated JSON, the embedded page and model working), and bad options exit 1
/// with one line.
/// </summary>
[Trait("Category", "native")]
public sealed class PublishedBinaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-serve-aot-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RequireBinary()
    {
        string path = Path.Combine(TestData.RepoRoot, "artifacts", "native", "linux-x64", "emoser");
        foreach (string published in new[] { path, Path.Combine(Path.GetDirectoryName(path)!, "emoser-serve") })
        {
            if (!File.Exists(published))
                Assert.Skip($"SKIPPED: {published} not found (run scripts/publish-native.sh linux-x64).");
        }
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Assert.Skip("SKIPPED: the linux-x64 binary runs on linux-x64 only.");
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A running <c>emoser serve</c> process on a free loopback port, healthy, with its stderr collected.</summary>
    private sealed class RunningServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();

        private RunningServer(Process process, HttpClient client)
        {
            _process = process;
            Client = client;
        }

        public HttpClient Client { get; }

        public int Port => Client.BaseAddress!.Port;

        /// <summary>The server process's resident and peak resident memory (MB), from /proc.</summary>
        public (long Rss, long Peak) Memory()
        {
            string status = File.ReadAllText($"/proc/{_process.Id}/status");
            long Field(string name) => long.Parse(status.Split('\n').First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0],
                System.Globalization.CultureInfo.InvariantCulture) / 1024;
            return (Field("VmRSS"), Field("VmHWM"));
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                    return _stderr.ToString();
            }
        }

        public static Task<RunningServer> StartAsync(string binary, params string[] args) => StartAsync(binary, null, args);

        public static async Task<RunningServer> StartAsync(string binary, IDictionary<string, string>? environment, params string[] args)
        {
            int port = FreePort();
            var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
                psi.Environment[name] = value;
            foreach (string a in new[] { "serve", "--urls", $"http://127.0.0.1:{port}" }.Concat(args))
                psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            var server = new RunningServer(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) });
            process.ErrorDataReceived += (_, e) =>
            {
                lock (server._stderr)
                    server._stderr.AppendLine(e.Data);
            };
            process.BeginErrorReadLine();
            try
            {
                await LimitsTests.WaitUntilAsync(async () =>
                {
                    Assert.False(process.HasExited, $"emoser serve exited: {server.Stderr}");
                    try
                    {
                        return (await server.Client.GetAsync("/healthz", Ct)).IsSuccessStatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                });
                // The start-up line follows the listener's start.
                await LimitsTests.WaitUntilAsync(() => server.Stderr.Contains("emoser serve: ", StringComparison.Ordinal));
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            _process.Kill();
            await _process.WaitForExitAsync(Ct);
            _process.Dispose();
        }
    }

    [Fact]
    public async Task Aot_binary_serves_every_endpoint()
    {
        string binary = RequireBinary();
        string data = TestData.RequireEmoDb();
        // The seed's endpoints on Emo-DB, served by the embedded Emo-DB Model A (by name).
        await using var server = await RunningServer.StartAsync(binary, "--model", "emodb", "--data", data, "--models-dir", _dir, "--trainer", Path.Combine(_dir, "none"));
        var client = server.Client;
        Assert.Contains("(speed copies 0.9, 1.1) on http://127.0.0.1:", server.Stderr);
        var health = await JsonAsync(await client.GetAsync("/healthz", Ct));
        Assert.StartsWith("emodb.emow@", health.GetProperty("model").GetString());
        var listing = await JsonAsync(await client.GetAsync("/predict", Ct));
        Assert.Equal(TestData.EmoDbFiles().Length, listing.GetProperty("count").GetInt32());
        var five = await JsonAsync(await client.GetAsync("/predict?ID=5", Ct));
        Assert.Equal(Path.GetFileName(TestData.EmoDbFiles()[5]), five.GetProperty("file").GetString());
        await AssertErrorAsync(await client.GetAsync("/predict?ID=535", Ct), 400, $"ID must be an integer in [0, {TestData.EmoDbFiles().Length})");
        await AssertErrorAsync(await client.GetAsync("/predict?ID=abc", Ct), 400, $"ID must be an integer in [0, {TestData.EmoDbFiles().Length})");

        var content = new ByteArrayContent(File.ReadAllBytes(TestData.EmoDbFiles()[5]));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        var upload = await JsonAsync(await client.PostAsync("/predict?segment=1", content, Ct));
        Assert.Equal(five.GetProperty("probabilities").GetRawText(), upload.GetProperty("probabilities").GetRawText());
        Assert.True(upload.GetProperty("timeline").GetArrayLength() >= 1);
        await AssertErrorAsync(await client.PostAsync("/predict", new ByteArrayContent([]), Ct), 400, "upload: empty input (0 bytes)");

        var served = await JsonAsync(await client.GetAsync("/train", Ct));
        Assert.Equal(7, served.GetProperty("labels").GetArrayLength());
        var train = await client.PostAsync("/train", new StringContent("{\"protocol\":\"magic\"}", Encoding.UTF8, "application/json"), Ct);
        await AssertErrorAsync(train, 400, "protocol must be seed, holdout, loso or full, not 'magic'");
        await AssertErrorAsync(await client.GetAsync("/train/nope", Ct), 404, "no training job 'nope'");
        await AssertErrorAsync(await client.DeleteAsync("/train/nope", Ct), 404, "no training job 'nope'");
        await AssertErrorAsync(await client.GetAsync("/nope", Ct), 404, "no such endpoint: GET /nope");

        Assert.Contains("<title>EmoSer", await client.GetStringAsync("/", Ct));
        Assert.Contains("drawBars", await client.GetStringAsync("/static/app.js", Ct));
        Assert.Equal("3.1.0", (await JsonAsync(await client.GetAsync("/openapi.json", Ct))).GetProperty("openapi").GetString());
        string metrics = await client.GetStringAsync("/metrics", Ct);
        Assert.Contains("emoser_http_requests_total{route=\"/predict\",method=\"GET\",code=\"200\"} 2\n", metrics);
        Assert.Contains("emoser_model_info{name=\"model-a\"", metrics);
    }

    [Fact]
    public async Task Aot_binary_serves_the_default_multi_corpus_model_without_model()
    {
        string binary = RequireBinary();
        var shipped = EmoSer.Runtime.Model.EmotionModel.Load(TestData.DefaultModelPath);
        await using var server = await RunningServer.StartAsync(binary, "--models-dir", _dir);
        var health = await JsonAsync(await server.Client.GetAsync("/healthz", Ct));
        Assert.StartsWith("default.emow@", health.GetProperty("model").GetString());
        var served = await JsonAsync(await server.Client.GetAsync("/train", Ct));
        Assert.Equal(shipped.Labels, served.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        // Its reports come with it: loco among them.
        Assert.True(served.GetProperty("reports").TryGetProperty("loco", out _));
    }

    /// <summary>
    /// <c>--single-pass</c> on the native binary: the start-up line says so, and an upload gets the runtime's
    /// single-pass probabilities (to the cross-build tolerance), not the default server's.
    /// </summary>
    [Fact]
    public async Task Aot_binary_serves_a_single_pass_when_asked()
    {
        string binary = RequireBinary();
        string file = Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");
        var model = EmoSer.Runtime.Model.EmotionModel.Load(RealModel.Weights(), "model-a.emow");
        var clip = EmoSer.Runtime.Audio.WavReader.ReadFile(file);
        float[] single = new EmoSer.Runtime.Classifier.EmotionClassifier(model, testTimeSpeedCopies: false).Classify(clip).Probabilities;
        float[] copies = new EmoSer.Runtime.Classifier.EmotionClassifier(model).Classify(clip).Probabilities;
        Assert.True(single.Zip(copies).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the copies must matter on this clip");
        await using var server = await RunningServer.StartAsync(binary, "--model", "emodb", "--single-pass", "--models-dir", _dir);
        Assert.Contains("(single pass) on http://127.0.0.1:", server.Stderr);
        var content = new ByteArrayContent(File.ReadAllBytes(file));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        var json = await JsonAsync(await server.Client.PostAsync("/predict", content, Ct));
        for (int k = 0; k < model.Labels.Count; k++)
            Assert.Equal(single[k], json.GetProperty("probabilities").GetProperty(model.Labels[k]).GetSingle(), 1e-5f);
    }

    [Fact]
    public async Task Bad_options_exit_1_with_one_line()
    {
        string binary = RequireBinary();
        foreach (var (args, message) in new[]
        {
            (new[] { "serve", "--data", Path.Combine(_dir, "missing") }, $"emoser serve: {Path.Combine(_dir, "missing")}: dataset folder not found"),
            (new[] { "serve", "--model", Path.Combine(_dir, "missing.emow") }, null),
            (new[] { "serve", "--max-concurrent", "0" }, "emoser serve: --max-concurrent must be at least 1"),
            (new[] { "serve", "--max-speakers", "0" }, "emoser serve: --max-speakers must be at least 1"),
            (new[] { "serve", "--urls", "http://0.0.0.0:1" }, "emoser serve: listening on http://0.0.0.0:1 reaches beyond this machine: give an API key for the requests "
                + "that change state (--api-key-file FILE, --api-key KEY or $EMOSER_API_KEY, at least 16 characters), or --insecure to run without one"),
            (new[] { "serve", "--api-key", "short" }, "emoser serve: --api-key: the API key has 5 characters; it needs at least 16"),
        })
        {
            // `emoser serve ARGS` and the server binary it runs, `emoser-serve ARGS`, alike.
            foreach (var (program, programArgs) in new[] { (binary, args), (Path.Combine(Path.GetDirectoryName(binary)!, "emoser-serve"), args[1..]) })
            {
                var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in programArgs)
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                string err = await p.StandardError.ReadToEndAsync(Ct);
                await p.WaitForExitAsync(Ct);
                Assert.Equal(1, p.ExitCode);
                string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                if (message is not null)
                    Assert.Equal(message, line);
                else
                    Assert.StartsWith($"emoser serve: {Path.Combine(_dir, "missing.emow")}: ", line);
            }
        }
    }

    /// <summary>
    /// The native build of the access rules: beyond loopback only with a key (from the environment here), which every
    /// request that changes state then needs; the start-up line says so.
    /// </summary>
    [Fact]
    public async Task Aot_binary_requires_its_api_key_for_changes()
    {
        string binary = RequireBinary();
        const string Key = HostileRequestTests.Key;
        await using var server = await RunningServer.StartAsync(binary, new Dictionary<string, string> { ["EMOSER_API_KEY"] = Key }, "--models-dir", _dir);
        Assert.Contains("; API key required for changes; writes under ", server.Stderr);
        var train = await server.Client.PostAsync("/train", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        await AssertErrorAsync(train, 401, "POST /train changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        var request = new HttpRequestMessage(HttpMethod.Post, "/train") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-API-Key", Key);
        // With the key the request goes through to the server's own answer (no dataset here: 503).
        await AssertErrorAsync(await server.Client.SendAsync(request, Ct), 503, "training needs a dataset: start the server with --data DIR");
    }

    /// <summary>
    /// The hostile-request test against the native binary, where framework messages would show as resource keys: every
    /// request answered with JSON (never 500), the server still healthy, and its resident memory flat.
    /// </summary>
    [Fact]
    public async Task Aot_binary_survives_the_hostile_requests_with_flat_memory()
    {
        string binary = RequireBinary();
        await using var server = await RunningServer.StartAsync(binary, new Dictionary<string, string> { ["EMOSER_API_KEY"] = HostileRequestTests.Key },
            "--models-dir", _dir, "--uploads-per-minute", "0", "--trains-per-hour", "0");
        await HostileRequestTests.RunAsync(server.Port, HostileRequests.Generate(64, seed: 7, HostileRequestTests.Key));
        var (before, _) = server.Memory();
        var summary = await HostileRequestTests.RunAsync(server.Port, HostileRequests.Generate(HostileRequestTests.Count, seed: 23, HostileRequestTests.Key));
        var (after, peak) = server.Memory();
        Assert.True(summary.Failures.IsEmpty, string.Join("\n", summary.Failures.Take(20)));
        Assert.Equal(HostileRequestTests.Count, summary.Answered);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/healthz", Ct)).StatusCode);
        HostileRequestTests.Report($"native emoser serve: {HostileRequestTests.Count} hostile requests: {summary}; RSS {before} -> {after} MB, peak {peak} MB");
        Assert.True(after - before < 64, $"RSS grew from {before} to {after} MB");
    }
}
