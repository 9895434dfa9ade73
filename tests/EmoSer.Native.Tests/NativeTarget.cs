using System.Collections.Concurrent;
using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>
/// One published libemoser.so (artifacts/native/&lt;rid&gt;/) plus how to build and run C programs against it:
/// gcc for linux-x64; aarch64-linux-gnu-gcc and qemu-aarch64-static for linux-arm64. The C examples are built
/// once per target per test run, with examples/c/Makefile (the same command a user runs).
/// </summary>
public sealed class NativeTarget
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> s_builds = new();

    private NativeTarget(string rid, string compiler, string[] runner)
    {
        Rid = rid;
        Compiler = compiler;
        Runner = runner;
        LibraryDir = Path.Combine(TestData.RepoRoot, "artifacts", "native", rid);
    }

    public static NativeTarget X64 { get; } = new("linux-x64", "gcc", []);

    /// <summary>arm64 programs run under user-mode qemu with the cross sysroot as library prefix.</summary>
    public static NativeTarget Arm64 { get; } = new("linux-arm64", "aarch64-linux-gnu-gcc",
        ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"]);

    public string Rid { get; }

    public string Compiler { get; }

    /// <summary>Command prefix that runs a program of this target on the build machine (empty: run directly).</summary>
    public string[] Runner { get; }

    /// <summary>artifacts/native/&lt;rid&gt;: libemoser.so as scripts/publish-native.sh left it.</summary>
    public string LibraryDir { get; }

    public string LibraryPath => Path.Combine(LibraryDir, "libemoser.so");

    /// <summary>Skips the calling test unless the library is published and the target's tools are installed.</summary>
    public void Require()
    {
        if (!File.Exists(LibraryPath))
            Assert.Skip($"SKIPPED: {LibraryPath} not found; run scripts/publish-native.sh {Rid} first.");
        foreach (string tool in Runner.Length > 0 ? [Compiler, "make", Runner[0]] : new[] { Compiler, "make" })
        {
            if (ProcessRunner.FindOnPath(tool) is null)
                Assert.Skip($"SKIPPED: '{tool}' is not installed (scripts/ci/install-packages.sh installs it).");
        }
    }

    /// <summary>Builds the C examples (once per run) and returns the folder holding the programs.</summary>
    public async Task<string> BuildExamplesAsync()
    {
        Require();
        return await s_builds.GetOrAdd(Rid, _ => new Lazy<Task<string>>(BuildAsync)).Value;
    }

    /// <summary>Runs a program built by <see cref="BuildExamplesAsync"/> with LD_LIBRARY_PATH set to the library's folder.</summary>
    public async Task<ProcessResult> RunExampleAsync(string program, IEnumerable<string> args, string? stdinFile = null, int timeoutSeconds = 300)
    {
        string bin = Path.Combine(await BuildExamplesAsync(), program);
        var env = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = LibraryDir };
        string[] command = Runner.Length == 0
            ? [bin, .. args]
            : [.. Runner, "-E", $"LD_LIBRARY_PATH={LibraryDir}", bin, .. args];
        return await ProcessRunner.RunAsync(command, env, stdinFile, timeoutSeconds);
    }

    private async Task<string> BuildAsync()
    {
        string build = Path.Combine(Path.GetTempPath(), $"emoser-native-tests-{Environment.ProcessId}", Rid);
        Directory.CreateDirectory(build);
        string examples = Path.Combine(TestData.RepoRoot, "examples", "c");
        ProcessResult make = await ProcessRunner.RunAsync(
            ["make", "-C", examples, $"CC={Compiler}", $"LIBDIR={LibraryDir}", $"BUILD={build}"], null, null, 300);
        Assert.True(make.ExitCode == 0, $"make of examples/c for {Rid} failed ({make.ExitCode}):\n{make.StdOut}\n{make.StdErr}");
        return build;
    }
}
