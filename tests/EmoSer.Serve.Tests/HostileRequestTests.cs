using System.Collections.Concurrent;
using System.Text.Json;
using EmoSer.Serve;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The hostile-request test: a seeded stream of malformed, oversized and poisoned requests (<see cref="HostileRequests"/>)
/// against the real application. Every one gets an answer; every error is a JSON <c>{"error"}</c> of one bounded line
/// and never a 500; every 200 of <c>/predict</c> has finite probabilities; the server stays up and its memory flat.
/// <c>EMOSER_HOSTILE_REQUESTS</c> sets the count (default 480; the published binary runs the same set in
/// <see cref="PublishedBinaryTests"/>).
/// </summary>
[Collection(nameof(HostileRequestTests))] // alone: the heap it measures is the whole test process's
[Trait("Category", "unit")]
public sealed class HostileRequestTests
{
    internal const string Key = "hostile-test-api-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static int Count => int.TryParse(Environment.GetEnvironmentVariable("EMOSER_HOSTILE_REQUESTS"), out int n) && n > 0 ? n : 480;

    [Fact]
    public async Task Hostile_requests_get_json_errors_and_the_server_stays_up()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-hostile-").FullName;
        try
        {
            await using var server = await StartRealAsync(new ServeOptions
            {
                ApiKey = ApiKey.Resolve(Key, null, null), UploadsPerMinute = 0, TrainsPerHour = 0, ModelsDir = dir,
            });
            int port = server.Client.BaseAddress!.Port;
            // Warm-up, then the baseline heap.
            await RunAsync(port, HostileRequests.Generate(32, seed: 7, Key));
            GC.Collect();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            Summary summary = await RunAsync(port, HostileRequests.Generate(Count, seed: 19, Key));
            GC.Collect();
            long after = GC.GetTotalMemory(forceFullCollection: true);

            Assert.True(summary.Failures.IsEmpty, string.Join("\n", summary.Failures.Take(20)));

            Assert.Equal(Count, summary.Answered);
            Assert.Equal(200, (int)(await server.Client.GetAsync("/healthz", Ct)).StatusCode);
            Assert.True(after - before < 64L << 20, $"the heap grew by {(after - before) >> 20} MB over {Count} hostile requests");
            Report($"in-process server: {Count} hostile requests: {summary}; heap {before >> 20} -> {after >> 20} MB");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Appends <paramref name="line"/> to the file named by <c>EMOSER_HOSTILE_REPORT</c>, if set (for the figures of a long run).</summary>
    internal static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("EMOSER_HOSTILE_REPORT") is { Length: > 0 } path)
            File.AppendAllText(path, line + "\n");
    }

    /// <summary>What the requests got: a count per status, and every answer that broke a rule.</summary>
    internal sealed class Summary
    {
        public ConcurrentDictionary<int, int> Statuses { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentBag<(string Kind, double Seconds)> Times { get; } = [];

        public int Answered => Statuses.Values.Sum();

        public override string ToString() =>
            string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))
            + "; slowest: " + string.Join(", ", Times.OrderByDescending(t => t.Seconds).Take(5).Select(t => $"{t.Kind} {t.Seconds:0.00} s"));
    }

    /// <summary>Sends every request on its own connection, four at a time, and checks every answer.</summary>
    internal static async Task<Summary> RunAsync(int port, IEnumerable<HostileRequests.Request> requests)
    {
        var summary = new Summary();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            RawResponse? r = await RawHttp.SendAsync(port, request.Bytes);
            summary.Times.Add((request.Kind, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds));
            if (r is null)
            {
                summary.Failures.Enqueue($"{request.Kind}: no answer");
                return;
            }
            summary.Statuses.AddOrUpdate(r.Status, 1, (_, n) => n + 1);
            if (Check(request, r) is { } problem)
                summary.Failures.Enqueue($"{request.Kind}: {problem}\n{r}");
        });
        return summary;
    }

    private static string? Check(HostileRequests.Request request, RawResponse r)
    {
        if (r.Status == 500)
            return "500";
        if (r.Status >= 400)
        {
            if (!r.IsJson || r.Error is not { } error)
                return "an error without a JSON {\"error\"} body";
            if (error.Contains('\n') || error.Length > 1000)
                return "an error message that is not one short line";
            if (error.Contains("Exception", StringComparison.Ordinal) || error.Contains("_", StringComparison.Ordinal) && error.Contains(", ", StringComparison.Ordinal) && !error.Contains(' '))
                return "an error message that is not ours";
            return null;
        }
        if (r.Status == 200 && request.Bytes.AsSpan().StartsWith("POST /predict"u8))
        {
            using var doc = JsonDocument.Parse(r.Body);
            foreach (var p in doc.RootElement.GetProperty("probabilities").EnumerateObject())
            {
                if (!float.IsFinite(p.Value.GetSingle()))
                    return "a non-finite probability";
            }
        }
        return null;
    }
}

/// <summary>Runs <see cref="HostileRequestTests"/> with no other test beside it, so that its heap figure is its own.</summary>
[CollectionDefinition(nameof(HostileRequestTests), DisableParallelization = true)]
public sealed class HostileRequestCollection;
