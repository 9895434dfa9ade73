using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Reporting;

namespace EmoSer.Trainer.Tests.Evaluation;

public class PlotTests
{
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
