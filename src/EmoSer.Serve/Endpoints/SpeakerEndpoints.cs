using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;

/// <summary><c>/speakers/{id}</c>: a speaker profile's summary and file, replacing and deleting it.</summary>
internal static class SpeakerEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(WebApplication app, ServeOptions options, ModelHolder models, SpeakerSessions speakers)
    {
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
            options.ApiKey?.Require(ctx, "DELETE /speakers/{id}");
            return speakers.Remove(id) ? Results.NoContent() : throw NoSpeaker(id);
        });

        app.MapPut("/speakers/{id}", async Task<IResult> (HttpContext ctx, string id) =>
        {
            id = SpeakerSessions.ValidateId(id);
            options.ApiKey?.Require(ctx, "PUT /speakers/{id}");
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
    }

    /// <summary>Largest <c>PUT /speakers/{id}</c> body; a 193-feature profile is about 10 KB.</summary>
    public const int MaxProfileBytes = 64 * 1024;

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
        ServeApp.ReadJsonBodyAsync(request, MaxProfileBytes, "the speaker profile", ct);
}
