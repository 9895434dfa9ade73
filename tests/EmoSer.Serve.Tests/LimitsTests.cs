using System.Net;
using System.Net.Http.Headers;
using EmoSer.Serve;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>Bounded concurrency (queue, then 503 + Retry-After) and the request timeout (504).</summary>
[Trait("Category", "unit")]
public sealed class LimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ByteArrayContent Wav()
    {
        var content = new ByteArrayContent(TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        return content;
    }

    [Fact]
    public async Task Full_queue_gets_503_with_retry_after_and_queued_requests_still_complete()
    {
        var behaviour = new ProbeEngine.Behaviour { Hold = new SemaphoreSlim(0) };
        await using var server = await StartProbeAsync(new ServeOptions { MaxConcurrentClassifications = 1, MaxQueuedClassifications = 1 }, behaviour);

        Task<HttpResponseMessage> running = server.Client.PostAsync("/predict", Wav(), Ct);
        await WaitUntilAsync(() => Volatile.Read(ref behaviour.Entered) == 1);
        Task<HttpResponseMessage> queued = server.Client.PostAsync("/predict", Wav(), Ct);
        await WaitUntilAsync(async () => (await JsonAsync(await server.Client.GetAsync("/healthz", Ct))).GetProperty("classifications_in_progress").GetInt32() == 2);

        var refused = await server.Client.PostAsync("/predict", Wav(), Ct);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        await AssertErrorAsync(refused, 503, "too many classifications in progress; retry shortly");
        // ID requests share the same gate (no dataset here, so use an upload again after release).
        behaviour.Hold.Release(2);
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(2, behaviour.Calls);

        string metrics = await server.Client.GetStringAsync("/metrics", Ct);
        Assert.Contains("emoser_classifications_rejected_total 1\n", metrics);
        Assert.Contains("emoser_http_requests_total{route=\"/predict\",method=\"POST\",code=\"503\"} 1\n", metrics);
    }

    [Fact]
    public async Task Request_waiting_longer_than_the_timeout_gets_504()
    {
        var behaviour = new ProbeEngine.Behaviour { Hold = new SemaphoreSlim(0) };
        await using var server = await StartProbeAsync(
            new ServeOptions { RequestTimeout = TimeSpan.FromSeconds(1), MaxConcurrentClassifications = 1, MaxQueuedClassifications = 4 }, behaviour);
        // The first request holds the only slot past its own timeout; the second times out in the queue.
        Task<HttpResponseMessage> first = server.Client.PostAsync("/predict", Wav(), Ct);
        await WaitUntilAsync(() => Volatile.Read(ref behaviour.Entered) == 1);
        var second = await server.Client.PostAsync("/predict", Wav(), Ct);
        await AssertErrorAsync(second, 504, "the request took longer than the 1 s timeout");
        behaviour.Hold.Release(1);
        // The classification itself is not interrupted; its answer is still delivered.
        Assert.Equal(200, (int)(await first).StatusCode);
        Assert.Equal(1, behaviour.Calls);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition) => await WaitUntilAsync(() => Task.FromResult(condition()));

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not reached");
            await Task.Delay(20, Ct);
        }
    }
}
