using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// THE parity suite: every value of every golden vector (librosa 0.11 running the seed's feature code) against
/// ours, per block: max over files of max|ours - ref| / max|ref| must be at most 1e-3.
/// </summary>
public sealed class SeedFeatureParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

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
            var (features, _) = GoldenFeatures.ExtractFile(path, extractors);
            Assert.Equal(SeedFeatureExtractor.FeatureCount, features.Length);
            errors.Add(name, features, reference);
        }
        return errors;
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
