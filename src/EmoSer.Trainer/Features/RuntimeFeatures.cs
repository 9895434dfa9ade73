using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Reporting;

namespace EmoSer.Trainer.Features;

/// <summary>The runtime's own <see cref="SeedFeatureExtractor"/> behind the cache: training sees exactly what inference sees.</summary>
public static class RuntimeFeatures
{
    /// <summary>The default cache folder: $EMOSER_CACHE, else $XDG_CACHE_HOME/emoser/features, else ~/.cache/emoser/features.</summary>
    public static string DefaultCacheDir() =>
        Environment.GetEnvironmentVariable("EMOSER_CACHE") is { Length: > 0 } c ? c
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "emoser", "features");

    /// <summary>Creates the cached runtime extractor at the corpus' sample rate (that of its first file; others are resampled).</summary>
    public static CachedExtractorSource Create(FitOptions o, LabelledCorpus corpus, IRunObserver observer)
    {
        int rate = o.SampleRate ?? ReadRate(corpus.Utterances[0].Path);
        string cache = o.Cache ?? DefaultCacheDir();
        observer.Log($"features: runtime {SeedFeatureExtractor.FeatureSetId} v{SeedFeatureExtractor.Version} at {rate} Hz, cache {cache}");
        return Create(rate, cache);
    }

    /// <summary>Creates the cached runtime extractor at <paramref name="sampleRate"/>.</summary>
    public static CachedExtractorSource Create(int sampleRate, string? cacheDir)
    {
        // One extractor per thread: the extractor serialises callers with a lock, and extraction runs in parallel.
        var extractors = new ThreadLocal<SeedFeatureExtractor>(() => new SeedFeatureExtractor(sampleRate));
        return new CachedExtractorSource(SeedFeatureExtractor.FeatureSetId, SeedFeatureExtractor.Version, SeedFeatureExtractor.FeatureCount,
            sampleRate, mono => extractors.Value!.Extract(mono), cacheDir);
    }

    private static int ReadRate(string path)
    {
        try
        {
            return AudioFile.Read(path, AudioFileOptions.FromEnvironment()).SampleRate;
        }
        catch (AudioFormatException e)
        {
            throw new CorpusException($"{path}: {e.Message}");
        }
    }
}
