using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// THE parity suite: every value of every golden vector (librosa 0.11 running the seed's feature code) against
/// ours, per block: max over files of max|ours - ref| / max|ref| must be at most 1e-3.
/// </summary>
[Trait("Category", "golden")]
public sealed class SeedFeatureParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

    /// <summary>
    /// Files whose librosa tuning estimate is decided by one float32 ulp of numpy's log2, which differs between
    /// numpy builds (Intel SVML on the AVX512 machine that made the golden file versus libm/correctly rounded
    /// elsewhere; see docs/features.md). For these the suite checks that the divergence is exactly a one-count
    /// histogram tie-break, and then compares the vector computed with librosa's tuning.
    /// </summary>
    private static readonly Dictionary<string, double> s_platformDependentTuning = new(StringComparer.Ordinal)
    {
        ["13b02Lc.wav"] = -0.12,
    };

    [Fact]
    public void All_EmoDb_files_match_librosa_per_block()
    {
        var golden = GoldenFeatures.Load("emodb-librosa-193.json");
        string[] files = TestData.EmoDbFiles();
        Assert.Equal(golden.Count, files.Length);
        var errors = Run(golden, files);
        output.WriteLine(errors.Table("Emo-DB (emodb-librosa-193.json)"));
        AssertWithin(errors);
    }

    [Fact]
    public void Generated_signals_match_librosa_per_block()
    {
        var golden = GoldenFeatures.Load("signals-librosa-193.json");
        string dir = Path.Combine(TestData.GoldenDir, "signals");
        string[] files = golden.Keys.Order(StringComparer.Ordinal).Select(n => Path.Combine(dir, n)).ToArray();
        foreach (string f in files)
            Assert.True(File.Exists(f), $"{f} is listed in the golden file but missing");
        var errors = Run(golden, files);
        output.WriteLine(errors.Table("Signals (signals-librosa-193.json)"));
        AssertWithin(errors);
    }

    private GoldenFeatures.BlockErrors Run(Dictionary<string, double[]> golden, string[] files)
    {
        var extractors = new Dictionary<int, SeedFeatureExtractor>();
        var errors = new GoldenFeatures.BlockErrors();
        foreach (string path in files)
        {
            string name = Path.GetFileName(path);
            Assert.True(golden.TryGetValue(name, out var reference), $"{name} has no golden vector");
            var (features, sr) = GoldenFeatures.ExtractFile(path, extractors);
            Assert.Equal(SeedFeatureExtractor.FeatureCount, features.Length);
            if (s_platformDependentTuning.TryGetValue(name, out double librosaTuning))
            {
                var extractor = extractors[sr];
                double ours = extractor.Aggregator.LastTuning;
                var raw = GoldenFeatures.BlockErrors.Measure(features, reference!);
                AssertOneCountTie(path, ours, librosaTuning);
                extractor.Aggregator.TuningOverride = librosaTuning;
                try
                {
                    features = extractor.Extract(WavReader.ReadFile(path).ToMono());
                }
                finally
                {
                    extractor.Aggregator.TuningOverride = null;
                }
                output.WriteLine($"{name}: tuning tie (ours {ours:F2}, librosa {librosaTuning:F2}); raw errors " +
                    string.Join(", ", FeatureLayout.Blocks.Select((b, i) => $"{b.Name} {raw[i]:E2}")) + "; compared below with librosa's tuning");
            }
            errors.Add(name, features, reference!);
        }
        return errors;
    }

    /// <summary>The histogram bins of our tuning and of librosa's differ in count by exactly one (a one-residual flip decides).</summary>
    private static void AssertOneCountTie(string path, double ours, double librosa)
    {
        Assert.NotEqual(librosa, ours); // if this fails we now agree: drop the file from the list
        var clip = WavReader.ReadFile(path);
        float[] y = clip.ToMono();
        var stft = new CenteredStft();
        var tuner = new TuningEstimator(clip.SampleRate, 2048, 80);
        var mag = new float[1025];
        var power = new float[1025];
        for (int t = 0; t < stft.FrameCount(y.Length); t++)
        {
            stft.ComputeFrame(y, t, mag, power);
            tuner.FindCandidates(mag);
        }
        var counts = new int[100];
        TuningEstimator.Histogram(tuner.Pitches, tuner.Magnitudes, 80, new float[tuner.CandidateCount], counts);
        int oursBin = (int)Math.Round((ours + 0.5) * 100), theirsBin = (int)Math.Round((librosa + 0.5) * 100);
        Assert.Equal(counts[theirsBin] + 1, counts[oursBin]);
    }

    private static void AssertWithin(GoldenFeatures.BlockErrors errors)
    {
        var failures = Enumerable.Range(0, errors.Worst.Length)
            .Where(b => !(errors.Worst[b] <= Tolerance))
            .Select(b => $"{FeatureLayout.Blocks[b].Name}: {errors.Worst[b]:E2} on {errors.WorstFile[b]}")
            .ToList();
        Assert.True(failures.Count == 0, "Blocks over 1e-3: " + string.Join("; ", failures));
    }
}
