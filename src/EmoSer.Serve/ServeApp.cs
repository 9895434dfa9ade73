using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;

namespace EmoSer.Serve;

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
        builder.WebHost.UseUrls(ServeCommand.SplitUrls(options.Urls));
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Multipart framing adds a little to the file; our own reader enforces the exact limit.
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes + AudioUpload.MultipartSlack;
            k.AddServerHeader = false;
            // Kestrel's own refusals (400, 414, 431, ...) get the JSON body every error of the API has.
            KestrelErrorBodies.Use(k);
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("EmoSer", LogLevel.Information);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServeJsonContext.Default));
        ClientRateLimits.Add(builder.Services, options);
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
        var speakers = new SpeakerSessions(options.MaxSpeakerProfiles);
        // Profiles are statistics of one model's features: after a swap only those of the same features stay usable.
        models.Swapped += next => speakers.DropIncompatible(next.Engine.SpeakerFeatures);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(models);
        builder.Services.AddSingleton(gate);
        builder.Services.AddSingleton(speakers);
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
                await WriteErrorAsync(ctx, e.StatusCode, e.Message, e.RetryAfterSeconds, e.Authenticate);
            }
            catch (BadHttpRequestException e)
            {
                // Kestrel's reasons are framework texts (resource keys in the native build): say it ourselves.
                await WriteErrorAsync(ctx, e.StatusCode, BadRequestMessage(e.StatusCode, options));
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
            {
                // The client went away: nobody to answer. (Timeouts are answered by the timeout middleware.)
                throw;
            }
            catch (ModelFormatException e)
            {
                // The served model's own failure (a network that overflows on this input): no result, the model named.
                log.LogError(e, "model failure in {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
                await WriteErrorAsync(ctx, StatusCodes.Status500InternalServerError, e.Message);
            }
            catch (Exception e)
            {
                log.LogError(e, "unhandled error in {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
                await WriteErrorAsync(ctx, StatusCodes.Status500InternalServerError, $"internal error ({e.GetType().Name}): a bug in emoser serve, logged on the server");
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
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseRateLimiter();
        var auth = options.ApiKey;

        WebAssets.Map(app);
        LiveStream.Map(app, options, models);

        app.MapGet("/healthz", (ModelHolder m, ClassificationGate g) => Results.Json(
            new HealthResponse("ok", m.Current.Engine.Version, Stopwatch.GetElapsedTime(started).TotalSeconds, g.Admitted, jobs.Active?.Id),
            ServeJsonContext.Default.HealthResponse));

        app.MapGet("/metrics", (ModelHolder m, ClassificationGate g) =>
            Results.Text(metrics.Render(m.Current, g.Admitted, speakers), "text/plain; version=0.0.4; charset=utf-8"));

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
            string? speakerId = QuerySpeaker(ctx.Request);
            if (speakerId is not null)
                auth?.Require(ctx, SpeakerPrediction);
            float minConfidence = QueryMinConfidence(ctx.Request);
            AudioClip clip;
            try
            {
                clip = AudioFile.Read(dataset.PathOf(id), options.DecodeOptions);
            }
            catch (AudioFormatException e)
            {
                throw new ApiException(StatusCodes.Status500InternalServerError, $"dataset file {entry.File} could not be read: {e.Problem}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ApiException(StatusCodes.Status500InternalServerError, $"dataset file {entry.File} could not be read: {EmoSer.Runtime.ErrorText.Describe(e)}");
            }
            var model = models.Current;
            float[] mono = clip.ToMono();
            using var lease = await EnterAsync(gate, metrics, ctx.RequestAborted);
            var turn = SpeakerTurn.Begin(speakers, model, speakerId);
            float[] probs = Classify(model, mono, clip.SampleRate, turn, metrics);
            SpeakerUsage? usage = turn?.Enroll();
            var (label, confidence) = Top(model.Engine.Labels, probs, minConfidence);
            return Results.Json(new DatasetPrediction(id, entry.File, entry.TrueEmotion, label, confidence, ToMap(model.Engine.Labels, probs), model.Engine.Version, usage),
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
            string? speakerId = QuerySpeaker(ctx.Request);
            float minConfidence = QueryMinConfidence(ctx.Request);
            var (clip, speakerField) = await AudioUpload.ReadUploadAsync(ctx.Request, options, ctx.RequestAborted);
            if (speakerField is not null)
            {
                speakerField = SpeakerSessions.ValidateId(speakerField);
                if (speakerId is not null && speakerId != speakerField)
                    throw new ApiException(StatusCodes.Status400BadRequest,
                        $"two different speaker ids: '{speakerId}' in the query and '{speakerField}' in the form");
                speakerId = speakerField;
            }
            if (speakerId is not null)
                auth?.Require(ctx, SpeakerPrediction);
            var model = models.Current;
            // Refused here as bad input (400), like every other upload problem, rather than failing in the resampler.
            if (!Resampler.SupportsRatio(clip.SampleRate, model.Engine.SampleRate))
                throw new ApiException(StatusCodes.Status400BadRequest,
                    $"sample rate {clip.SampleRate} Hz cannot be resampled to the model's {model.Engine.SampleRate} Hz (ratio beyond 1:{Resampler.MaxRatio})");
            using var lease = await EnterAsync(gate, metrics, ctx.RequestAborted);
            float[] mono = clip.ToMono();
            var turn = SpeakerTurn.Begin(speakers, model, speakerId);
            float[] probs = Classify(model, mono, clip.SampleRate, turn, metrics);
            List<TimelineSegment>? timeline = null;
            if (segment is double seconds)
            {
                timeline = [];
                long hop = Math.Max(1, (long)Math.Round(seconds * clip.SampleRate));
                foreach (var (start, end) in TimelineSegments.Bounds(mono.Length, hop))
                {
                    int length = end - start;
                    float[] p = turn is null
                        ? model.Engine.Classify(mono.AsSpan(start, length), clip.SampleRate)
                        : model.Engine.Classify(mono.AsSpan(start, length), clip.SampleRate, turn.Profile);
                    var (segLabel, segConfidence) = Top(model.Engine.Labels, p, minConfidence);
                    timeline.Add(new TimelineSegment((double)start / clip.SampleRate, (double)end / clip.SampleRate,
                        segLabel, segConfidence, ToMap(model.Engine.Labels, p)));
                }
            }
            // Enrolled after every segment was classified: no part of the clip sees its own statistics.
            SpeakerUsage? usage = turn?.Enroll();
            var (label, confidence) = Top(model.Engine.Labels, probs, minConfidence);
            return Results.Json(new UploadPrediction(label, confidence, ToMap(model.Engine.Labels, probs), clip.DurationSeconds,
                clip.SampleRate, clip.Channels, model.Engine.Version, usage, timeline), ServeJsonContext.Default.UploadPrediction);
        }).Limit(ClientRateLimits.Uploads, options);

        app.MapGet("/speakers/{id}", (string id) =>
        {
            var (session, _) = FindSpeaker(speakers, models.Current, id);
            return Results.Json(Info(session, session.Count), ServeJsonContext.Default.SpeakerInfo);
        });

        app.MapGet("/speakers/{id}/profile", (string id) =>
        {
            var (session, features) = FindSpeaker(speakers, models.Current, id);
            var file = new SpeakerProfileFile(session.Snapshot(), features.FeatureSetId, features.ExtractorVersion, features.SampleRate);
            return Results.Bytes(file.ToUtf8(), "application/json; charset=utf-8");
        });

        app.MapDelete("/speakers/{id}", (HttpContext ctx, string id) =>
        {
            id = SpeakerSessions.ValidateId(id);
            auth?.Require(ctx, "DELETE /speakers/{id}");
            return speakers.Remove(id) ? Results.NoContent() : throw NoSpeaker(id);
        });

        app.MapPut("/speakers/{id}", async Task<IResult> (HttpContext ctx, string id) =>
        {
            id = SpeakerSessions.ValidateId(id);
            auth?.Require(ctx, "PUT /speakers/{id}");
            var model = models.Current;
            if (model.Engine.SpeakerFeatures is not { } features)
                throw new ApiException(StatusCodes.Status409Conflict, $"model '{model.Engine.Name}' has no speaker normalization: it does not use speaker profiles");
            if (ctx.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                throw new ApiException(StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Type '{type}': send the speaker profile as application/json");
            byte[] body = await ReadProfileBodyAsync(ctx.Request, ctx.RequestAborted);
            SpeakerProfileFile file;
            try
            {
                file = SpeakerProfileFile.Parse(body, "request body");
            }
            catch (SpeakerProfileFormatException e)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, e.Message);
            }
            if (model.Engine.ProfileMismatch(file) is { } problem)
                throw new ApiException(StatusCodes.Status400BadRequest, "request body: " + problem);
            long count = file.Profile.Count;
            bool replaced = speakers.Put(id, features, file.Profile);
            return Results.Json(new SpeakerInfo(id, count, features.FeatureSetId, features.ExtractorVersion, features.SampleRate),
                ServeJsonContext.Default.SpeakerInfo, statusCode: replaced ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }).Limit(ClientRateLimits.Uploads, options);

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
                model.LoadedAt, model.JobId, model.Engine.SpeakerFeatures is not null, TryParse(model.Engine.ModelCardJson), reports, jobs.Active?.Id), ServeJsonContext.Default.ServedModelInfo);
        });

        app.MapPost("/train", async Task<IResult> (HttpContext ctx) =>
        {
            auth?.Require(ctx, "POST /train");
            TrainRequest request;
            if (ctx.Request.ContentLength == 0)
            {
                request = new TrainRequest();
            }
            else
            {
                if (ctx.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    throw new ApiException(StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Type '{type}': send the parameters as application/json");
                byte[] body = await ReadJsonBodyAsync(ctx.Request, MaxTrainRequestBytes, "the training parameters", ctx.RequestAborted);
                request = body.Length == 0 ? new TrainRequest() : TrainRequests.Parse(body);
            }
            var job = jobs.Start(request);
            string location = "/train/" + job.Id;
            ctx.Response.Headers.Location = location;
            return Results.Json(new TrainAccepted(job.Id, job.State, location), ServeJsonContext.Default.TrainAccepted,
                statusCode: StatusCodes.Status202Accepted);
        }).Limit(ClientRateLimits.Training, options);

        app.MapGet("/train/{id}", (string id) =>
        {
            var job = jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no training job '{id}'");
            return Results.Json(job.Snapshot(), ServeJsonContext.Default.TrainJobStatus);
        });

        app.MapDelete("/train/{id}", (HttpContext ctx, string id) =>
        {
            auth?.Require(ctx, "DELETE /train/{id}");
            var job = jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no training job '{id}'");
            if (!jobs.Cancel(job))
                throw new ApiException(StatusCodes.Status409Conflict, $"training job {id} has already finished ({job.State})");
            return Results.Json(job.Snapshot(), ServeJsonContext.Default.TrainJobStatus, statusCode: StatusCodes.Status202Accepted);
        });

        return app;
    }

    /// <summary>Writes <c>{"error": message}</c> (one line, bounded) unless the response has already started.</summary>
    public static async Task WriteErrorAsync(HttpContext ctx, int status, string message, int? retryAfterSeconds = null, string? authenticate = null)
    {
        if (ctx.Response.HasStarted)
            return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        if (retryAfterSeconds is int seconds)
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (authenticate is not null)
            ctx.Response.Headers.WWWAuthenticate = authenticate;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new ErrorResponse(EmoSer.Runtime.ErrorText.OneLine(message)), ServeJsonContext.Default.ErrorResponse);
    }

    /// <summary>What a request that adds to a speaker's profile is called in the error that asks for the key.</summary>
    private const string SpeakerPrediction = "a prediction with a speaker id (it adds the clip to the speaker's profile)";

    /// <summary>Largest <c>POST /train</c> body: a handful of parameters.</summary>
    private const int MaxTrainRequestBytes = 16 * 1024;

    /// <summary>Our words for a request Kestrel found broken while the application read it.</summary>
    private static string BadRequestMessage(int status, ServeOptions options) => status switch
    {
        StatusCodes.Status413PayloadTooLarge =>
            string.Create(CultureInfo.InvariantCulture, $"the request body is larger than the {options.MaxBodyBytes / (1024.0 * 1024.0):0.##} MB limit"),
        StatusCodes.Status408RequestTimeout => "the request body arrived too slowly",
        StatusCodes.Status400BadRequest => "the request body ended before its declared length, or its chunked encoding is malformed",
        _ => string.Create(CultureInfo.InvariantCulture, $"bad request (HTTP {status})"),
    };

    /// <summary>Largest <c>PUT /speakers/{id}</c> body; a 193-feature profile is about 10 KB.</summary>
    public const int MaxProfileBytes = 64 * 1024;

    /// <summary>The <c>speaker</c> query parameter, validated; null when absent.</summary>
    private static string? QuerySpeaker(HttpRequest request)
    {
        if (!request.Query.TryGetValue("speaker", out var values))
            return null;
        if (values.Count > 1)
            throw new ApiException(StatusCodes.Status400BadRequest, "the speaker parameter is given more than once");
        return SpeakerSessions.ValidateId(values[0]);
    }

    private static (SpeakerSessions.Session Session, SpeakerFeatures Features) FindSpeaker(SpeakerSessions speakers, ServedModel model, string id)
    {
        id = SpeakerSessions.ValidateId(id);
        var features = model.Engine.SpeakerFeatures;
        if (speakers.Find(id, features) is not { } session || features is null)
            throw NoSpeaker(id);
        return (session, features);
    }

    private static ApiException NoSpeaker(string id) => new(StatusCodes.Status404NotFound, $"no speaker profile '{id}'");

    private static SpeakerInfo Info(SpeakerSessions.Session session, long count) =>
        new(session.Id, count, session.Features.FeatureSetId, session.Features.ExtractorVersion, session.Features.SampleRate);

    private static Task<byte[]> ReadProfileBodyAsync(HttpRequest request, CancellationToken ct) =>
        ReadJsonBodyAsync(request, MaxProfileBytes, "the speaker profile", ct);

    /// <summary>A small JSON body, refused (413) as soon as it passes <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]> ReadJsonBodyAsync(HttpRequest request, int limit, string what, CancellationToken ct)
    {
        string tooLarge = $"{what} is larger than the {limit / 1024} KB limit";
        if (request.ContentLength > limit)
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, tooLarge);
        using var memory = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        try
        {
            while ((n = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (memory.Length + n > limit)
                    throw new ApiException(StatusCodes.Status413PayloadTooLarge, tooLarge);
                memory.Write(buffer, 0, n);
            }
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            throw AudioUpload.BrokenBody();
        }
        return memory.ToArray();
    }

    private static async Task<ClassificationGate.Lease> EnterAsync(ClassificationGate gate, ServeMetrics metrics, CancellationToken ct)
    {
        if (await gate.TryEnterAsync(ct) is { } lease)
            return lease;
        metrics.RecordRejected();
        throw new ApiException(StatusCodes.Status503ServiceUnavailable, "too many classifications in progress; retry shortly") { RetryAfterSeconds = 1 };
    }

    private static float[] Classify(ServedModel model, float[] mono, int sampleRate, SpeakerTurn? turn, ServeMetrics metrics)
    {
        float[] probs = turn is null ? model.Engine.Classify(mono, sampleRate) : turn.Classify(model, mono, sampleRate);
        metrics.RecordClassification(Top(model.Engine.Labels, probs).Label);
        return probs;
    }

    private static (string Label, float Confidence) Top(IReadOnlyList<string> labels, float[] probs, float minConfidence = 0)
    {
        int best = 0;
        for (int i = 1; i < probs.Length; i++)
        {
            if (probs[i] > probs[best])
                best = i;
        }
        // The runtime's rule, as classify --min-confidence and the C API apply it.
        var decided = new Classification(labels[best], probs[best], labels, probs, 0).WithMinConfidence(minConfidence);
        return (decided.Emotion, probs[best]);
    }

    /// <summary>The <c>min_confidence</c> query parameter (0 when absent): a number in [0, 1], else 400.</summary>
    private static float QueryMinConfidence(HttpRequest request)
    {
        if (!request.Query.TryGetValue("min_confidence", out var values))
            return 0;
        if (values.Count != 1 || !float.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float p) || !(p >= 0 && p <= 1))
            throw new ApiException(StatusCodes.Status400BadRequest, "min_confidence must be one number in [0, 1]");
        return p;
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

/// <summary>
/// One prediction for a speaker: the profile as it stood when the classification started (a copy, so the
/// classification runs without a lock and never sees this clip), then the clip's features added to the live profile.
/// </summary>
internal sealed class SpeakerTurn
{
    private readonly SpeakerSessions.Session _session;
    private float[]? _features;

    private SpeakerTurn(SpeakerSessions.Session session)
    {
        _session = session;
        Profile = session.Snapshot();
    }

    /// <summary>The statistics this prediction uses.</summary>
    public SpeakerProfile Profile { get; }

    /// <summary>A turn for <paramref name="id"/>, or null without an id or when the model has no speaker normalization (the id is then ignored).</summary>
    public static SpeakerTurn? Begin(SpeakerSessions speakers, ServedModel model, string? id) =>
        id is not null && model.Engine.SpeakerFeatures is { } features ? new SpeakerTurn(speakers.GetOrCreate(id, features)) : null;

    /// <summary>
    /// Classifies the clip with <see cref="Profile"/> and keeps its features for <see cref="Enroll"/>: one extraction
    /// serves both. Call once per turn.
    /// </summary>
    public float[] Classify(ServedModel model, ReadOnlySpan<float> mono, int sampleRate)
    {
        SpeakerPrediction prediction = model.Engine.ClassifyForSpeaker(mono, sampleRate, Profile);
        _features = prediction.Features;
        return prediction.Probabilities;
    }

    /// <summary>Adds the clip classified by <see cref="Classify"/> to the speaker's profile (unless silent) and describes the prediction's statistics.</summary>
    public SpeakerUsage Enroll()
    {
        if (_features is not null)
            _session.Add(_features);
        long used = Profile.Count;
        return new SpeakerUsage(_session.Id, used > 0 ? "profile" : "population", used, _features is not null);
    }
}
