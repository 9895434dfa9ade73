using System.Text.Json;
using System.Text.Json.Serialization;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;

// The JSON bodies of the HTTP API (docs/http-api.md). Property names are snake_case on the wire.

/// <summary>Every error response: <c>{"error": "..."}</c>.</summary>
internal sealed record ErrorResponse(string Error);

/// <summary>One file of the browsed dataset.</summary>
internal sealed record DatasetEntry(int Id, string File, string? TrueEmotion, string? Speaker);

/// <summary><c>GET /predict</c>: the dataset in a stable (ordinal) order.</summary>
internal sealed record DatasetListing(int Count, IReadOnlyList<DatasetEntry> Files);

/// <summary><c>GET /predict?ID=n</c>: the seed's response with proper types.</summary>
internal sealed record DatasetPrediction(
    int Id,
    string File,
    string? TrueEmotion,
    string PredictedEmotion,
    float Confidence,
    Dictionary<string, float> Probabilities,
    string Model,
    SpeakerUsage? Speaker = null);

/// <summary>One segment of a <c>?segment=</c> timeline.</summary>
internal sealed record TimelineSegment(double Start, double End, string PredictedEmotion, float Confidence, Dictionary<string, float> Probabilities);

/// <summary><c>POST /predict</c>: the classification of the uploaded audio.</summary>
internal sealed record UploadPrediction(
    string PredictedEmotion,
    float Confidence,
    Dictionary<string, float> Probabilities,
    double DurationSeconds,
    int SampleRate,
    int Channels,
    string Model,
    SpeakerUsage? Speaker,
    IReadOnlyList<TimelineSegment>? Timeline);

/// <summary>
/// The <c>speaker</c> member of a prediction made with <c>?speaker=ID</c> (only when the model has speaker normalization):
/// which statistics standardized the features and whether the clip was then added to the profile.
/// </summary>
/// <param name="Id">The speaker id.</param>
/// <param name="Source">"profile" (the speaker's profile had utterances) or "population" (it was empty).</param>
/// <param name="Utterances">Utterances in the profile used for this prediction (before this clip was added).</param>
/// <param name="Enrolled">Whether this clip was added to the profile afterwards (false when silent).</param>
internal sealed record SpeakerUsage(string Id, string Source, long Utterances, bool Enrolled);

/// <summary><c>GET /speakers/{id}</c> and the answer to <c>PUT /speakers/{id}</c>.</summary>
/// <param name="Id">The speaker id.</param>
/// <param name="Utterances">Utterances in the profile.</param>
/// <param name="FeatureSet">Feature set id of the statistics.</param>
/// <param name="ExtractorVersion">Feature extractor version of the statistics.</param>
/// <param name="SampleRate">Sample rate (Hz) the features were computed at.</param>
internal sealed record SpeakerInfo(string Id, long Utterances, string FeatureSet, int ExtractorVersion, int SampleRate);

/// <summary><c>POST /train</c> body: the seed's parameters and ours. Missing values take the trainer's defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record TrainRequest
{
    /// <summary>seed, holdout or loso (evaluate only) or full (train the model to serve on all the data).</summary>
    public string? Protocol { get; init; }

    /// <summary>The trainer's recipe: default (the shipped recipe, when absent), emodb or seed.</summary>
    public string? Recipe { get; init; }

    /// <summary>Whether to augment the training utterances.</summary>
    public bool? Augment { get; init; }

    /// <summary>Augmented copies per training utterance.</summary>
    public int? NModifications { get; init; }

    /// <summary>Test fraction for seed/holdout.</summary>
    public double? TestSize { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public int? RandomState { get; init; }

    /// <summary>Training epochs (maximum, with early stopping).</summary>
    public int? Epochs { get; init; }

    /// <summary>Optimizer name, e.g. adam or rmsprop.</summary>
    public string? Optimizer { get; init; }
}

/// <summary><c>POST /train</c> answer (202).</summary>
internal sealed record TrainAccepted(string Id, string State, string Location);

/// <summary>Where a job is: feature extraction, then fold/member/epoch of the last epoch event.</summary>
internal sealed record JobProgress(int? FeaturesDone, int? FeaturesTotal, string? Fold, int? Member, int? Epoch, int? Epochs, int EpochEvents);

/// <summary>One point of the live training curve (one epoch event of the trainer).</summary>
internal sealed record EpochPoint(string? Fold, int? Member, int Epoch, double? Loss, double? Acc, double? ValLoss, double? ValAcc);

/// <summary><c>GET /train/{id}</c>.</summary>
internal sealed record TrainJobStatus(
    string Id,
    string State,
    TrainRequest Params,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int? Pid,
    JobProgress Progress,
    IReadOnlyList<EpochPoint> Curve,
    IReadOnlyList<string> LogTail,
    string? Error,
    string? ModelVersion,
    JsonElement? Report);

/// <summary><c>GET /train</c>: the model being served and its metrics.</summary>
internal sealed record ServedModelInfo(
    string Name,
    string Version,
    string Source,
    IReadOnlyList<string> Labels,
    int SampleRate,
    DateTimeOffset LoadedAt,
    string? JobId,
    bool SpeakerNormalization,
    JsonElement? ModelCard,
    Dictionary<string, JsonElement> Reports,
    string? ActiveJob);

/// <summary><c>GET /healthz</c>.</summary>
internal sealed record HealthResponse(string Status, string Model, double UptimeSeconds, int ClassificationsInProgress, string? ActiveJob);

/// <summary>Source-generated (AOT-safe) serialization of every API body.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(DatasetListing))]
[JsonSerializable(typeof(DatasetPrediction))]
[JsonSerializable(typeof(UploadPrediction))]
[JsonSerializable(typeof(TrainRequest))]
[JsonSerializable(typeof(TrainAccepted))]
[JsonSerializable(typeof(TrainJobStatus))]
[JsonSerializable(typeof(ServedModelInfo))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(SpeakerInfo))]
internal sealed partial class ServeJsonContext : JsonSerializerContext;
