using EmoSer.Trainer.Torch;
using static TorchSharp.torch;

namespace EmoSer.Trainer.Tests.Torch;

[Trait("Category", "unit")]
public class LibTorchSharpCompatTests
{
    private static string PristineLibrary()
    {
        // The untouched original in the NuGet cache, read only.
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibTorchSharpCompat.LibraryFileName);
        Assert.True(File.Exists(path), $"TorchSharp's native library not found at {path}");
        return path;
    }

    [Fact]
    public void Pristine_library_requires_the_version_strongly()
    {
        var needs = ElfVersionInfo.RequiredVersions(File.ReadAllBytes(PristineLibrary()));
        var need = Assert.Single(needs, n => n.Version == LibTorchSharpCompat.MissingVersion);
        Assert.Equal("libstdc++.so.6", need.Library);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void System_libstdcpp_versions_are_read()
    {
        string? lib = LibTorchSharpCompat.FindSystemLibStdCpp();
        Assert.NotNull(lib);
        var defined = ElfVersionInfo.DefinedVersions(File.ReadAllBytes(lib));
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("GLIBCXX_3.4.30", defined);
    }

    [Fact]
    public void Patch_changes_only_the_one_flag_and_leaves_the_source_untouched()
    {
        string pristine = PristineLibrary();
        byte[] before = File.ReadAllBytes(pristine);
        string dir = Directory.CreateTempSubdirectory("emoser-compat-").FullName;
        try
        {
            string copy = Path.Combine(dir, LibTorchSharpCompat.LibraryFileName);
            File.Copy(pristine, copy);
            var lines = new List<string>();
            // A libstdc++ stand-in that lacks the version: the pristine shim defines no GLIBCXX versions.
            var outcome = LibTorchSharpCompat.Run(dir, systemLibStdCpp: pristine, lines.Add);

            Assert.Equal(LibTorchSharpCompatOutcome.Patched, outcome);
            var line = Assert.Single(lines);
            Assert.Contains(LibTorchSharpCompat.MissingVersion, line);
            byte[] after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            int[] diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            var need = ElfVersionInfo.RequiredVersions(before).Single(n => n.Version == LibTorchSharpCompat.MissingVersion);
            Assert.Equal(new[] { (int)need.FlagsOffset }, diffs);
            Assert.True(ElfVersionInfo.RequiredVersions(after).Single(n => n.Version == LibTorchSharpCompat.MissingVersion).IsWeak);
            Assert.Equal(before, File.ReadAllBytes(pristine));

            // A second run finds it done and logs nothing.
            Assert.Equal(LibTorchSharpCompatOutcome.AlreadyPatched, LibTorchSharpCompat.Run(dir, pristine, lines.Add));
            Assert.Single(lines);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Nothing_is_patched_when_the_system_has_the_version()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-compat-").FullName;
        try
        {
            string copy = Path.Combine(dir, LibTorchSharpCompat.LibraryFileName);
            File.Copy(PristineLibrary(), copy);
            byte[] before = File.ReadAllBytes(copy);
            // A "system library" that defines the version: synthesise one by checking our own decision function.
            string? system = LibTorchSharpCompat.FindSystemLibStdCpp();
            Assert.NotNull(system);
            bool hasIt = LibTorchSharpCompat.SystemDefines(system, LibTorchSharpCompat.MissingVersion);
            var lines = new List<string>();
            var outcome = LibTorchSharpCompat.Run(dir, system, lines.Add);
            if (hasIt)
            {
                Assert.Equal(LibTorchSharpCompatOutcome.SystemHasVersion, outcome);
                Assert.Equal(before, File.ReadAllBytes(copy));
                Assert.Empty(lines);
            }
            else
            {
                Assert.Equal(LibTorchSharpCompatOutcome.Patched, outcome);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TorchSharp_works_after_ensure_loadable()
    {
        LibTorchSharpCompat.EnsureLoadable();
        using var x = ones(3, 4);
        using var lin = TorchSharp.torch.nn.Linear(4, 2);
        using var y = lin.forward(x);
        Assert.Equal(new long[] { 3, 2 }, y.shape);
        Assert.Equal(12f, x.sum().item<float>());
    }
}
