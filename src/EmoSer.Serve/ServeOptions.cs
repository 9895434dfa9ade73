namespace EmoSer.Serve;

/// <summary>Settings of <c>emoser serve</c>: where to listen, what to serve, and the request limits.</summary>
internal sealed record ServeOptions
{
    /// <summary>Kestrel listen URLs, separated by ';' (loopback by default: listening beyond it takes an API key).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Where the server listens unless told otherwise: this machine only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5000";

    /// <summary>
    /// The key every request that changes the server's state must carry (training, speaker profiles, predictions that
    /// add to a profile); null: none is asked for, which <c>serve</c> allows on loopback only, or with <see cref="Insecure"/>.
    /// </summary>
    public ApiKey? ApiKey { get; init; }

    /// <summary>Listen beyond loopback without an API key (<c>--insecure</c>).</summary>
    public bool Insecure { get; init; }

    /// <summary>Uploads (<c>POST /predict</c>, <c>PUT /speakers/{id}</c>) one client (IP address) may make per minute; 0: no limit.</summary>
    public int UploadsPerMinute { get; init; } = 120;

    /// <summary>Training jobs one client may start per hour; 0: no limit.</summary>
    public int TrainsPerHour { get; init; } = 10;

    /// <summary>The trainer's feature cache; null: <c>cache</c> under <see cref="ModelsDir"/>, so everything the server writes stays there.</summary>
    public string? CacheDir { get; init; }

    /// <summary>The trainer's feature cache folder in use.</summary>
    public string FeatureCacheDir => CacheDir ?? Path.Combine(ModelsDir, "cache");

    /// <summary>Folder of WAV files browsed by <c>GET /predict</c> and used for training; null when none.</summary>
    public string? DataDir { get; init; }

    /// <summary>Weights file to serve; null means the model embedded in the binary.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The <c>emoser-train</c> executable (or a .dll run with <c>dotnet</c>); null means "next to emoser, else on PATH".</summary>
    public string? TrainerPath { get; init; }

    /// <summary>Where training jobs write their output and where the weights of succeeded jobs are kept.</summary>
    public string ModelsDir { get; init; } = "models";

    /// <summary>Largest accepted request body in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 25L * 1024 * 1024;

    /// <summary>Longest accepted audio in seconds (checked from the file's header before decoding, or while decoding or reading raw PCM).</summary>
    public double MaxAudioSeconds { get; init; } = EmoSer.Runtime.InputLimits.DefaultMaxDurationSeconds;

    /// <summary>Time after which a request is abandoned with 504.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Classifications that may run at once.</summary>
    public int MaxConcurrentClassifications { get; init; } = Environment.ProcessorCount;

    /// <summary>Classifications that may wait for a slot before further ones get 503.</summary>
    public int MaxQueuedClassifications { get; init; } = 64;

    /// <summary>WebSocket <c>/stream</c> sessions open at once; further ones get 503.</summary>
    public int MaxStreams { get; init; } = 32;

    /// <summary>Speaker profiles kept in memory (about 3 KB each); beyond that the least recently used is evicted.</summary>
    public int MaxSpeakerProfiles { get; init; } = 1000;

    /// <summary>
    /// Classify every upload in one pass, without the model's test-time speed copies (the served model and every model
    /// a training job swaps in): about a third of the CPU per request, usually a little less accurate.
    /// </summary>
    public bool SinglePass { get; init; }

    /// <summary>How uploads and dataset files are decoded: the runtime's decoders, and ffmpeg for the compressed formats.</summary>
    public EmoSer.Runtime.Audio.AudioFileOptions AudioOptions { get; init; } = EmoSer.Runtime.Audio.AudioFileOptions.FromEnvironment();

    /// <summary><see cref="AudioOptions"/> with <see cref="MaxAudioSeconds"/>: how one upload or dataset file is read.</summary>
    public EmoSer.Runtime.Audio.AudioFileOptions DecodeOptions => AudioOptions with { MaxDurationSeconds = MaxAudioSeconds };
}
