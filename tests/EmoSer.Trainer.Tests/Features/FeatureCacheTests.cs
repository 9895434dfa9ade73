using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Features;

namespace EmoSer.Trainer.Tests.Features;

[Trait("Category", "unit")]
public class FeatureCacheTests
{
    /// <summary>A deterministic stand-in extractor: mean, energy and length of the audio.</summary>
    private static float[] Describe(float[] mono) => [mono.Average(), mono.Sum(v => v * v), mono.Length];

    private static CachedExtractorSource Source(string cache, int version = 1) =>
        new("test-3", version, 3, 16000, Describe, cache);

    [Fact]
    public void Second_run_extracts_nothing_and_gives_the_same_vectors()
    {
        using var dir = new TempDir();
        var utts = Enumerable.Range(0, 4).Select(i => new Utterance($"{i}.wav", dir.Wav($"a/{i}.wav", seed: i), "x", null)).ToArray();
        string cache = Path.Combine(dir.Path, "cache");

        var first = Source(cache);
        var a = utts.Select(first.Get).ToArray();
        Assert.Equal(4, first.Extractions);
        Assert.Equal(0, first.CacheHits);

        var second = Source(cache);
        var b = utts.Select(second.Get).ToArray();
        Assert.Equal(0, second.Extractions);
        Assert.Equal(4, second.CacheHits);
        Assert.Equal(a, b);
        Assert.Equal(8000, b[0][2]);
    }

    [Fact]
    public void Key_is_content_and_extractor_version_not_path()
    {
        using var dir = new TempDir();
        string cache = Path.Combine(dir.Path, "cache");
        string p1 = dir.Wav("one.wav", seed: 3);
        string p2 = Path.Combine(dir.Path, "copy-elsewhere.wav");
        File.Copy(p1, p2);
        var s = Source(cache);
        s.Get(new Utterance("one", p1, "x", null));
        s.Get(new Utterance("two", p2, "x", null)); // same bytes: a hit
        Assert.Equal(1, s.Extractions);

        var v2 = Source(cache, version: 2);
        v2.Get(new Utterance("one", p1, "x", null));
        Assert.Equal(1, v2.Extractions); // a new extractor version never reuses old vectors

        dir.Wav("one.wav", seed: 4); // changed content under the same path
        var again = Source(cache);
        again.Get(new Utterance("one", p1, "x", null));
        Assert.Equal(1, again.Extractions);
    }

    [Fact]
    public void Variants_are_cached_separately()
    {
        using var dir = new TempDir();
        var u = new Utterance("u", dir.Wav("u.wav", seed: 1), "x", null);
        var s = Source(Path.Combine(dir.Path, "cache"));
        var orig = s.Get(u);
        var aug = s.GetOrAdd(u, "aug;seed=5", () => new float[100]);
        Assert.NotEqual(orig, aug);
        var again = Source(Path.Combine(dir.Path, "cache"));
        Assert.Equal(aug, again.GetOrAdd(u, "aug;seed=5", () => throw new InvalidOperationException("must come from the cache")));
    }
}
