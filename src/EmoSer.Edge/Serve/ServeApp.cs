using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmoSer.Runtime.Audio;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;

namespace EmoSer.Edge.Serve;

/// <summary>
/// Builds the <c>emoser serve</c> web application: Kestrel with the configured limits, the JSON error
/// handling, metrics, and every endpoint of docs/http-api.md. Tests build it the same way on port 0.
/// </summary>
internal static class ServeApp
{
    /// <summary>Creates the application (not started).</summary>
    public static WebApplication Create(ServeOptions options, ModelFactory factory, ServedModel initialModel, DatasetIndex dataset)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Multipart framing adds a little to the file; our own reader enforces the exact limit.
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes + AudioUpload.MultipartSlack;
            k.AddServerHeader = false;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("EmoSer", LogLevel.Information);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJsonContext.Default));
        builder.Services.AddRequestTimeouts(o =>
        {
            o.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = options.RequestTimeout,
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
                WriteTimeoutResponse = ctx => WriteErrorAsync(ctx, StatusCodes.Status504GatewayTimeout,
                    string.Create(CultureInfo.InvariantCulture, $"the request took longer than the {options.RequestTimeout.TotalSeconds:0.#} s timeout")),
            };
        });

        var metrics = new ServeMetrics();
        var models = new ModelHolder(initialModel);
        var gate = new ClassificationGate(options.MaxConcurrentClassifications, options.MaxQueuedClassifications);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(models);
        builder.Services.AddSingleton(gate);
        builder.Services.AddSingleton(dataset);
        builder.Services.AddSingleton(sp => new TrainingJobs(options, models, factory, metrics,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EmoSer.Serve.Training")));

        var app = builder.Build();
        var started = Stopwatch.GetTimestamp();
        var jobs = app.Services.GetRequiredService<TrainingJobs>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EmoSer.Serve");

        app.Use(async (ctx, next) =>
        {
            long t0 = Stopwatch.GetTimestamp();
            try
            {
                await next(ctx);
            }
            catch (ApiException e)
            {
                await WriteErrorAsync(ctx, e.StatusCode, e.Message, e.RetryAfterSeconds);
            }
            catch (BadHttpRequestException e)
            {
                string message = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? string.Create(CultureInfo.InvariantCulture, $"the request body is larger than the {options.MaxBodyBytes / (1024.0 * 1024.0):0.##} MB limit")
                    : e.Message;
                await WriteErrorAsync(ctx, e.StatusCode, message);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                // The client went away: nobody to answer. (Timeouts are answered by the timeout middleware.)
                throw;
            }
            catch (Exception e)
            {
                log.LogError(e, "unhandled error in {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
                await WriteErrorAsync(ctx, StatusCodes.Status500InternalServerError, $"internal error: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                string route = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                metrics.RecordRequest(route, ctx.Request.Method, ctx.Response.StatusCode, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        });
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            string message = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"no such endpoint: {http.Request.Method} {http.Request.Path}",
                StatusCodes.Status405MethodNotAllowed => $"method {http.Request.Method} is not allowed on {http.Request.Path}",
                int code => $"HTTP {code}",
            };
            await WriteErrorAsync(http, http.Response.StatusCode, message);
        });
        app.UseRequestTimeouts();

        WebAssets.Map(app);

        app.MapGet("/healthz", (ModelHolder m, ClassificationGate g) => Results.Json(
            new HealthResponse("ok", m.Current.Engine.Version, Stopwatch.GetElapsedTime(started).TotalSeconds, g.Admitted, jobs.Active?.Id),
            ServeJsonContext.Default.HealthResponse));

        app.MapGet("/metrics", (ModelHolder m, ClassificationGate g) =>
            Results.Text(metrics.Render(m.Current, g.Admitted), "text/plain; version=0.0.4; charset=utf-8"));

        app.MapGet("/predict", async Task<IResult> (HttpContext ctx) =>
        {
            string? idText = ctx.Request.Query["ID"];
            if (idText is null)
                return Results.Json(new DatasetListing(dataset.Entries.Count, dataset.Entries), ServeJsonContext.Default.DatasetListing);
            if (dataset.Directory is null)
                throw new ApiException(StatusCodes.Status404NotFound, "no dataset is configured: start the server with --data DIR");
            int count = dataset.Entries.Count;
            if (!int.TryParse(idText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id) || id < 0 || id >= count)
                throw new ApiException(StatusCodes.Status400BadRequest, $"ID must be an integer in [0, {count})");
            var entry = dataset.Entries[id];
            AudioClip clip;
            try
            {
                clip = WavReader.ReadFile(dataset.PathOf(id));
            }
            catch (Exception e) when (e is AudioFormatException or IOException)
            {
                throw new ApiException(StatusCodes.Status500InternalServerError, $"dataset file {entry.File} could not be read: {e.Message}");
            }
            var model = models.Current;
            float[] probs = await ClassifyAsync(clip, model, gate, metrics, ctx.RequestAborted);
            var (label, confidence) = Top(model.Engine.Labels, probs);
            return Results.Json(new DatasetPrediction(id, entry.File, entry.TrueEmotion, label, confidence, ToMap(model.Engine.Labels, probs), model.Engine.Version),
                ServeJsonContext.Default.DatasetPrediction);
        });

        app.MapPost("/predict", async Task<IResult> (HttpContext ctx) =>
        {
            double? segment = null;
            if (ctx.Request.Query["segment"] is { Count: > 0 } segmentText)
            {
                if (!double.TryParse(segmentText, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !(s >= 0.5 && s <= options.MaxAudioSeconds))
                    throw new ApiException(StatusCodes.Status400BadRequest,
                        string.Create(CultureInfo.InvariantCulture, $"segment must be a number of seconds in [0.5, {options.MaxAudioSeconds:0.#}]"));
                segment = s;
            }
            AudioClip clip = await AudioUpload.ReadAsync(ctx.Request, options, ctx.RequestAborted);
            var model = models.Current;
            using var lease = await EnterAsync(gate, metrics, ctx.RequestAborted);
            float[] mono = clip.ToMono();
            float[] probs = Classify(model, mono, clip.SampleRate, metrics);
            List<TimelineSegment>? timeline = null;
            if (segment is double seconds)
            {
                timeline = [];
                int hop = Math.Max(1, (int)Math.Round(seconds * clip.SampleRate));
                int minimum = clip.SampleRate / 2;
                for (int start = 0; start < mono.Length; start += hop)
                {
                    int length = Math.Min(hop, mono.Length - start);
                    // A short tail joins the segment before it rather than being classified on its own.
                    if (mono.Length - (start + length) < minimum)
                        length = mono.Length - start;
                    float[] p = model.Engine.Classify(mono.AsSpan(start, length), clip.SampleRate);
                    var (segLabel, segConfidence) = Top(model.Engine.Labels, p);
                    timeline.Add(new TimelineSegment((double)start / clip.SampleRate, (double)(start + length) / clip.SampleRate,
                        segLabel, segConfidence, ToMap(model.Engine.Labels, p)));
                    if (start + length >= mono.Length)
                        break;
                }
            }
            var (label, confidence) = Top(model.Engine.Labels, probs);
            return Results.Json(new UploadPrediction(label, confidence, ToMap(model.Engine.Labels, probs), clip.DurationSeconds,
                clip.SampleRate, clip.Channels, model.Engine.Version, timeline), ServeJsonContext.Default.UploadPrediction);
        });

        app.MapGet("/train", () =>
        {
            var model = models.Current;
            var reports = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var (name, json) in model.Reports)
            {
                if (TryParse(json) is { } element)
                    reports[name] = element;
            }
            return Results.Json(new ServedModelInfo(model.Engine.Name, model.Engine.Version, model.Source, model.Engine.Labels, model.Engine.SampleRate,
                model.LoadedAt, model.JobId, TryParse(model.Engine.ModelCardJson), reports, jobs.Active?.Id), ServeJsonContext.Default.ServedModelInfo);
        });

        app.MapPost("/train", async Task<IResult> (HttpContext ctx) =>
        {
            TrainRequest request;
            if (ctx.Request.ContentLength == 0)
            {
                request = new TrainRequest();
            }
            else
            {
                if (ctx.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    throw new ApiException(StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Type '{type}': send the parameters as application/json");
                try
                {
                    using var body = new MemoryStream();
                    await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
                    request = body.Length == 0
                        ? new TrainRequest()
                        : JsonSerializer.Deserialize(body.ToArray(), ServeJsonContext.Default.TrainRequest) ?? new TrainRequest();
                }
                catch (JsonException e)
                {
                    throw new ApiException(StatusCodes.Status400BadRequest, $"invalid JSON body: {e.Message}");
                }
            }
            var job = jobs.Start(request);
            string location = "/train/" + job.Id;
            ctx.Response.Headers.Location = location;
            return Results.Json(new TrainAccepted(job.Id, job.State, location), ServeJsonContext.Default.TrainAccepted,
                statusCode: StatusCodes.Status202Accepted);
        });

        app.MapGet("/train/{id}", (string id) =>
        {
            var job = jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no training job '{id}'");
            return Results.Json(job.Snapshot(), ServeJsonContext.Default.TrainJobStatus);
        });

        app.MapDelete("/train/{id}", (string id) =>
        {
            var job = jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no training job '{id}'");
            if (!jobs.Cancel(job))
                throw new ApiException(StatusCodes.Status409Conflict, $"training job {id} has already finished ({job.State})");
            return Results.Json(job.Snapshot(), ServeJsonContext.Default.TrainJobStatus, statusCode: StatusCodes.Status202Accepted);
        });

        return app;
    }

    /// <summary>Writes <c>{"error": message}</c> unless the response has already started.</summary>
    public static async Task WriteErrorAsync(HttpContext ctx, int status, string message, int? retryAfterSeconds = null)
    {
        if (ctx.Response.HasStarted)
            return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        if (retryAfterSeconds is int seconds)
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new ErrorResponse(message), ServeJsonContext.Default.ErrorResponse);
    }

    private static async Task<float[]> ClassifyAsync(AudioClip clip, ServedModel model, ClassificationGate gate, ServeMetrics metrics, CancellationToken ct)
    {
        using var lease = await EnterAsync(gate, metrics, ct);
        return Classify(model, clip.ToMono(), clip.SampleRate, metrics);
    }

    private static async Task<ClassificationGate.Lease> EnterAsync(ClassificationGate gate, ServeMetrics metrics, CancellationToken ct)
    {
        if (await gate.TryEnterAsync(ct) is { } lease)
            return lease;
        metrics.RecordRejected();
        throw new ApiException(StatusCodes.Status503ServiceUnavailable, "too many classifications in progress; retry shortly") { RetryAfterSeconds = 1 };
    }

    private static float[] Classify(ServedModel model, float[] mono, int sampleRate, ServeMetrics metrics)
    {
        float[] probs = model.Engine.Classify(mono, sampleRate);
        metrics.RecordClassification(Top(model.Engine.Labels, probs).Label);
        return probs;
    }

    private static (string Label, float Confidence) Top(IReadOnlyList<string> labels, float[] probs)
    {
        int best = 0;
        for (int i = 1; i < probs.Length; i++)
        {
            if (probs[i] > probs[best])
                best = i;
        }
        return (labels[best], probs[best]);
    }

    private static Dictionary<string, float> ToMap(IReadOnlyList<string> labels, float[] probs)
    {
        var map = new Dictionary<string, float>(labels.Count, StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++)
            map[labels[i]] = probs[i];
        return map;
    }

    private static JsonElement? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
