using System.Net.Http.Headers;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>GET /healthz, GET /metrics (Prometheus text), GET /, GET /openapi.json.</summary>
[Trait("Category", "unit")]
public sealed class HealthMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Healthz_reports_ok_and_the_model_version()
    {
        await using var server = await StartProbeAsync();
        var json = await JsonAsync(await server.Client.GetAsync("/healthz", Ct));
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.StartsWith("probe-1.emow@", json.GetProperty("model").GetString());
        Assert.Equal(0, json.GetProperty("classifications_in_progress").GetInt32());
    }

    [Fact]
    public async Task Metrics_count_requests_latency_labels_and_show_the_model()
    {
        await using var server = await StartProbeAsync();
        var content = new ByteArrayContent(TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        var prediction = await JsonAsync(await server.Client.PostAsync("/predict", content, Ct));
        string label = prediction.GetProperty("predicted_emotion").GetString()!;
        await server.Client.GetAsync("/nope", Ct);

        var response = await server.Client.GetAsync("/metrics", Ct);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("emoser_http_requests_total{route=\"/predict\",method=\"POST\",code=\"200\"} 1\n", text);
        Assert.Contains("emoser_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n", text);
        Assert.Contains("emoser_http_request_duration_seconds_bucket{route=\"/predict\",le=\"+Inf\"} 1\n", text);
        Assert.Contains("emoser_http_request_duration_seconds_count{route=\"/predict\"} 1\n", text);
        Assert.Contains($"emoser_classifications_total{{label=\"{label}\"}} 1\n", text);
        foreach (string other in ProbeEngine.EmotionLabels.Where(l => l != label))
            Assert.Contains($"emoser_classifications_total{{label=\"{other}\"}} 0\n", text);
        string version = (await JsonAsync(await server.Client.GetAsync("/healthz", Ct))).GetProperty("model").GetString()!;
        Assert.Contains($"emoser_model_info{{name=\"probe-1\",version=\"{version}\",source=\"test:probe-1.emow\"}} 1\n", text);
        // Every line is a comment or "name{labels} value" with a number.
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
                continue;
            string value = line[(line.LastIndexOf(' ') + 1)..];
            Assert.True(double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _), line);
        }
    }

    [Fact]
    public async Task Page_and_its_assets_are_served_from_the_binary()
    {
        await using var server = await StartProbeAsync();
        var page = await server.Client.GetAsync("/", Ct);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        string html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<title>EmoSer", html);
        foreach (var (path, type) in new[] { ("/static/app.js", "text/javascript"), ("/static/app.css", "text/css"), ("/static/icon.svg", "image/svg+xml") })
        {
            Assert.Contains($"\"{path}\"", html);
            var asset = await server.Client.GetAsync(path, Ct);
            Assert.Equal(200, (int)asset.StatusCode);
            Assert.StartsWith(type, asset.Content.Headers.ContentType?.ToString());
        }
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal));
        Assert.DoesNotContain("https://", html);
    }
}
