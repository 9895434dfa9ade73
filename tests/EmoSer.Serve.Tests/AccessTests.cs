using System.Net.Http.Headers;
using System.Text;
using EmoSer.Serve;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// <c>serve</c> on a network: loopback by default, an API key for every request that changes state (required
/// whenever the server listens beyond loopback, unless <c>--insecure</c>), and per-client rate limits on uploads
/// and training.
/// </summary>
[Trait("Category", "unit")]
public sealed class AccessTests : IDisposable
{
    private const string Key = "0123456789abcdef-test-key";

    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-serve-access-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ApiKey TestKey => ApiKey.Resolve(Key, null, null)!;

    private static ByteArrayContent Wav() => Body(TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1), "audio/wav");

    private static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, string? bearer = null, string? header = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (header is not null)
            request.Headers.Add("X-API-Key", header);
        return request;
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", null)]
    [InlineData("http://localhost:5000", null)]
    [InlineData("http://[::1]:5000", null)]
    [InlineData("http://127.0.0.1:5000;http://127.9.9.9:5001", null)]
    [InlineData("http://0.0.0.0:5000", "http://0.0.0.0:5000")]
    [InlineData("http://*:5000", "http://*:5000")]
    [InlineData("http://+:5000", "http://+:5000")]
    [InlineData("http://[::]:5000", "http://[::]:5000")]
    [InlineData("http://127.0.0.1:5000;http://192.168.1.20:5000", "http://192.168.1.20:5000")]
    [InlineData("http://emoser.example:5000", "http://emoser.example:5000")]
    public void Listening_beyond_loopback_is_recognised(string urls, string? beyond) =>
        Assert.Equal(beyond, ApiKey.BeyondLoopback(ServeCommand.SplitUrls(urls)));

    [Fact]
    public void The_default_listens_on_loopback_and_other_interfaces_need_a_key_or_insecure()
    {
        Assert.Equal("http://127.0.0.1:5000", new ServeOptions().Urls);
        ServeCommand.Validate(new ServeOptions());
        var e = Assert.Throws<ServeStartupException>(() => ServeCommand.Validate(new ServeOptions { Urls = "http://0.0.0.0:5000" }));
        Assert.Equal("listening on http://0.0.0.0:5000 reaches beyond this machine: give an API key for the requests that change state "
            + "(--api-key-file FILE, --api-key KEY or $EMOSER_API_KEY, at least 16 characters), or --insecure to run without one", e.Message);
        ServeCommand.Validate(new ServeOptions { Urls = "http://0.0.0.0:5000", ApiKey = TestKey });
        ServeCommand.Validate(new ServeOptions { Urls = "http://0.0.0.0:5000", Insecure = true });
    }

    [Fact]
    public void The_key_comes_from_a_file_an_option_or_the_environment_and_must_be_long()
    {
        string file = Path.Combine(_dir, "key");
        File.WriteAllText(file, Key + "\nsecond line ignored\n");
        Assert.NotNull(ApiKey.Resolve("ignored-because-the-file-wins", file, null));
        Assert.NotNull(ApiKey.Resolve(null, null, Key));
        Assert.Null(ApiKey.Resolve(null, null, null));
        Assert.Null(ApiKey.Resolve(null, null, ""));
        Assert.Equal("--api-key: the API key has 6 characters; it needs at least 16", Assert.Throws<ServeStartupException>(() => ApiKey.Resolve("secret", null, null)).Message);
        Assert.Equal("$EMOSER_API_KEY: the API key holds spaces or control characters",
            Assert.Throws<ServeStartupException>(() => ApiKey.Resolve(null, null, "a key with spaces in it")).Message);
        string missing = Path.Combine(_dir, "none");
        Assert.Equal($"{missing}: cannot read the API key: no such file", Assert.Throws<ServeStartupException>(() => ApiKey.Resolve(null, missing, null)).Message);
    }

    [Fact]
    public async Task With_a_key_every_request_that_changes_state_needs_it()
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(data, "a.wav"), TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
        await using var server = await StartRealAsync(new ServeOptions { ApiKey = TestKey, DataDir = data, ModelsDir = _dir });
        var client = server.Client;

        // Reading and plain classification need no key.
        Assert.Equal(200, (int)(await client.GetAsync("/train", Ct)).StatusCode);
        Assert.Equal(200, (int)(await client.PostAsync("/predict", Wav(), Ct)).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/predict?ID=0", Ct)).StatusCode);

        var missing = await client.SendAsync(Request(HttpMethod.Post, "/train", new StringContent("{}", Encoding.UTF8, "application/json")), Ct);
        Assert.Equal("Bearer realm=\"emoser\"", missing.Headers.WwwAuthenticate.ToString());
        await AssertErrorAsync(missing, 401, "POST /train changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        await AssertErrorAsync(await client.SendAsync(Request(HttpMethod.Post, "/train", new StringContent("{}", Encoding.UTF8, "application/json"), bearer: Key + "x"), Ct),
            401, "the API key is not valid");
        await AssertErrorAsync(await client.SendAsync(Request(HttpMethod.Post, "/train", new StringContent("{\"protocol\":\"magic\"}", Encoding.UTF8, "application/json"), bearer: Key), Ct),
            400, "protocol must be seed, holdout, loso or full, not 'magic'");
        await AssertErrorAsync(await client.SendAsync(Request(HttpMethod.Delete, "/train/abc"), Ct), 401,
            "DELETE /train/{id} changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        await AssertErrorAsync(await client.SendAsync(Request(HttpMethod.Delete, "/train/abc", header: Key), Ct), 404, "no training job 'abc'");

        string speakerNeedsKey = "a prediction with a speaker id (it adds the clip to the speaker's profile) changes the server's state and needs the API key: "
            + "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";
        await AssertErrorAsync(await client.PostAsync("/predict?speaker=alice", Wav(), Ct), 401, speakerNeedsKey);
        var form = new MultipartFormDataContent { { new StringContent("alice"), "speaker" }, { Wav(), "file", "a.wav" } };
        await AssertErrorAsync(await client.PostAsync("/predict", form, Ct), 401, speakerNeedsKey);
        await AssertErrorAsync(await client.GetAsync("/predict?ID=0&speaker=alice", Ct), 401, speakerNeedsKey);
        Assert.Equal(200, (int)(await client.SendAsync(Request(HttpMethod.Post, "/predict?speaker=alice", Wav(), bearer: Key), Ct)).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/speakers/alice", Ct)).StatusCode);
        byte[] profile = await client.GetByteArrayAsync("/speakers/alice/profile", Ct);
        await AssertErrorAsync(await client.PutAsync("/speakers/bob", Body(profile, "application/json"), Ct), 401,
            "PUT /speakers/{id} changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        Assert.Equal(201, (int)(await client.SendAsync(Request(HttpMethod.Put, "/speakers/bob", Body(profile, "application/json"), header: Key), Ct)).StatusCode);
        await AssertErrorAsync(await client.DeleteAsync("/speakers/bob", Ct), 401,
            "DELETE /speakers/{id} changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        Assert.Equal(204, (int)(await client.SendAsync(Request(HttpMethod.Delete, "/speakers/bob", bearer: Key), Ct)).StatusCode);
    }

    [Fact]
    public async Task Uploads_and_training_requests_are_limited_per_client()
    {
        await using var server = await StartProbeAsync(new ServeOptions { UploadsPerMinute = 3, TrainsPerHour = 1, ModelsDir = _dir });
        for (int i = 0; i < 3; i++)
            Assert.Equal(200, (int)(await server.Client.PostAsync("/predict", Wav(), Ct)).StatusCode);
        var refused = await server.Client.PostAsync("/predict", Wav(), Ct);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 20);
        await AssertErrorAsync(refused, 429, "too many uploads from this client: at most 3 a minute");
        // Other endpoints are not counted.
        Assert.Equal(200, (int)(await server.Client.GetAsync("/healthz", Ct)).StatusCode);

        // No dataset: the first request is refused by the server (503), and it still counts as the hour's one.
        Assert.Equal(503, (int)(await server.Client.PostAsync("/train", new StringContent("{}", Encoding.UTF8, "application/json"), Ct)).StatusCode);
        await AssertErrorAsync(await server.Client.PostAsync("/train", new StringContent("{}", Encoding.UTF8, "application/json"), Ct),
            429, "too many training requests from this client: at most 1 an hour");
        string metrics = await server.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("emoser_http_requests_total{route=\"/predict\",method=\"POST\",code=\"429\"} 1\n", metrics);
    }

    [Fact]
    public async Task Zero_turns_a_limit_off()
    {
        await using var server = await StartProbeAsync(new ServeOptions { UploadsPerMinute = 0, ModelsDir = _dir });
        for (int i = 0; i < 150; i++)
            Assert.Equal(200, (int)(await server.Client.PostAsync("/predict", Wav(), Ct)).StatusCode);
    }
}
