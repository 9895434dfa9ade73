using System.Diagnostics;

namespace EmoSer.Serve;

/// <summary><c>GET /healthz</c> and <c>GET /metrics</c> (Prometheus text).</summary>
internal static class HealthEndpoints
{
    /// <summary>Maps the endpoints; <paramref name="started"/> is the server's start timestamp (uptime).</summary>
    public static void Map(WebApplication app, ServeMetrics metrics, SpeakerSessions speakers, TrainingJobs jobs, long started)
    {
        app.MapGet("/healthz", (ModelHolder m, ClassificationGate g) => Results.Json(
            new HealthResponse("ok", m.Current.Engine.Version, Stopwatch.GetElapsedTime(started).TotalSeconds, g.Admitted, jobs.Active?.Id),
            ServeJsonContext.Default.HealthResponse));

        app.MapGet("/metrics", (ModelHolder m, ClassificationGate g) =>
            Results.Text(metrics.Render(m.Current, g.Admitted, speakers), "text/plain; version=0.0.4; charset=utf-8"));
    }
}
