using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmoSer.Runtime.Model;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Serve;

/// <summary>
/// Builds the <c>emoser serve</c> web application: Kestrel with the configured limits, the JSON error handling,
/// metrics, and the endpoints of docs/http-api.md, mapped by one class per resource (<see cref="PredictEndpoints"/>,
/// <see cref="SpeakerEndpoints"/>, <see cref="TrainEndpoints"/>, <see cref="HealthEndpoints"/>, <see cref="LiveStream"/>,
/// <see cref="WebAssets"/>). Tests build it the same way on port 0.
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

        WebAssets.Map(app);
        LiveStream.Map(app, options, models);
        HealthEndpoints.Map(app, metrics, speakers, jobs, started);
        PredictEndpoints.Map(app, options, dataset, models, gate, speakers, metrics);
        SpeakerEndpoints.Map(app, options, models, speakers);
        TrainEndpoints.Map(app, options, models, jobs);
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

    /// <summary>Our words for a request Kestrel found broken while the application read it.</summary>
    private static string BadRequestMessage(int status, ServeOptions options) => status switch
    {
        StatusCodes.Status413PayloadTooLarge =>
            string.Create(CultureInfo.InvariantCulture, $"the request body is larger than the {options.MaxBodyBytes / (1024.0 * 1024.0):0.##} MB limit"),
        StatusCodes.Status408RequestTimeout => "the request body arrived too slowly",
        StatusCodes.Status400BadRequest => "the request body ended before its declared length, or its chunked encoding is malformed",
        _ => string.Create(CultureInfo.InvariantCulture, $"bad request (HTTP {status})"),
    };

    /// <summary>A small JSON body, refused (413) as soon as it passes <paramref name="limit"/> bytes.</summary>
    internal static async Task<byte[]> ReadJsonBodyAsync(HttpRequest request, int limit, string what, CancellationToken ct)
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
}
