using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Model;

/// <summary><see cref="SpeakerProfile"/>: Welford statistics, <see cref="SpeakerProfile.Resolve"/>, bad input.</summary>
[Trait("Category", "golden")]
public class SpeakerProfileTests
{
    private const int F = SeedFeatureExtractor.FeatureCount;

    private static readonly Lazy<float[][]> s_speaker03 = new(() =>
    {
        // Speaker 03's utterances: real feature vectors, whose scales differ by orders of magnitude across features.
        var files = TestData.EmoDbFiles().Where(f => Path.GetFileName(f).StartsWith("03", StringComparison.Ordinal)).Take(12).ToArray();
        var extractor = new SeedFeatureExtractor(16000);
        return [.. files.Select(f => extractor.Extract(WavReader.ReadFile(f).ToMono()))];
    });

    private static float[][] Speaker03()
    {
        TestData.RequireEmoDb();
        return s_speaker03.Value;
    }

    private static SpeakerProfile ProfileOf(IReadOnlyList<float[]> rows)
    {
        var p = new SpeakerProfile(rows[0].Length);
        foreach (var r in rows)
            p.Add(r);
        return p;
    }

    [Fact]
    public void Welford_equals_two_pass_on_real_features()
    {
        var rows = Speaker03();
        Assert.True(rows.Length >= 10);
        var p = ProfileOf(rows);
        Assert.Equal(rows.Length, p.Count);
        for (int i = 0; i < F; i++)
        {
            double mean = rows.Sum(r => (double)r[i]) / rows.Length;
            double m2 = rows.Sum(r => (r[i] - mean) * (r[i] - mean));
            Assert.True(Math.Abs(p.Mean[i] - mean) <= 1e-12 * Math.Max(1, Math.Abs(mean)), $"mean[{i}]: {p.Mean[i]} vs {mean}");
            Assert.True(Math.Abs(p.SumSquaredDeviations[i] - m2) <= 1e-9 * Math.Max(1e-6, m2), $"m2[{i}]: {p.SumSquaredDeviations[i]} vs {m2}");
        }
    }

    [Fact]
    public void From_statistics_restores_a_profile_that_keeps_accumulating()
    {
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 9).Select(_ => TestModels.Random(rng, 5, 3, 10)).ToArray();
        var whole = ProfileOf(rows);
        var half = ProfileOf(rows[..4]);
        var restored = SpeakerProfile.FromStatistics(half.Count, half.Mean, half.SumSquaredDeviations);
        foreach (var r in rows[4..])
            restored.Add(r);
        Assert.Equal(whole.Count, restored.Count);
        Assert.Equal(whole.Mean.ToArray(), restored.Mean.ToArray());
        Assert.Equal(whole.SumSquaredDeviations.ToArray(), restored.SumSquaredDeviations.ToArray());
        restored.Clear();
        Assert.Equal(0, restored.Count);
        Assert.All(restored.Mean.ToArray(), v => Assert.Equal(0, v));
        Assert.All(restored.SumSquaredDeviations.ToArray(), v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(3f)]
    [InlineData(7.3f)]
    [InlineData(1000f)]
    public void Empty_profile_resolves_to_the_population_exactly(float k)
    {
        var rng = new Random(5);
        float[] mu = TestModels.Random(rng, F, 100, 20), sigma = TestModels.Random(rng, F, 40, 41);
        var mean = new float[F];
        var std = new float[F];
        new SpeakerProfile(F).Resolve(mu, sigma, k, mean, std);
        Assert.Equal(mu, mean);
        Assert.Equal(sigma, std);
    }

    [Fact]
    public void Resolve_matches_the_formula_computed_independently()
    {
        var rows = Speaker03();
        var rng = new Random(9);
        // A population around the speaker's own scale, so both terms of the formula matter.
        float[] mu = [.. Enumerable.Range(0, F).Select(i => rows[0][i] * (float)(0.8 + (0.4 * rng.NextDouble())))];
        float[] sigma = [.. Enumerable.Range(0, F).Select(i => (float)(0.1 + Math.Abs(rows[1][i] - rows[2][i]) + (0.05 * Math.Abs(rows[0][i]))))];
        foreach (int n in new[] { 1, 3, rows.Length })
        {
            const double K = 4;
            var profile = ProfileOf(rows[..n]);
            var mean = new float[F];
            var std = new float[F];
            profile.Resolve(mu, sigma, K, mean, std);
            for (int i = 0; i < F; i++)
            {
                // Pooled directly from the raw vectors: m = (Σx + kμ)/(n+k), s² = (Σ(x−m)² + kσ²)/(n+k).
                double m = (rows[..n].Sum(r => (double)r[i]) + (K * mu[i])) / (n + K);
                double s = Math.Sqrt((rows[..n].Sum(r => (r[i] - m) * (r[i] - m)) + (K * sigma[i] * (double)sigma[i])) / (n + K));
                Assert.True(Math.Abs(mean[i] - m) <= 2e-7 * Math.Max(1e-3, Math.Abs(m)), $"n={n} m[{i}]: {mean[i]} vs {m}");
                Assert.True(Math.Abs(std[i] - s) <= 2e-7 * s, $"n={n} s[{i}]: {std[i]} vs {s}");
            }
        }
    }

    [Fact]
    public void More_utterances_move_the_statistics_towards_the_speaker()
    {
        var rng = new Random(2);
        float[] mu = new float[4], sigma = [1, 1, 1, 1];
        var p = new SpeakerProfile(4);
        var mean = new float[4];
        var std = new float[4];
        double previous = 0;
        for (int n = 1; n <= 50; n++)
        {
            p.Add([10 + (float)rng.NextDouble(), 10, 10, 10]);
            p.Resolve(mu, sigma, 5, mean, std);
            Assert.True(mean[1] > previous, $"n={n}");
            previous = mean[1];
            Assert.Equal(10.0 * n / (n + 5), mean[1], 5);
        }
    }

    [Fact]
    public void Bad_vectors_throw_and_leave_the_profile_unchanged()
    {
        var rng = new Random(4);
        var p = ProfileOf([.. Enumerable.Range(0, 3).Select(_ => TestModels.Random(rng, 6))]);
        double[] mean = p.Mean.ToArray(), m2 = p.SumSquaredDeviations.ToArray();

        var wrongLength = Assert.Throws<ArgumentException>(() => p.Add(new float[5]));
        ErrorAssert.Argument(wrongLength, "features", "Expected 6 features, got 5");
        var nan = Assert.Throws<ArgumentException>(() => p.Add([1, 2, 3, 4, float.NaN, 6]));
        ErrorAssert.Argument(nan, "features", "Feature 4 is NaN, not a finite number");
        Assert.Throws<ArgumentException>(() => p.Add([float.PositiveInfinity, 2, 3, 4, 5, 6]));

        Assert.Equal(3, p.Count);
        Assert.Equal(mean, p.Mean.ToArray());
        Assert.Equal(m2, p.SumSquaredDeviations.ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_prior_weight_throws_and_writes_nothing(double k)
    {
        var p = ProfileOf([[1, 2], [3, 5]]);
        float[] mean = [-7, -7], std = [-7, -7];
        var e = Assert.Throws<ArgumentException>(() => p.Resolve([0, 0], [1, 1], k, mean, std));
        Assert.Equal("priorWeight", e.ParamName);
        Assert.Equal([-7f, -7f], mean);
        Assert.Equal([-7f, -7f], std);
        Assert.Equal(2, p.Count);
        Assert.Equal([2.0, 3.5], p.Mean.ToArray());
    }

    [Fact]
    public void Resolve_rejects_vectors_of_another_length()
    {
        var p = new SpeakerProfile(3);
        Assert.Throws<ArgumentException>(() => p.Resolve(new float[3], new float[2], 1, new float[3], new float[3]));
        Assert.Throws<ArgumentException>(() => p.Resolve(new float[3], new float[3], 1, new float[4], new float[3]));
    }

    [Fact]
    public void From_statistics_rejects_bad_statistics()
    {
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(-1, [0.0], [0.0]));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(1, [0.0, 1], [0.0]));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(1, [], []));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(1, [double.NaN], [0.0]));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(1, [0.0], [-1e-9]));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(1, [0.0], [double.PositiveInfinity]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpeakerProfile(0));
    }
}
