using EmoSer.Runtime.IO;

namespace EmoSer.Runtime.Tests.IO;

/// <summary>The one atomic writer of the runtime and the trainer: whole new content or the old file, never a part, no temp file left.</summary>
[Trait("Category", "unit")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BytesReplaceTheFileAndLeaveNoTemporary(bool flushToDisk)
    {
        string path = Path.Combine(_dir, "model.emow");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9]);
        AtomicFile.Write(path, [1, 2, 3], flushToDisk);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void WriterGetsATemporaryPathWithTheSameExtensionBesideTheTarget()
    {
        string path = Path.Combine(_dir, "confusion.png");
        string? given = null;
        AtomicFile.Write(path, temp =>
        {
            given = temp;
            Assert.False(File.Exists(path));
            File.WriteAllText(temp, "png");
        });
        Assert.Equal(_dir, Path.GetDirectoryName(given));
        Assert.EndsWith(".png", given, StringComparison.Ordinal);
        Assert.NotEqual(path, given);
        Assert.Equal("png", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AFailedWriterLeavesTheOldFileAndNoTemporary()
    {
        string path = Path.Combine(_dir, "report.json");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new IOException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AMissingFolderIsAnErrorNotCreated()
    {
        string path = Path.Combine(_dir, "absent", "profile.json");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, [1]));
        Assert.False(Directory.Exists(Path.Combine(_dir, "absent")));
    }
}
