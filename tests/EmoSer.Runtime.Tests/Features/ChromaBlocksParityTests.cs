using System.Text;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// Parity of the chroma-80, spectral-contrast and tonnetz blocks with librosa 0.11 (the seed's blocks
/// [50:130), [180:187), [187:193)), per block: max over files of max|ours − ref| / max|ref| ≤ 1e-3.
/// </summary>
[Trait("Category", "golden")]
public sealed class ChromaBlocksParityTests
{
    private const double Tolerance = 1e-3;

    /// <summary>
    /// Files where librosa's estimate_tuning is decided by one float32 ulp of numpy's log2, which differs
    /// between numpy builds (Intel SVML on AVX512 machines, where the golden file was made, versus libm
    /// elsewhere). We compute the libm/correctly-rounded value, librosa-on-AVX512 got the value listed here.
    /// See docs/features-chroma.md. For these files the test checks that the divergence is exactly that:
    /// a one-count histogram tie-break, and that with librosa's tuning our blocks match.
    /// </summary>
    private static readonly Dictionary<string, double> s_platformDependentTuning = new(StringComparer.Ordinal)
    {
        ["13b02Lc.wav"] = -0.12,
    };

    private static (double Chroma, double Contrast, double Tonnetz) BlockErrors(ChromaBlocks ours, double[] golden) => (
        ChromaBlocks.RelativeError(ours.ChromaMean, golden.AsSpan(ChromaGolden.ChromaStart, 80)),
        ChromaBlocks.RelativeError(ours.ContrastMean, golden.AsSpan(ChromaGolden.ContrastStart, 7)),
        ChromaBlocks.RelativeError(ours.TonnetzMean, golden.AsSpan(ChromaGolden.TonnetzStart, 6)));

    [Fact]
    public void All_EmoDb_files_match_librosa_per_block()
    {
        string[] files = TestData.EmoDbFiles();
        var golden = ChromaGolden.Features("emodb-librosa-193.json");
        var stft = new ReferenceStft();
        double worstChroma = 0, worstContrast = 0, worstTonnetz = 0;
        string whereChroma = "", whereContrast = "", whereTonnetz = "";
        int compared = 0;
        foreach (string path in files)
        {
            string name = Path.GetFileName(path);
            Assert.True(golden.TryGetValue(name, out double[]? reference), $"{name} has no golden features");
            var (mono, sr) = ChromaGolden.Load(name);
            var ours = ChromaBlocks.Compute(mono, sr, stft);
            if (s_platformDependentTuning.TryGetValue(name, out double librosaTuning))
            {
                AssertOneUlpTieBreak(ours, sr, librosaTuning);
                ours = ChromaBlocks.Compute(mono, sr, stft, librosaTuning);
            }
            var (c, k, t) = BlockErrors(ours, reference!);
            if (c > worstChroma) (worstChroma, whereChroma) = (c, name);
            if (k > worstContrast) (worstContrast, whereContrast) = (k, name);
            if (t > worstTonnetz) (worstTonnetz, whereTonnetz) = (t, name);
            compared++;
        }
        var report = new StringBuilder();
        report.AppendLine($"Emo-DB files compared: {compared}");
        report.AppendLine($"chroma80  [50:130)  max rel err {worstChroma:E2} ({whereChroma})");
        report.AppendLine($"contrast7 [180:187) max rel err {worstContrast:E2} ({whereContrast})");
        report.AppendLine($"tonnetz6  [187:193) max rel err {worstTonnetz:E2} ({whereTonnetz})");
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        Console.WriteLine(report.ToString());

        Assert.Equal(golden.Count, compared);
        Assert.All(s_platformDependentTuning.Keys, n => Assert.Contains(n, golden.Keys));
        Assert.True(worstChroma <= Tolerance, report.ToString());
        Assert.True(worstContrast <= Tolerance, report.ToString());
        Assert.True(worstTonnetz <= Tolerance, report.ToString());
    }

    /// <summary>
    /// Our histogram's winner beats librosa's bin by exactly one count, so one residual landing in a
    /// neighbouring bin (one float32 ulp of log2 away) flips librosa's argmax to the lower bin.
    /// </summary>
    private static void AssertOneUlpTieBreak(ChromaBlocks ours, int sampleRate, double librosaTuning)
    {
        Assert.NotEqual(librosaTuning, ours.Tuning); // if this fails we now agree: drop the file from the list
        var tuner = new EmoSer.Runtime.Features.TuningEstimator(sampleRate, ChromaBlocks.NFft, ChromaBlocks.NChroma);
        int bins = ChromaBlocks.NFft / 2 + 1;
        for (int f = 0; f < ours.Frames; f++)
            tuner.FindCandidates(ours.Magnitudes.AsSpan(f * bins, bins));
        var counts = new int[100];
        EmoSer.Runtime.Features.TuningEstimator.Histogram(tuner.Pitches, tuner.Magnitudes, ChromaBlocks.NChroma,
            new float[tuner.CandidateCount], counts);
        int oursBin = (int)Math.Round((ours.Tuning + 0.5) * 100);
        int theirsBin = (int)Math.Round((librosaTuning + 0.5) * 100);
        Assert.Equal(ours.Tuning, EmoSer.Runtime.Features.TuningEstimator.BinEdge(oursBin));
        Assert.Equal(librosaTuning, EmoSer.Runtime.Features.TuningEstimator.BinEdge(theirsBin));
        Assert.True(theirsBin < oursBin, "np.argmax keeps the first (lower) bin of a tie");
        Assert.Equal(counts[theirsBin] + 1, counts[oursBin]);
    }

    [Theory]
    [InlineData("sweep_16000.wav")]
    [InlineData("sweep_22050.wav")]
    [InlineData("sweep_44100.wav")]
    [InlineData("stereo_16000.wav")]
    [InlineData("short_16000.wav")]
    [InlineData("silence_16000.wav")]
    public void Signal_matches_librosa_per_block(string name)
    {
        var golden = ChromaGolden.Features("signals-librosa-193.json");
        var (mono, sr) = ChromaGolden.Load(name);
        var (c, k, t) = BlockErrors(ChromaBlocks.Compute(mono, sr), golden[name]);
        string report = $"{name} @ {sr} Hz: chroma {c:E2}, contrast {k:E2}, tonnetz {t:E2}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(c <= Tolerance && k <= Tolerance && t <= Tolerance, report);
    }

    [Theory]
    [InlineData("03a01Fa.wav")]
    [InlineData("16b10Wb.wav")]
    [InlineData("sweep_22050.wav")]
    [InlineData("stereo_16000.wav")]
    public void Stages_match_librosa_frame_by_frame(string name)
    {
        var stage = ChromaGolden.Stage(name);
        var (mono, sr) = ChromaGolden.Load(name);
        Assert.Equal(stage.GetProperty("sr").GetInt32(), sr);
        var ours = ChromaBlocks.Compute(mono, sr);
        Assert.Equal(stage.GetProperty("n_frames").GetInt32(), ours.Frames);

        // librosa's estimate_tuning returns a histogram edge; ours must be the same edge, bit for bit.
        Assert.Equal(stage.GetProperty("tuning").GetDouble(), ours.Tuning);

        int bins = ChromaBlocks.NFft / 2 + 1;
        foreach (var frame in stage.GetProperty("chroma80").EnumerateObject())
        {
            int t = int.Parse(frame.Name, System.Globalization.CultureInfo.InvariantCulture);
            // The test STFT itself (first 16 bins) agrees with librosa's.
            double[] magRef = ChromaGolden.Doubles(stage.GetProperty("stft_mag").GetProperty(frame.Name));
            double[] mag = [.. ours.Magnitudes.AsSpan(t * bins, magRef.Length).ToArray().Select(v => (double)v)];
            Assert.True(ChromaBlocks.RelativeError(mag, magRef) <= 1e-5, $"stft frame {t}");

            double[] chromaRef = ChromaGolden.Doubles(frame.Value);
            double[] chroma = [.. ours.Chroma.AsSpan(t * 80, 80).ToArray().Select(v => (double)v)];
            double ec = ChromaBlocks.RelativeError(chroma, chromaRef);
            Assert.True(ec <= 1e-4, $"chroma frame {t}: {ec:E2}");

            double[] contrastRef = ChromaGolden.Doubles(stage.GetProperty("contrast7").GetProperty(frame.Name));
            double[] contrast = [.. ours.Contrast.AsSpan(t * 7, 7).ToArray().Select(v => (double)v)];
            double ek = ChromaBlocks.RelativeError(contrast, contrastRef);
            Assert.True(ek <= 1e-4, $"contrast frame {t}: {ek:E2}");

            double[] tonnetzRef = ChromaGolden.Doubles(stage.GetProperty("tonnetz6").GetProperty(frame.Name));
            double et = ChromaBlocks.RelativeError(ours.Tonnetz.AsSpan(t * 6, 6), tonnetzRef);
            Assert.True(et <= 1e-4, $"tonnetz frame {t}: {et:E2}");
        }
    }
}
