using System.Globalization;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Serve;

/// <summary>
/// <c>GET /predict</c> (the dataset's files, or one of them classified) and <c>POST /predict</c> (an upload,
/// optionally as a timeline of segments), with or without a speaker's profile.
/// </summary>
internal static class PredictEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static void Map(WebApplication app, ServeOptions options, DatasetIndex dataset, ModelHolder models, ClassificationGate gate,
        SpeakerSessions speakers, ServeMetrics metrics)
    {
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
                options.ApiKey?.Require(ctx, SpeakerPrediction);
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
                // The runtime's rule, as for the CLI and the C API; a segment longer than the clip is the whole clip.
                // Unparsable text is not echoed: a query value may be long or hold line breaks.
                double s = double.TryParse(segmentText, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : double.NaN;
                if (InputLimits.SegmentLengthProblem(s, "segment") is { } problem)
                    throw new ApiException(StatusCodes.Status400BadRequest, problem);
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
                options.ApiKey?.Require(ctx, SpeakerPrediction);
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
                // The runtime's one segmentation (as classify --segment): resampled once, cut at the model's rate.
                timeline = [];
                foreach (SegmentClassification s in model.Engine.ClassifySegments(clip, seconds, turn?.Profile))
                {
                    float[] p = s.Classification.Probabilities;
                    var (segLabel, segConfidence) = Top(model.Engine.Labels, p, minConfidence);
                    timeline.Add(new TimelineSegment(s.Start, s.End, segLabel, segConfidence, ToMap(model.Engine.Labels, p)));
                }
            }
            // Enrolled after every segment was classified: no part of the clip sees its own statistics.
            SpeakerUsage? usage = turn?.Enroll();
            var (label, confidence) = Top(model.Engine.Labels, probs, minConfidence);
            return Results.Json(new UploadPrediction(label, confidence, ToMap(model.Engine.Labels, probs), clip.DurationSeconds,
                clip.SampleRate, clip.Channels, model.Engine.Version, usage, timeline), ServeJsonContext.Default.UploadPrediction);
        }).Limit(ClientRateLimits.Uploads, options);
    }

    /// <summary>What a request that adds to a speaker's profile is called in the error that asks for the key.</summary>
    private const string SpeakerPrediction = "a prediction with a speaker id (it adds the clip to the speaker's profile)";

    /// <summary>The <c>speaker</c> query parameter, validated; null when absent.</summary>
    private static string? QuerySpeaker(HttpRequest request)
    {
        if (!request.Query.TryGetValue("speaker", out var values))
            return null;
        if (values.Count > 1)
            throw new ApiException(StatusCodes.Status400BadRequest, "the speaker parameter is given more than once");
        return SpeakerSessions.ValidateId(values[0]);
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
        int best = Classification.IndexOfTop(probs);
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
}
