using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace EmoSer.Serve;

/// <summary>
/// Counters behind <c>GET /metrics</c>, written in the Prometheus text format by hand (no dependency):
/// requests by route/method/status, a latency histogram per route, classifications per label,
/// refused classifications, speaker profiles, training jobs by final state, and the served model version.
/// </summary>
internal sealed class ServeMetrics
{
    /// <summary>Upper bounds (seconds) of the latency histogram buckets.</summary>
    public static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<(string Route, string Method, int Status), long[]> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long[]> _perLabel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long[]> _jobs = new(StringComparer.Ordinal);
    private long _rejected;
    private long _swaps;

    /// <summary>Counts one finished request.</summary>
    public void RecordRequest(string route, string method, int status, double seconds)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((route, method, status), static _ => new long[1])[0]);
        _latency.GetOrAdd(route, static _ => new Histogram()).Observe(seconds);
    }

    /// <summary>Counts one classification with top label <paramref name="label"/>.</summary>
    public void RecordClassification(string label) =>
        Interlocked.Increment(ref _perLabel.GetOrAdd(label, static _ => new long[1])[0]);

    /// <summary>Counts a classification refused because the queue was full.</summary>
    public void RecordRejected() => Interlocked.Increment(ref _rejected);

    /// <summary>Counts a training job that ended in <paramref name="state"/>.</summary>
    public void RecordJob(string state) => Interlocked.Increment(ref _jobs.GetOrAdd(state, static _ => new long[1])[0]);

    /// <summary>Counts a model swap.</summary>
    public void RecordSwap() => Interlocked.Increment(ref _swaps);

    /// <summary>Writes every metric in the Prometheus text exposition format 0.0.4.</summary>
    public string Render(ServedModel model, int inProgress, SpeakerSessions speakers)
    {
        var sb = new StringBuilder(4096);
        var inv = CultureInfo.InvariantCulture;
        sb.Append("# HELP emoser_http_requests_total HTTP requests by route, method and status code.\n");
        sb.Append("# TYPE emoser_http_requests_total counter\n");
        foreach (var ((route, method, status), count) in _requests.OrderBy(k => k.Key.Route, StringComparer.Ordinal).ThenBy(k => k.Key.Method, StringComparer.Ordinal).ThenBy(k => k.Key.Status))
            sb.Append(inv, $"emoser_http_requests_total{{route=\"{Escape(route)}\",method=\"{method}\",code=\"{status}\"}} {Volatile.Read(ref count[0])}\n");

        sb.Append("# HELP emoser_http_request_duration_seconds Time from request start to response end.\n");
        sb.Append("# TYPE emoser_http_request_duration_seconds histogram\n");
        foreach (var (route, h) in _latency.OrderBy(k => k.Key, StringComparer.Ordinal))
            h.Render(sb, "emoser_http_request_duration_seconds", $"route=\"{Escape(route)}\"");

        sb.Append("# HELP emoser_classifications_total Classifications by predicted (top) label.\n");
        sb.Append("# TYPE emoser_classifications_total counter\n");
        foreach (string label in model.Engine.Labels.Union(_perLabel.Keys, StringComparer.Ordinal))
        {
            long n = _perLabel.TryGetValue(label, out var c) ? Volatile.Read(ref c[0]) : 0;
            sb.Append(inv, $"emoser_classifications_total{{label=\"{Escape(label)}\"}} {n}\n");
        }
        sb.Append("# HELP emoser_classifications_rejected_total Classifications refused with 503 because the queue was full.\n");
        sb.Append("# TYPE emoser_classifications_rejected_total counter\n");
        sb.Append(inv, $"emoser_classifications_rejected_total {Volatile.Read(ref _rejected)}\n");
        sb.Append("# HELP emoser_classifications_in_progress Classifications running or queued.\n");
        sb.Append("# TYPE emoser_classifications_in_progress gauge\n");
        sb.Append(inv, $"emoser_classifications_in_progress {inProgress}\n");

        sb.Append("# HELP emoser_speaker_profiles Speaker profiles held in memory.\n");
        sb.Append("# TYPE emoser_speaker_profiles gauge\n");
        sb.Append(inv, $"emoser_speaker_profiles {speakers.Count}\n");
        sb.Append("# HELP emoser_speaker_profiles_evicted_total Speaker profiles evicted (least recently used) to stay within --max-speakers.\n");
        sb.Append("# TYPE emoser_speaker_profiles_evicted_total counter\n");
        sb.Append(inv, $"emoser_speaker_profiles_evicted_total {speakers.Evicted}\n");

        sb.Append("# HELP emoser_training_jobs_total Training jobs by final state.\n");
        sb.Append("# TYPE emoser_training_jobs_total counter\n");
        foreach (string state in (string[])["succeeded", "failed", "cancelled"])
        {
            long n = _jobs.TryGetValue(state, out var c) ? Volatile.Read(ref c[0]) : 0;
            sb.Append(inv, $"emoser_training_jobs_total{{state=\"{state}\"}} {n}\n");
        }
        sb.Append("# HELP emoser_model_swaps_total Times a trained model replaced the served one.\n");
        sb.Append("# TYPE emoser_model_swaps_total counter\n");
        sb.Append(inv, $"emoser_model_swaps_total {Volatile.Read(ref _swaps)}\n");

        sb.Append("# HELP emoser_model_info The model being served (value is always 1).\n");
        sb.Append("# TYPE emoser_model_info gauge\n");
        sb.Append(inv, $"emoser_model_info{{name=\"{Escape(model.Engine.Name)}\",version=\"{Escape(model.Engine.Version)}\",source=\"{Escape(model.Source)}\"}} 1\n");
        sb.Append("# HELP emoser_model_loaded_timestamp_seconds Unix time the served model was loaded.\n");
        sb.Append("# TYPE emoser_model_loaded_timestamp_seconds gauge\n");
        sb.Append(inv, $"emoser_model_loaded_timestamp_seconds {model.LoadedAt.ToUnixTimeMilliseconds() / 1000.0}\n");
        return sb.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A cumulative histogram with fixed buckets, updated lock-free.</summary>
    private sealed class Histogram
    {
        private readonly long[] _counts = new long[LatencyBuckets.Length + 1];
        private long _sumMicros;

        public void Observe(double seconds)
        {
            int i = 0;
            while (i < LatencyBuckets.Length && seconds > LatencyBuckets[i])
                i++;
            Interlocked.Increment(ref _counts[i]);
            Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
        }

        public void Render(StringBuilder sb, string name, string labels)
        {
            var inv = CultureInfo.InvariantCulture;
            long cumulative = 0;
            for (int i = 0; i < LatencyBuckets.Length; i++)
            {
                cumulative += Volatile.Read(ref _counts[i]);
                sb.Append(inv, $"{name}_bucket{{{labels},le=\"{LatencyBuckets[i].ToString(inv)}\"}} {cumulative}\n");
            }
            cumulative += Volatile.Read(ref _counts[^1]);
            sb.Append(inv, $"{name}_bucket{{{labels},le=\"+Inf\"}} {cumulative}\n");
            sb.Append(inv, $"{name}_sum{{{labels}}} {Volatile.Read(ref _sumMicros) / 1e6}\n");
            sb.Append(inv, $"{name}_count{{{labels}}} {cumulative}\n");
        }
    }
}
