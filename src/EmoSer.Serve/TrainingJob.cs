using System.Diagnostics;
using System.Text.Json;

namespace EmoSer.Serve;

/// <summary>
/// One run of <c>emoser-train fit --events</c>: its state, the live curve from the trainer's epoch events,
/// and the tail of its log. Mutated by the job's reader task, read by requests; every access takes the lock.
/// </summary>
internal sealed class TrainingJob(string id, TrainRequest parameters)
{
    /// <summary>Lines of trainer output kept for <c>log_tail</c>.</summary>
    public const int LogTailLines = 200;

    /// <summary>Epoch events kept for the curve (a runaway trainer cannot grow memory without bound).</summary>
    public const int MaxCurvePoints = 20_000;

    private readonly Lock _lock = new();
    private readonly Queue<string> _log = new();
    private readonly List<EpochPoint> _curve = [];
    private string _state = JobStates.Queued;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _finishedAt;
    private int? _pid;
    private int? _epochsTotal;
    private int? _featuresDone;
    private int? _featuresTotal;
    private int _epochEvents;
    private string? _error;
    private string? _modelVersion;
    private string? _reportJson;

    /// <summary>The job id (also the last segment of its URL).</summary>
    public string Id { get; } = id;

    /// <summary>The parameters it was started with.</summary>
    public TrainRequest Parameters { get; } = parameters;

    /// <summary>When POST /train accepted it.</summary>
    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    private Process? _process;
    private bool _cancelRequested;

    /// <summary>Set by DELETE: the exit that follows is a cancellation, not a failure.</summary>
    public bool CancelRequested
    {
        get { lock (_lock) return _cancelRequested; }
    }

    /// <summary>Records the started trainer; kills it at once if a cancel came in while it was starting.</summary>
    public void AttachProcess(Process process)
    {
        bool cancel;
        lock (_lock)
        {
            _process = process;
            cancel = _cancelRequested;
        }
        if (cancel)
            KillQuietly(process);
    }

    /// <summary>Forgets the trainer process once it has exited.</summary>
    public void DetachProcess()
    {
        lock (_lock)
            _process = null;
    }

    /// <summary>Marks the job cancelled and kills the trainer's process tree if it is running.</summary>
    public void RequestCancel()
    {
        Process? process;
        lock (_lock)
        {
            _cancelRequested = true;
            process = _process;
        }
        if (process is not null)
            KillQuietly(process);
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: the runner records the outcome.
        }
    }

    /// <summary>The error message of the trainer's error event, if it sent one.</summary>
    public string? TrainerError { get; private set; }

    /// <summary>Weights path of the done event.</summary>
    public string? DoneWeights { get; private set; }

    /// <summary>Report path of the done event.</summary>
    public string? DoneReport { get; private set; }

    /// <summary>Whether the trainer sent its done event.</summary>
    public bool Done { get; private set; }

    /// <summary>Current state (see <see cref="JobStates"/>).</summary>
    public string State
    {
        get { lock (_lock) return _state; }
    }

    /// <summary>Whether the job is still queued or running.</summary>
    public bool IsActive => State is JobStates.Queued or JobStates.Running;

    /// <summary>Marks the process started.</summary>
    public void MarkRunning(int pid)
    {
        lock (_lock)
        {
            _state = JobStates.Running;
            _startedAt = DateTimeOffset.UtcNow;
            _pid = pid;
        }
    }

    /// <summary>Moves to a final state.</summary>
    public void Finish(string state, string? error, string? modelVersion, string? reportJson)
    {
        lock (_lock)
        {
            _state = state;
            _error = error;
            _modelVersion = modelVersion;
            _reportJson = reportJson;
            _finishedAt = DateTimeOffset.UtcNow;
            _pid = null;
        }
    }

    /// <summary>Appends a line to the log tail.</summary>
    public void AppendLog(string line)
    {
        if (line.Length > 2000)
            line = string.Concat(line.AsSpan(0, 2000), "…");
        lock (_lock)
        {
            _log.Enqueue(line);
            while (_log.Count > LogTailLines)
                _log.Dequeue();
        }
    }

    /// <summary>
    /// Handles one stdout line of the trainer: a JSON event (docs/trainer-events.md) or plain text, which goes
    /// to the log as is.
    /// </summary>
    public void HandleOutputLine(string line)
    {
        if (line.Length == 0 || line[0] != '{')
        {
            AppendLog(line);
            return;
        }
        try
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            string? type = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "epoch":
                    var point = new EpochPoint(Label(e, "fold"), Int(e, "member"), Int(e, "epoch") ?? 0, Num(e, "loss"), Num(e, "acc"), Num(e, "val_loss"), Num(e, "val_acc"));
                    lock (_lock)
                    {
                        _epochEvents++;
                        _epochsTotal = Int(e, "epochs") ?? _epochsTotal;
                        if (_curve.Count < MaxCurvePoints)
                            _curve.Add(point);
                    }
                    break;
                case "features":
                    lock (_lock)
                    {
                        _featuresDone = Int(e, "done");
                        _featuresTotal = Int(e, "total");
                    }
                    break;
                case "log":
                    AppendLog(Str(e, "message") ?? Str(e, "text") ?? Str(e, "line") ?? line);
                    break;
                case "done":
                    Done = true;
                    DoneWeights = Str(e, "weights");
                    DoneReport = Str(e, "report");
                    AppendLog(line);
                    break;
                case "error":
                    TrainerError = Str(e, "message") ?? "the trainer reported an error";
                    AppendLog("error: " + TrainerError);
                    break;
                default:
                    AppendLog(line);
                    break;
            }
        }
        catch (JsonException)
        {
            AppendLog(line);
        }
    }

    /// <summary>A consistent copy for <c>GET /train/{id}</c>.</summary>
    public TrainJobStatus Snapshot()
    {
        lock (_lock)
        {
            EpochPoint? last = _curve.Count > 0 ? _curve[^1] : null;
            JsonElement? report = null;
            if (_reportJson is not null)
            {
                try
                {
                    using var doc = JsonDocument.Parse(_reportJson);
                    report = doc.RootElement.Clone();
                }
                catch (JsonException)
                {
                    report = null;
                }
            }
            return new TrainJobStatus(Id, _state, Parameters, CreatedAt, _startedAt, _finishedAt, _pid,
                new JobProgress(_featuresDone, _featuresTotal, last?.Fold, last?.Member, last?.Epoch, _epochsTotal, _epochEvents),
                _curve.ToArray(), _log.ToArray(), _error, _modelVersion, report);
        }
    }

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;

    /// <summary>A string, or a number written as text (folds are speaker ids or names).</summary>
    private static string? Label(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : v.ValueKind == JsonValueKind.Number ? v.GetRawText()
        : null;

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && double.IsFinite(d) ? d : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>The states of a training job.</summary>
internal static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
