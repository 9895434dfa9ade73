using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EmoSer.Programs;

namespace EmoSer.Serve;

/// <summary>
/// Runs training jobs one at a time as separate <c>emoser-train fit --events</c> processes, follows their
/// event stream, and on success loads the new weights and swaps them in. A job that fails, is killed or is
/// cancelled never touches the served model.
/// </summary>
internal sealed class TrainingJobs(ServeOptions options, ModelHolder models, ModelFactory factory, ServeMetrics metrics, ILogger logger)
{
    /// <summary>Finished jobs kept for GET /train/{id}.</summary>
    public const int KeptJobs = 50;

    private readonly ConcurrentDictionary<string, TrainingJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly Lock _startLock = new();
    private TrainingJob? _active;

    /// <summary>The queued or running job, if any.</summary>
    public TrainingJob? Active
    {
        get
        {
            var job = Volatile.Read(ref _active);
            return job is { IsActive: true } ? job : null;
        }
    }

    /// <summary>Looks a job up by id.</summary>
    public TrainingJob? Find(string id) => _jobs.TryGetValue(id, out var job) ? job : null;

    /// <summary>Validates <paramref name="request"/> and starts a job.</summary>
    /// <exception cref="ApiException">400 for bad parameters, 409 while a job runs, 503 without trainer or data.</exception>
    public TrainingJob Start(TrainRequest request)
    {
        Validate(request);
        string dataDir = options.DataDir ?? throw new ApiException(StatusCodes.Status503ServiceUnavailable,
            "training needs a dataset: start the server with --data DIR");
        string trainer = ResolveTrainer() ?? throw new ApiException(StatusCodes.Status503ServiceUnavailable,
            "training is unavailable: emoser-train was not found next to emoser or on PATH (start the server with --trainer PATH)");

        TrainingJob job;
        lock (_startLock)
        {
            if (Active is { } running)
                throw new ApiException(StatusCodes.Status409Conflict, $"a training job is already running: {running.Id}");
            job = new TrainingJob(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), request);
            _jobs[job.Id] = job;
            _order.Enqueue(job.Id);
            Volatile.Write(ref _active, job);
        }
        Prune();
        string outDir = Path.GetFullPath(Path.Combine(options.ModelsDir, "jobs", job.Id));
        _ = Task.Run(() => RunAsync(job, trainer, dataDir, outDir));
        return job;
    }

    /// <summary>Cancels a queued or running job (kills the trainer's process tree).</summary>
    /// <returns>False when the job had already finished.</returns>
    public bool Cancel(TrainingJob job)
    {
        if (!job.IsActive)
            return false;
        job.RequestCancel();
        return true;
    }

    /// <summary>
    /// The trainer command line for a job (also documented in docs/http-api.md). The feature cache is the server's
    /// (<see cref="ServeOptions.FeatureCacheDir"/>), so a job writes nothing outside the server's folders.
    /// </summary>
    public static List<string> BuildArguments(TrainRequest r, string dataDir, string outDir, string cacheDir)
    {
        var args = new List<string> { "fit", "--data", dataDir, "--out", outDir, "--cache", cacheDir, "--events" };
        var inv = CultureInfo.InvariantCulture;
        if (r.Protocol is not null) args.AddRange(["--protocol", r.Protocol]);
        if (r.Recipe is not null) args.AddRange(["--recipe", r.Recipe]);
        if (r.Augment is true) args.Add("--augment");
        if (r.NModifications is int n) args.AddRange(["--n-modifications", n.ToString(inv)]);
        if (r.TestSize is double ts) args.AddRange(["--test-size", ts.ToString("R", inv)]);
        if (r.RandomState is int rs) args.AddRange(["--random-state", rs.ToString(inv)]);
        if (r.Epochs is int ep) args.AddRange(["--epochs", ep.ToString(inv)]);
        if (r.Optimizer is not null) args.AddRange(["--optimizer", r.Optimizer]);
        return args;
    }

    private static void Validate(TrainRequest r)
    {
        if (r.Protocol is not null and not ("seed" or "holdout" or "loso" or "full"))
            throw new ApiException(StatusCodes.Status400BadRequest, $"protocol must be seed, holdout, loso or full, not '{r.Protocol}'");
        if (r.Recipe is not null and not ("default" or "emodb" or "seed"))
            throw new ApiException(StatusCodes.Status400BadRequest, $"recipe must be default, emodb or seed, not '{r.Recipe}'");
        if (r.NModifications is < 0 or > 20)
            throw new ApiException(StatusCodes.Status400BadRequest, "n_modifications must be an integer in [0, 20]");
        if (r.TestSize is double ts && !(ts > 0 && ts < 1))
            throw new ApiException(StatusCodes.Status400BadRequest, "test_size must be a number in (0, 1)");
        if (r.RandomState is < 0)
            throw new ApiException(StatusCodes.Status400BadRequest, "random_state must be a non-negative integer");
        if (r.Epochs is < 1 or > 10_000)
            throw new ApiException(StatusCodes.Status400BadRequest, "epochs must be an integer in [1, 10000]");
        if (r.Optimizer is not null and not ("adam" or "rmsprop"))
            throw new ApiException(StatusCodes.Status400BadRequest, $"optimizer must be adam or rmsprop, not '{r.Optimizer}'");
    }

    private string? ResolveTrainer()
    {
        if (options.TrainerPath is { } configured)
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        return SiblingPrograms.Find("emoser-train");
    }

    private async Task RunAsync(TrainingJob job, string trainer, string dataDir, string outDir)
    {
        try
        {
            Directory.CreateDirectory(outDir);
            var psi = new ProcessStartInfo
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = outDir,
            };
            if (trainer.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                psi.FileName = "dotnet";
                psi.ArgumentList.Add(trainer);
            }
            else
            {
                psi.FileName = trainer;
            }
            foreach (string a in BuildArguments(job.Parameters, dataDir, outDir, Path.GetFullPath(options.FeatureCacheDir)))
                psi.ArgumentList.Add(a);
            psi.Environment["DOTNET_NOLOGO"] = "1";

            using var process = new Process { StartInfo = psi };
            if (job.CancelRequested)
            {
                Complete(job, JobStates.Cancelled, "cancelled before the trainer started", null);
                return;
            }
            process.Start();
            process.StandardInput.Close();
            job.MarkRunning(process.Id);
            job.AttachProcess(process);
            job.AppendLog($"$ {trainer} {string.Join(' ', psi.ArgumentList)}");
            logger.LogInformation("training job {Id}: started trainer pid {Pid}", job.Id, process.Id);

            Task output = Task.WhenAll(PumpAsync(process.StandardOutput, job.HandleOutputLine), PumpAsync(process.StandardError, job.AppendLog));
            await process.WaitForExitAsync().ConfigureAwait(false);
            // A grandchild that outlives a killed trainer could hold the pipes open: do not wait for it.
            await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            int exit = process.ExitCode;
            job.DetachProcess();

            if (job.CancelRequested)
                Complete(job, JobStates.Cancelled, "cancelled by DELETE /train/" + job.Id, null);
            else if (exit != 0)
                Complete(job, JobStates.Failed, job.TrainerError ?? DescribeExit(exit), null);
            else if (job.TrainerError is not null)
                Complete(job, JobStates.Failed, job.TrainerError, null);
            else if (!job.Done)
                Complete(job, JobStates.Failed, "the trainer exited without a done event", null);
            else
                Succeed(job, outDir);
        }
        catch (Exception e)
        {
            logger.LogError(e, "training job {Id} failed", job.Id);
            Complete(job, JobStates.Failed, $"could not run the trainer: {Describe(e)}", null);
        }
    }

    private void Succeed(TrainingJob job, string outDir)
    {
        string? reportJson = null;
        if (job.DoneReport is { } reportPath)
        {
            string full = Path.IsPathRooted(reportPath) ? reportPath : Path.Combine(outDir, reportPath);
            if (File.Exists(full))
                reportJson = File.ReadAllText(full);
        }
        if (job.DoneWeights is not { } weightsPath)
        {
            // Protocols such as loso evaluate only; nothing to serve.
            Complete(job, JobStates.Succeeded, null, reportJson);
            return;
        }
        string weightsFull = Path.IsPathRooted(weightsPath) ? weightsPath : Path.Combine(outDir, weightsPath);
        ServedModel next;
        try
        {
            byte[] bytes = File.ReadAllBytes(weightsFull);
            // Keep the weights under the models folder (temp file + rename: never half-written).
            string kept = Path.GetFullPath(Path.Combine(options.ModelsDir, $"model-{job.Id}.emow"));
            string temp = kept + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, kept, overwrite: true);
            var reports = reportJson is null ? null : new Dictionary<string, string> { ["report"] = reportJson };
            next = ServedModel.Create(factory, bytes, Path.GetFileName(kept), kept, null, job.Id, reports);
            // current.emow (only ever a model that loaded) is what the container entry point serves after a restart.
            string current = Path.GetFullPath(Path.Combine(options.ModelsDir, "current.emow"));
            File.Copy(kept, current + ".tmp", overwrite: true);
            File.Move(current + ".tmp", current, overwrite: true);
        }
        catch (Exception e)
        {
            Complete(job, JobStates.Failed, $"the trained weights could not be loaded: {Describe(e)}", reportJson);
            return;
        }
        models.Swap(next);
        metrics.RecordSwap();
        logger.LogInformation("training job {Id}: now serving {Version}", job.Id, next.Engine.Version);
        Complete(job, JobStates.Succeeded, null, reportJson, next.Engine.Version);
    }

    private void Complete(TrainingJob job, string state, string? error, string? reportJson, string? modelVersion = null)
    {
        job.Finish(state, error, modelVersion, reportJson);
        if (error is not null)
            job.AppendLog(state + ": " + error);
        metrics.RecordJob(state);
        logger.LogInformation("training job {Id}: {State}{Error}", job.Id, state, error is null ? "" : " (" + error + ")");
    }

    /// <summary>A failure in our words: our own exceptions' messages, file-system ones described, others by type.</summary>
    private static string Describe(Exception e) => e switch
    {
        EmoSer.Runtime.ModelFile.ModelFormatException or ApiException => e.Message,
        IOException or UnauthorizedAccessException => EmoSer.Runtime.ErrorText.Describe(e),
        System.ComponentModel.Win32Exception => "the trainer could not be started",
        _ => e.GetType().Name,
    };

    private static string DescribeExit(int exit) =>
        exit > 128 && exit < 128 + 65
            ? $"the trainer was killed by signal {exit - 128} (exit code {exit})"
            : $"the trainer exited with code {exit}";

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            onLine(line);
    }

    private void Prune()
    {
        while (_order.Count > KeptJobs && _order.TryPeek(out string? oldest) && _jobs.TryGetValue(oldest, out var job) && !job.IsActive)
        {
            _order.TryDequeue(out _);
            _jobs.TryRemove(oldest, out _);
        }
    }
}
