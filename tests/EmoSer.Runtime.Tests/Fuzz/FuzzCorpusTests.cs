using EmoSer.Fuzz;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Fuzz;

/// <summary>
/// Replays the committed fuzz corpus (fuzz/corpus/&lt;target&gt;/: the seeds, issue 19's reproductions and every input
/// that ever failed) through the fuzz targets themselves (fuzz/EmoSer.Fuzz/Targets, compiled in): each must be
/// handled (accepted, or refused with the error of its class), with a finite answer when accepted, and allocate at
/// most 256 MB. Time is measured by the fuzz runs (afl's 2 s limit), not here.
/// </summary>
[Collection(nameof(FuzzCorpusTests))] // alone: the allocation count is the whole process's (a classification may use helper threads)
[Trait("Category", "unit")]
public sealed class FuzzCorpusTests
{
    private const long MaxAllocatedBytes = 256L << 20;

    private static readonly Lazy<FuzzTargets> s_targets = new(() =>
        new FuzzTargets(EmotionModel.Load(Path.Combine(TestData.RepoRoot, "weights", "model-a.emow"))));

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string target in FuzzTargets.Names)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(TestData.RepoRoot, "fuzz", "corpus", target)).Order(StringComparer.Ordinal))
                data.Add(target, Path.GetFileName(file));
        }
        return data;
    }

    [Theory, MemberData(nameof(Inputs))]
    public void Every_corpus_input_is_handled_within_bounds(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(TestData.RepoRoot, "fuzz", "corpus", target, file));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        string outcome = s_targets.Value.Run(target, input);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.False(string.IsNullOrEmpty(outcome));
        Assert.DoesNotContain('\n', outcome);
        Assert.True(allocated <= MaxAllocatedBytes, $"{target}/{file} allocated {allocated >> 20} MB");
    }

    [Fact]
    public void The_reproductions_are_refused_with_their_own_errors()
    {
        string Run(string target, string file) => s_targets.Value.Run(target, File.ReadAllBytes(Path.Combine(TestData.RepoRoot, "fuzz", "corpus", target, file)));
        Assert.Equal("sample 1E+20 at frame 100 is beyond ±65536 (96 dB above full scale): the features would overflow", Run("wav", "repro-float-sample-1e20.wav"));
        Assert.Equal("sample rate 16 Hz is below the minimum of 8000 Hz", Run("wav", "repro-rate-16hz.wav"));
        Assert.Equal("no audio samples (0 frames)", Run("wav", "repro-empty-data.wav"));
        Assert.StartsWith("member 0 layer 0 (Conv1D): tensor 'm0.l0.weight' holds 1E+38", Run("weights", "repro-weight-1e38.emow"));
        Assert.StartsWith("model 'fuzz-seed' was trained with feature extractor version 99", Run("weights", "repro-extractor-v99.emow"));
        Assert.Equal("the model card is not valid JSON: unexpected 'p' at line 1, column 12", Run("weights", "repro-card-not-json.emow"));
        Assert.StartsWith("model 'overflow' computed the probability NaN for this input", Run("weights", "repro-overflowing-network.emow"));
        Assert.StartsWith("\"mean\"[0] is 1E+308", Run("profile", "repro-mean-1e308.json"));
        Assert.StartsWith("accepted", Run("wav", "pcm16-16k-mono.wav"));
        Assert.StartsWith("accepted", Run("weights", "small-193-speaker-speeds-2-members.emow"));
        Assert.StartsWith("accepted", Run("profile", "three-utterances.json"));
    }
}

/// <summary>Runs <see cref="FuzzCorpusTests"/> with no other test beside it, so that the bytes it counts are its own.</summary>
[CollectionDefinition(nameof(FuzzCorpusTests), DisableParallelization = true)]
public sealed class FuzzCorpusCollection;
