using EmoSer.Runtime.IO;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Evaluation;

[Trait("Category", "unit")]
public class PlotTests
{
    [Fact]
    public void A_history_is_split_where_a_refit_starts_counting_epochs_again()
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

    /// <summary>
    /// The confusion PNG replaces an earlier file in one step: a reader polling the path while plots are rewritten only
    /// ever sees a complete PNG (one of the two written), and a write that fails half way leaves the earlier file as
    /// it was, with no temporary file beside it.
    /// </summary>
    [Fact]
    public async Task Confusion_png_is_written_atomically()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "confusion.png");
        string[] labels = ["alpha", "beta", "gamma"];
        var first = new Metrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 2], 3);
        var second = new Metrics([0, 1, 2, 1, 1, 2], [2, 1, 0, 1, 1, 2], 3);
        Plots.Confusion(first, labels, "first", path);
        byte[] firstBytes = File.ReadAllBytes(path);
        Plots.Confusion(second, labels, "second", path);
        byte[] secondBytes = File.ReadAllBytes(path);
        Assert.True(IsCompletePng(firstBytes) && IsCompletePng(secondBytes));
        Assert.NotEqual(firstBytes, secondBytes);
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        // Rewrites under a polling reader: every read is one of the two whole files, never a prefix of one.
        using var stop = new CancellationTokenSource();
        int reads = 0;
        var torn = new List<int>();
        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                byte[] seen;
                try
                {
                    seen = File.ReadAllBytes(path);
                }
                catch (IOException)
                {
                    continue; // the instant of the rename on some file systems; never a partial read
                }
                reads++;
                if (!seen.AsSpan().SequenceEqual(firstBytes) && !seen.AsSpan().SequenceEqual(secondBytes))
                    torn.Add(seen.Length);
            }
        }, TestContext.Current.CancellationToken);
        for (int i = 0; i < 20; i++)
            Plots.Confusion(i % 2 == 0 ? first : second, labels, i % 2 == 0 ? "first" : "second", path);
        stop.Cancel();
        await reader;
        Assert.True(reads > 0, "the reader never read the file");
        Assert.True(torn.Count == 0, $"{torn.Count} of {reads} reads saw a partial file (lengths {string.Join(", ", torn.Take(5))})");

        // A write that fails after half the bytes: the earlier file is untouched and nothing is left beside it.
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, temp =>
        {
            File.WriteAllBytes(temp, firstBytes[..(firstBytes.Length / 2)]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));

        if (Environment.GetEnvironmentVariable("EMOSER_KEEP_PLOT") is { Length: > 0 } keep)
            File.Copy(path, keep, overwrite: true);
    }

    /// <summary>A PNG signature at the start and the IEND chunk at the end: the file was written to its end.</summary>
    private static bool IsCompletePng(byte[] bytes) =>
        bytes.Length > 20
        && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A })
        && bytes.AsSpan(bytes.Length - 8, 4).SequenceEqual("IEND"u8);
}
