using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Evaluation;

[Trait("Category", "unit")]
public class PlotTests
{
    [Fact]
    public void AHistoryIsSplitWhereARefitStartsCountingEpochsAgain()
    {
        EpochStats E(int epoch, double? val) => new(epoch, 1.0 / epoch, 0.5, val, val);
        var runs = Plots.Runs([E(1, 0.4), E(2, 0.5), E(3, 0.6), E(1, null), E(2, null)]);
        Assert.Equal(2, runs.Count);
        Assert.Equal([1, 2, 3], runs[0].Select(e => e.Epoch));
        Assert.Equal([1, 2], runs[1].Select(e => e.Epoch));
        Assert.All(runs[1], e => Assert.Null(e.ValAcc));
        Assert.Single(Plots.Runs([E(1, 0.4), E(2, 0.5)]));
        Assert.Empty(Plots.Runs([]));
    }

    [Fact]
    public void ConfusionPngIsWrittenAtomically()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "confusion.png");
        var m = new Metrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 2], 3);
        Plots.Confusion(m, ["alpha", "beta", "gamma"], "test", path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        if (Environment.GetEnvironmentVariable("EMOSER_KEEP_PLOT") is { Length: > 0 } keep)
            File.Copy(path, keep, overwrite: true);
    }
}
