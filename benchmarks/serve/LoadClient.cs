// Bounded, self-stopping load client for `emoser serve` (a .NET 10 file-based app: `dotnet run LoadClient.cs -- ...`).
//   --url URL            server base URL (default http://127.0.0.1:5099)
//   --wav FILE           16-bit PCM WAV to cut the clip from (mono)
//   --clip SECONDS       clip length sent with every request (default 3)
//   --connections N      concurrent connections (default 16)
//   --seconds S          length of the timed run (default 30)
//   --rss-pid PID        server process whose RSS is read from /proc before and after the request-count run
//   --rss-requests N     requests of the RSS run (default 10000; 0 skips it)
//   --rss-clip SECONDS   clip length of the RSS run (default: --clip)
// Prints a human summary and one JSON line (prefix "RESULT ").
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

var opts = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
    opts[args[i]] = args[i + 1];
string Opt(string name, string fallback) => opts.TryGetValue(name, out var v) ? v : fallback;
var inv = CultureInfo.InvariantCulture;
string url = Opt("--url", "http://127.0.0.1:5099");
string wav = Opt("--wav", "");
double clipSeconds = double.Parse(Opt("--clip", "3"), inv);
int connections = int.Parse(Opt("--connections", "16"), inv);
double seconds = double.Parse(Opt("--seconds", "30"), inv);
int rssPid = int.Parse(Opt("--rss-pid", "0"), inv);
int rssRequests = int.Parse(Opt("--rss-requests", "10000"), inv);
double rssClip = double.Parse(Opt("--rss-clip", clipSeconds.ToString(inv)), inv);
if (wav.Length == 0 || !File.Exists(wav))
{
    Console.Error.WriteLine("load: --wav FILE (a 16-bit PCM mono WAV at least --clip seconds long) is required");
    return 2;
}

byte[] clip = Cut(File.ReadAllBytes(wav), clipSeconds);
byte[] rssBody = Cut(File.ReadAllBytes(wav), rssClip);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(url),
    Timeout = TimeSpan.FromSeconds(30),
};

// Warm-up: JIT/tiering, pools, page cache.
await RunCountAsync(clip, Math.Max(connections * 4, 64));

double cpuBefore = rssPid > 0 ? CpuSeconds(rssPid) : 0;
var timed = await RunTimedAsync(clip, TimeSpan.FromSeconds(seconds));
double cpuPerRequestMs = rssPid > 0 && timed.Latencies.Length > 0 ? (CpuSeconds(rssPid) - cpuBefore) * 1000 / (timed.Latencies.Length + timed.Errors) : double.NaN;
double rps = timed.Latencies.Length / timed.Elapsed.TotalSeconds;
Array.Sort(timed.Latencies);
double P(double q) => timed.Latencies.Length == 0 ? double.NaN : timed.Latencies[Math.Min(timed.Latencies.Length - 1, (int)Math.Ceiling(q * timed.Latencies.Length) - 1)];
Console.WriteLine($"POST /predict, {clipSeconds:0.##} s clip ({clip.Length} bytes), {connections} connections, {timed.Elapsed.TotalSeconds:0.0} s:");
Console.WriteLine($"  {timed.Latencies.Length} requests, {rps:0.0} req/s, errors {timed.Errors}");
Console.WriteLine($"  latency ms: p50 {P(0.50):0.0}, p90 {P(0.90):0.0}, p99 {P(0.99):0.0}, max {timed.Latencies.LastOrDefault():0.0}");
Console.WriteLine($"  server CPU per request: {cpuPerRequestMs:0.00} ms (user+system, from /proc; independent of other load on the machine)");

long rssBefore = 0, rssAfter = 0;
int rssErrors = 0;
double rssSeconds = 0;
if (rssPid > 0 && rssRequests > 0)
{
    rssBefore = Rss(rssPid);
    var sw = Stopwatch.StartNew();
    rssErrors = await RunCountAsync(rssBody, rssRequests);
    rssSeconds = sw.Elapsed.TotalSeconds;
    rssAfter = Rss(rssPid);
    Console.WriteLine($"RSS of pid {rssPid}: {rssBefore / 1024.0:0.0} MB before, {rssAfter / 1024.0:0.0} MB after {rssRequests} requests " +
        $"({rssClip:0.##} s clip, {rssSeconds:0} s, errors {rssErrors})");
}
Console.WriteLine(string.Create(inv, $"RESULT {{\"clip_seconds\":{clipSeconds},\"connections\":{connections},\"seconds\":{timed.Elapsed.TotalSeconds:0.00},\"requests\":{timed.Latencies.Length},\"rps\":{rps:0.0},\"p50_ms\":{P(0.5):0.0},\"p90_ms\":{P(0.9):0.0},\"p99_ms\":{P(0.99):0.0},\"errors\":{timed.Errors},\"server_cpu_ms_per_request\":{cpuPerRequestMs:0.00},\"rss_before_kb\":{rssBefore},\"rss_after_kb\":{rssAfter},\"rss_requests\":{(rssPid > 0 ? rssRequests : 0)},\"rss_errors\":{rssErrors}}}"));
return timed.Errors == 0 && rssErrors == 0 ? 0 : 1;

async Task<(double[] Latencies, int Errors, TimeSpan Elapsed)> RunTimedAsync(byte[] body, TimeSpan length)
{
    var all = new List<double>[connections];
    int errors = 0;
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
    {
        var mine = all[c] = new List<double>(4096);
        while (sw.Elapsed < length)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (await SendAsync(body))
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            else
                Interlocked.Increment(ref errors);
        }
    }));
    return (all.SelectMany(l => l).ToArray(), errors, sw.Elapsed);
}

async Task<int> RunCountAsync(byte[] body, int count)
{
    int next = 0, errors = 0;
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            if (!await SendAsync(body))
                Interlocked.Increment(ref errors);
        }
    }));
    return errors;
}

async Task<bool> SendAsync(byte[] body)
{
    try
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var response = await http.PostAsync("/predict", content);
        await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode;
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        return false;
    }
}

// utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s).
static double CpuSeconds(int pid)
{
    string stat = File.ReadAllText($"/proc/{pid}/stat");
    string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static long Rss(int pid)
{
    foreach (string line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    return 0;
}

// The first `seconds` of a canonical 16-bit PCM WAV (44-byte header), with the sizes fixed up.
static byte[] Cut(byte[] wav, double seconds)
{
    int rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24));
    int blockAlign = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(32));
    int dataBytes = Math.Min(wav.Length - 44, (int)(seconds * rate) * blockAlign);
    var result = new byte[44 + dataBytes];
    wav.AsSpan(0, 44).CopyTo(result);
    wav.AsSpan(44, dataBytes).CopyTo(result.AsSpan(44));
    BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(4), 36 + dataBytes);
    BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(40), dataBytes);
    return result;
}
