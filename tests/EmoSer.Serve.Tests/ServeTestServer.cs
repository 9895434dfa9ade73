using System.Net.Http.Json;
using System.Text.Json;
using EmoSer.Serve;
using Microsoft.AspNetCore.Builder;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The real <c>emoser serve</c> application (ServeApp.Create, as the command builds it) listening on a free
/// loopback port, with an HttpClient pointed at it.
/// </summary>
internal sealed class ServeTestServer : IAsyncDisposable
{
    private ServeTestServer(WebApplication app, ServeOptions options, Uri baseAddress)
    {
        App = app;
        Options = options;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public WebApplication App { get; }

    public ServeOptions Options { get; }

    public HttpClient Client { get; }

    /// <summary>Starts a server serving <paramref name="weights"/> (loaded by <paramref name="factory"/>).</summary>
    public static async Task<ServeTestServer> StartAsync(byte[] weights, ModelFactory factory, ServeOptions? options = null, string weightsName = "model-a.emow")
    {
        options = (options ?? new ServeOptions()) with { Urls = "http://127.0.0.1:0" };
        var model = ServedModel.Create(factory, weights, weightsName, "test:" + weightsName, null, null);
        var dataset = options.DataDir is { } dir ? DatasetIndex.Open(dir) : DatasetIndex.Empty;
        var app = ServeApp.Create(options, factory, model, dataset);
        await app.StartAsync(TestContext.Current.CancellationToken);
        string url = app.Urls.Single();
        return new ServeTestServer(app, options, new Uri(url));
    }

    /// <summary>A server with the shipped model (skips without it).</summary>
    public static Task<ServeTestServer> StartRealAsync(ServeOptions? options = null) =>
        StartAsync(RealModel.Weights(), ModelEngines.Factory, options);

    /// <summary>A server with the probe engine (no trained model needed).</summary>
    public static Task<ServeTestServer> StartProbeAsync(ServeOptions? options = null, ProbeEngine.Behaviour? behaviour = null) =>
        StartAsync(ProbeEngine.Weights("probe-1"), ProbeEngine.Factory(behaviour), options, "probe-1.emow");

    /// <summary>Reads a JSON body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"not JSON ({(int)response.StatusCode}): {text}\n{e.Message}");
        }
    }

    /// <summary>Asserts an error response: status code and exact <c>{"error": message}</c>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string message)
    {
        var json = await JsonAsync(response);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(message, json.GetProperty("error").GetString());
        Assert.Single(json.EnumerateObject());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>The shipped model file.</summary>
internal static class RealModel
{
    public static string Path => System.IO.Path.Combine(EmoSer.Tests.Shared.TestData.RepoRoot, "weights", "model-a.emow");

    /// <summary>The bytes of weights/model-a.emow; skips when the file is absent.</summary>
    public static byte[] Weights()
    {
        if (!File.Exists(Path))
            Assert.Skip($"SKIPPED: {Path} not found (the shipped model).");
        return File.ReadAllBytes(Path);
    }
}
