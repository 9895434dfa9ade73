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
        var frontEnd = o.Recipe.FrontEnd is { IsActive: true } fe ? fe : null;
        observer.Log($"features: runtime {SeedFeatureExtractor.FeatureSetId} v{SeedFeatureExtractor.Version} at {rate} Hz, front end {frontEnd?.ToString() ?? "none"}, cache {cache}");
        return Create(rate, cache, frontEnd);
    }

    /// <summary>Creates the cached runtime extractor at <paramref name="sampleRate"/>, with <paramref name="frontEnd"/> before it.</summary>
    public static CachedExtractorSource Create(int sampleRate, string? cacheDir, EmoSer.Runtime.Audio.FrontEndSettings? frontEnd = null)
    {
        // One extractor per thread: the extractor serialises callers with a lock, and extraction runs in parallel.
        var extractors = new ThreadLocal<SeedFeatureExtractor>(() => new SeedFeatureExtractor(sampleRate));
        return new CachedExtractorSource(SeedFeatureExtractor.FeatureSetId, SeedFeatureExtractor.Version, SeedFeatureExtractor.FeatureCount,
            sampleRate, mono => extractors.Value!.Extract(mono), cacheDir, frontEnd);
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
