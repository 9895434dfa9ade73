using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Features;

namespace EmoSer.Trainer.Cli;

/// <summary><c>emoser-train compare-features</c>: the runtime extractor (through the cache) against precomputed reference features, per block.</summary>
public static class CompareFeatures
{
    private static readonly (string Name, int Start, int End)[] Blocks =
        [("mfcc", 0, 50), ("chroma", 50, 130), ("mel", 130, 180), ("contrast", 180, 187), ("tonnetz", 187, 193)];

    /// <summary>Prints, per block, the largest |runtime - reference| / max(|reference|, 1e-3 * block scale) over all files.</summary>
    public static int Run(string data, string goldenPath, string? cache, TextWriter output)
    {
        var corpus = CorpusLoader.Load(data);
        var golden = new GoldenFeatureSource(goldenPath);
        int rate = WavRate(corpus.Utterances[0].Path);
        var runtime = RuntimeFeatures.Create(rate, cache ?? RuntimeFeatures.DefaultCacheDir());
        var rows = new float[corpus.Utterances.Count][];
        Parallel.For(0, rows.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => rows[i] = runtime.Get(corpus.Utterances[i]));
        output.WriteLine($"{corpus.Utterances.Count} files, {runtime.Extractions} extracted, {runtime.CacheHits} from the cache");
        foreach (var (name, start, end) in Blocks)
        {
            double maxAbs = 0, maxRel = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                var g = golden.Get(corpus.Utterances[i]);
                double scale = 0;
                for (int j = start; j < end; j++) scale = Math.Max(scale, Math.Abs(g[j]));
                for (int j = start; j < end; j++)
                {
                    double d = Math.Abs(rows[i][j] - g[j]);
                    maxAbs = Math.Max(maxAbs, d);
                    maxRel = Math.Max(maxRel, d / Math.Max(scale, 1e-12));
                }
            }
            output.WriteLine($"{name,-9} max abs diff {maxAbs:E3}, max diff relative to the block's largest |value| {maxRel:E3}");
        }
        return 0;
    }

    private static int WavRate(string path) => EmoSer.Runtime.Audio.AudioFile.Read(path, EmoSer.Runtime.Audio.AudioFileOptions.FromEnvironment()).SampleRate;
}
