using System.CommandLine;
using System.Globalization;
using EmoSer.Programs;

namespace EmoSer.Serve;

/// <summary>
/// <c>emoser-serve</c>, also run as <c>emoser serve</c>: the HTTP service (docs/http-api.md). Exit codes: 0 after a
/// clean shutdown, 1 for a start-up problem (one line on stderr), 2 for a usage error, 3 for a bug.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Parses <paramref name="args"/> (the options after <c>emoser serve</c>) and serves until Ctrl+C or SIGTERM.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            ParseResult parse = Create(stderr).Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors)
                    stderr.Write($"emoser: {error.Message}\n");
                stderr.Write("Run 'emoser serve --help' for usage.\n");
                return ExitCodes.Usage;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            stderr.Write($"emoser serve: internal error ({e.GetType().Name}): a bug in emoser serve, please report it with the command\n");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Creates the command line; start-up problems are reported on <paramref name="stderr"/>.</summary>
    public static RootCommand Create(TextWriter stderr)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Listen URLs, ';'-separated (default: this machine only; other interfaces need an API key).",
            DefaultValueFactory = _ => ServeOptions.DefaultUrls,
        };
        var apiKey = new Option<string?>("--api-key") { Description = $"The key requests that change state must carry (at least {ApiKey.MinLength} characters; also ${ApiKey.EnvironmentVariable})." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "A file whose first line is the API key (keeps it out of the process list)." };
        var insecure = new Option<bool>("--insecure") { Description = "Listen beyond this machine without an API key: anyone who reaches the port can train and change speaker profiles." };
        var uploadsPerMinute = new Option<int>("--uploads-per-minute") { Description = "Uploads one client may send per minute (0: no limit).", DefaultValueFactory = _ => 120 };
        var trainsPerHour = new Option<int>("--trains-per-hour") { Description = "Training jobs one client may start per hour (0: no limit).", DefaultValueFactory = _ => 10 };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "The trainer's feature cache (default: MODELS_DIR/cache)." };
        var data = new Option<string?>("--data") { Description = "Folder of audio files (e.g. Emo-DB's wav/) to browse and train on." };
        var model = new Option<string?>("--model") { Description = "Weights file to serve, or an embedded model's name: default (the multi-corpus model), emodb (the Emo-DB Model A)." };
        var trainer = new Option<string?>("--trainer") { Description = "The emoser-train executable (default: next to emoser, else on PATH)." };
        var modelsDir = new Option<string>("--models-dir") { Description = "Folder for training jobs and trained weights.", DefaultValueFactory = _ => "models" };
        var maxBody = new Option<double>("--max-body-mb") { Description = "Largest request body in MB.", DefaultValueFactory = _ => 25 };
        var maxDuration = new Option<double>("--max-duration") { Description = "Longest audio in seconds.", DefaultValueFactory = _ => EmoSer.Runtime.InputLimits.DefaultMaxDurationSeconds };
        var timeout = new Option<double>("--request-timeout") { Description = "Request timeout in seconds.", DefaultValueFactory = _ => 60 };
        var concurrency = new Option<int>("--max-concurrent") { Description = "Classifications run at once.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var queue = new Option<int>("--max-queue") { Description = "Classifications that may wait before 503.", DefaultValueFactory = _ => 64 };
        var streams = new Option<int>("--max-streams") { Description = "WebSocket /stream sessions open at once.", DefaultValueFactory = _ => 32 };
        var speakers = new Option<int>("--max-speakers") { Description = "Speaker profiles kept in memory (least recently used evicted).", DefaultValueFactory = _ => 1000 };
        var singlePass = new Option<bool>("--single-pass")
        {
            Description = "Classify each upload once, without the model's test-time speed copies (less CPU per request, usually a little less accurate; see emoser info).",
        };

        var command = new RootCommand("emoser serve (the emoser-serve binary): the HTTP service: web page, /predict, /train, /metrics.")
        {
            urls, data, model, trainer, modelsDir, maxBody, maxDuration, timeout, concurrency, queue, streams, speakers, singlePass,
            apiKey, apiKeyFile, insecure, uploadsPerMinute, trainsPerHour, cacheDir,
        };
        // The runtime's version is emoser version's; the assembly's would differ.
        command.Options.Remove(command.Options.Single(o => o.Name == "--version"));
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var options = new ServeOptions
                {
                    Urls = parse.GetValue(urls)!,
                    DataDir = parse.GetValue(data),
                    ModelPath = parse.GetValue(model),
                    TrainerPath = parse.GetValue(trainer),
                    ModelsDir = parse.GetValue(modelsDir)!,
                    MaxBodyBytes = (long)(parse.GetValue(maxBody) * 1024 * 1024),
                    MaxAudioSeconds = parse.GetValue(maxDuration),
                    RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                    MaxConcurrentClassifications = parse.GetValue(concurrency),
                    MaxQueuedClassifications = parse.GetValue(queue),
                    MaxSpeakerProfiles = parse.GetValue(speakers),
                    MaxStreams = parse.GetValue(streams),
                    SinglePass = parse.GetValue(singlePass),
                    ApiKey = ApiKey.Resolve(parse.GetValue(apiKey), parse.GetValue(apiKeyFile), Environment.GetEnvironmentVariable(ApiKey.EnvironmentVariable)),
                    Insecure = parse.GetValue(insecure),
                    UploadsPerMinute = parse.GetValue(uploadsPerMinute),
                    TrainsPerHour = parse.GetValue(trainsPerHour),
                    CacheDir = parse.GetValue(cacheDir),
                };
                return await RunAsync(options, ct);
            }
            catch (ServeStartupException e)
            {
                stderr.Write($"emoser serve: {e.Message}\n");
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    /// <summary>Loads the model and dataset, then serves until <paramref name="ct"/> fires (Ctrl+C, SIGTERM).</summary>
    public static async Task<int> RunAsync(ServeOptions options, CancellationToken ct)
    {
        Validate(options);
        ModelFactory factory = ModelEngines.For(options);
        var (initial, dataset) = LoadStartup(options, factory);
        await using var app = ServeApp.Create(options, factory, initial, dataset);
        await app.StartAsync(ct);
        string access = options.ApiKey is not null ? "API key required for changes"
            : ApiKey.BeyondLoopback(SplitUrls(options.Urls)) is not null ? "WARNING: no API key (--insecure): anyone who reaches the port can train and change speaker profiles"
            : "loopback only, no API key";
        await Console.Error.WriteLineAsync($"emoser serve: {initial.Engine.Version} ({PassDescription(initial.Engine)}) on {string.Join(", ", app.Urls)}; dataset: {dataset.Entries.Count} files; {access}; writes under {Path.GetFullPath(options.ModelsDir)}");
        await app.WaitForShutdownAsync(ct);
        return 0;
    }

    /// <summary>"single pass", or "speed copies 0.9, 1.1": how each upload is classified.</summary>
    internal static string PassDescription(IClassifierEngine engine) =>
        engine.SpeedCopyFactors.Count == 0
            ? "single pass"
            : "speed copies " + string.Join(", ", engine.SpeedCopyFactors.Select(f => f.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The listen URLs of <c>--urls</c>.</summary>
    public static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Checks option ranges and access; throws <see cref="ServeStartupException"/> with one line.</summary>
    public static void Validate(ServeOptions o)
    {
        // Beyond loopback, anyone who reaches the port could train (minutes of CPU, the served model replaced) and
        // create, replace or delete speaker profiles: refuse to start without a key unless told to.
        if (o.ApiKey is null && !o.Insecure && ApiKey.BeyondLoopback(SplitUrls(o.Urls)) is { } open)
        {
            throw new ServeStartupException(
                $"listening on {open} reaches beyond this machine: give an API key for the requests that change state (--api-key-file FILE, --api-key KEY or ${ApiKey.EnvironmentVariable}, at least {ApiKey.MinLength} characters), or --insecure to run without one");
        }
        if (!(o.MaxBodyBytes >= 1024))
            throw new ServeStartupException("--max-body-mb must be at least 0.001");
        if (!(o.MaxAudioSeconds >= 1 && o.MaxAudioSeconds <= EmoSer.Runtime.InputLimits.MaxDurationCeilingSeconds))
            throw new ServeStartupException($"--max-duration must be 1..{EmoSer.Runtime.InputLimits.MaxDurationCeilingSeconds} seconds");
        if (o.UploadsPerMinute < 0)
            throw new ServeStartupException("--uploads-per-minute must be 0 (no limit) or more");
        if (o.TrainsPerHour < 0)
            throw new ServeStartupException("--trains-per-hour must be 0 (no limit) or more");
        if (!(o.RequestTimeout > TimeSpan.Zero))
            throw new ServeStartupException("--request-timeout must be positive");
        if (o.MaxConcurrentClassifications < 1)
            throw new ServeStartupException("--max-concurrent must be at least 1");
        if (o.MaxQueuedClassifications < 0)
            throw new ServeStartupException("--max-queue must be 0 or more");
        if (o.MaxStreams < 1)
            throw new ServeStartupException("--max-streams must be at least 1");
        if (o.MaxSpeakerProfiles < 1)
            throw new ServeStartupException("--max-speakers must be at least 1");
    }

    /// <summary>Loads the model to serve and the dataset index.</summary>
    public static (ServedModel Model, DatasetIndex Dataset) LoadStartup(ServeOptions options, ModelFactory factory)
    {
        ServedModel model;
        try
        {
            string? embedded = options.ModelPath is null ? EmbeddedModels.DefaultName
                : EmbeddedModels.IsName(options.ModelPath) ? options.ModelPath : null;
            if (embedded is null && options.ModelPath is { } path)
            {
                byte[] bytes = File.ReadAllBytes(path);
                string full = Path.GetFullPath(path);
                model = ServedModel.Create(factory, bytes, Path.GetFileName(full), full, Path.GetDirectoryName(full), null);
            }
            else
            {
                byte[] bytes = ModelEngines.EmbeddedWeights(embedded!)
                    ?? throw new ServeStartupException($"no model: this build does not embed '{embedded}', pass --model FILE");
                model = ServedModel.Create(factory, bytes, embedded + ".emow", "embedded", null, null, ModelEngines.EmbeddedReports(embedded!));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServeStartupException($"{options.ModelPath}: {EmoSer.Runtime.ErrorText.Describe(e)}");
        }
        catch (EmoSer.Runtime.ModelFile.ModelFormatException e)
        {
            throw new ServeStartupException(e.Message);
        }
        DatasetIndex dataset;
        try
        {
            dataset = options.DataDir is { } dir ? DatasetIndex.Open(dir) : DatasetIndex.Empty;
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ServeStartupException(e.Message);
        }
        return (model, dataset);
    }
}

/// <summary>A startup problem reported as one line with exit code 1.</summary>
internal sealed class ServeStartupException(string message) : Exception(message);
