using System.Text.Json;

namespace EmoSer.Serve;

/// <summary><c>/train</c>: the served model and its reports; starting, following and cancelling training jobs.</summary>
internal static class TrainEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(WebApplication app, ServeOptions options, ModelHolder models, TrainingJobs jobs)
    {
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
            options.ApiKey?.Require(ctx, "POST /train");
            TrainRequest request;
            if (ctx.Request.ContentLength == 0)
            {
                request = new TrainRequest();
            }
            else
            {
                if (ctx.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    throw new ApiException(StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Type '{type}': send the parameters as application/json");
                byte[] body = await ServeApp.ReadJsonBodyAsync(ctx.Request, MaxTrainRequestBytes, "the training parameters", ctx.RequestAborted);
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
            options.ApiKey?.Require(ctx, "DELETE /train/{id}");
            var job = jobs.Find(id) ?? throw new ApiException(StatusCodes.Status404NotFound, $"no training job '{id}'");
            if (!jobs.Cancel(job))
                throw new ApiException(StatusCodes.Status409Conflict, $"training job {id} has already finished ({job.State})");
            return Results.Json(job.Snapshot(), ServeJsonContext.Default.TrainJobStatus, statusCode: StatusCodes.Status202Accepted);
        });
    }

    /// <summary>Largest <c>POST /train</c> body: a handful of parameters.</summary>
    private const int MaxTrainRequestBytes = 16 * 1024;

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
