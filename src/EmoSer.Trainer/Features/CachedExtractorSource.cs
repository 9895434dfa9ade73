using System.Security.Cryptography;
using EmoSer.Runtime.Audio;
using EmoSer.Trainer.Corpus;
using EmoSer.Runtime.IO;

namespace EmoSer.Trainer.Features;

/// <summary>
/// Features from an extractor, read from audio files (mixed to mono, resampled to <see cref="SampleRate"/>, through the
/// <see cref="FrontEnd"/> when there is one), with an on-disk cache: one file per (audio content SHA-256, feature set
/// id, extractor version, sample rate, front end, variant), holding the float32 little-endian vector. A second run
/// over the same audio extracts nothing.
/// </summary>
public sealed class CachedExtractorSource : ICachedFeatureSource
{
    private readonly Func<float[], float[]> _extract;
    private readonly string? _cacheDir;
    private int _extractions, _hits;

    /// <summary>Creates the source; <paramref name="extract"/> must be thread-safe. <paramref name="cacheDir"/> null disables the cache.</summary>
    public CachedExtractorSource(string featureSetId, int extractorVersion, int featureCount, int sampleRate, Func<float[], float[]> extract, string? cacheDir,
        FrontEndSettings? frontEnd = null)
    {
        FrontEnd = frontEnd is { IsActive: true } ? frontEnd : null;
        FeatureSetId = featureSetId;
        ExtractorVersion = extractorVersion;
        FeatureCount = featureCount;
        SampleRate = sampleRate;
        _extract = extract;
        _cacheDir = cacheDir;
        if (cacheDir is not null)
            Directory.CreateDirectory(cacheDir);
    }

    /// <inheritdoc/>
    public string FeatureSetId { get; }
    /// <inheritdoc/>
    public int ExtractorVersion { get; }
    /// <inheritdoc/>
    public int FeatureCount { get; }
    /// <inheritdoc/>
    public int SampleRate { get; }
    /// <inheritdoc/>
    public bool CanExtractAudio => true;

    /// <summary>The front end every clip goes through before extraction (null: none).</summary>
    public FrontEndSettings? FrontEnd { get; }

    /// <summary>How many vectors were computed (cache misses) so far.</summary>
    public int Extractions => Volatile.Read(ref _extractions);

    /// <summary>How many vectors came from the cache so far.</summary>
    public int CacheHits => Volatile.Read(ref _hits);

    /// <inheritdoc/>
    public float[] Get(Utterance utterance) => GetOrAdd(utterance, "original", () => LoadAudio(utterance));

    /// <inheritdoc/>
    public float[] LoadAudio(Utterance utterance)
    {
        var mono = LoadMono(utterance.Path, SampleRate);
        if (FrontEnd is null)
            return mono;
        var result = EmoSer.Runtime.Audio.FrontEnd.Process(mono, SampleRate, FrontEnd, mono);
        return mono[..result.Length];
    }

    /// <inheritdoc/>
    public float[] GetOrAdd(Utterance utterance, string variant, Func<float[]> audio)
    {
        string? file = null;
        if (_cacheDir is not null)
        {
            file = Path.Combine(_cacheDir, Key(utterance.Path, variant) + ".f32");
            if (TryRead(file, out var cached))
            {
                Interlocked.Increment(ref _hits);
                return cached;
            }
        }
        var features = Extract(audio(), SampleRate);
        if (file is not null)
        {
            var bytes = new byte[features.Length * 4];
            Buffer.BlockCopy(features, 0, bytes, 0, bytes.Length);
            // A cache entry can be made again: no flush to disk per file (thousands per corpus).
            AtomicFile.Write(file, bytes, flushToDisk: false);
        }
        return features;
    }

    /// <inheritdoc/>
    public float[] Extract(ReadOnlySpan<float> mono, int sampleRate)
    {
        if (sampleRate != SampleRate)
            throw new ArgumentException($"audio at {sampleRate} Hz given to a {SampleRate} Hz extractor", nameof(sampleRate));
        Interlocked.Increment(ref _extractions);
        var f = _extract(mono.ToArray());
        if (f.Length != FeatureCount)
            throw new InvalidOperationException($"the extractor returned {f.Length} features, expected {FeatureCount}");
        return f;
    }

    /// <summary>Reads <paramref name="path"/> as mono at <paramref name="sampleRate"/> (resampling when the file differs).</summary>
    public static float[] LoadMono(string path, int sampleRate)
    {
        // Any audio file the runtime opens (WAV, AIFF, FLAC; the compressed formats through ffmpeg), as the CLI and serve do.
        var clip = AudioFile.Read(path, AudioFileOptions.FromEnvironment());
        var mono = clip.ToMono();
        // Resampled exactly as the runtime's classifier resamples its input (with the same noise floor).
        return clip.SampleRate == sampleRate ? mono : ResamplingDither.Resample(mono, clip.SampleRate, sampleRate);
    }

    private string Key(string audioPath, string variant)
    {
        byte[] content;
        using (var fs = File.OpenRead(audioPath))
            content = SHA256.HashData(fs);
        // The resampler's version too: speed copies and other-rate files go through it.
        // Without a front end the key is what it always was, so existing caches still hit.
        string frontEnd = FrontEnd is null ? "" : $"|fe={FrontEnd}";
        string id = $"{Convert.ToHexStringLower(content)}|{FeatureSetId}|v{ExtractorVersion}|r{Resampler.AlgorithmVersion}|{SampleRate}{frontEnd}|{variant}";
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))[..40];
    }

    private bool TryRead(string file, out float[] features)
    {
        features = [];
        if (!File.Exists(file))
            return false;
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length != FeatureCount * 4)
            return false; // a foreign or damaged entry: recompute and overwrite
        features = new float[FeatureCount];
        Buffer.BlockCopy(bytes, 0, features, 0, bytes.Length);
        return true;
    }
}
