using System.Runtime.InteropServices;

namespace EmoSer.Trainer.Torch;

/// <summary>What <see cref="LibTorchSharpCompat.EnsureLoadable"/> found and did.</summary>
public enum LibTorchSharpCompatOutcome
{
    /// <summary>Not Linux, or no libLibTorchSharp.so beside the application: nothing to do.</summary>
    NotApplicable,
    /// <summary>The system libstdc++ defines the version TorchSharp needs: files left untouched.</summary>
    SystemHasVersion,
    /// <summary>The requirement was already weak in our copy (patched by an earlier run).</summary>
    AlreadyPatched,
    /// <summary>The requirement was marked weak in our copy during this call.</summary>
    Patched,
}

/// <summary>
/// TorchSharp 0.107's native shim <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> (GCC 13),
/// but Debian 12 and Ubuntu 22.04 ship libstdc++ only up to 3.4.30. The single symbol it takes from that
/// version, <c>std::ios_base_library_init</c>, is a link-time marker that is never called, so marking the
/// requirement weak (VER_FLG_WEAK in <c>.gnu.version_r</c>) lets the loader accept the library.
/// This class does that, and only that, to the copy in the application's own output directory, only when
/// the system libstdc++ lacks the version. The NuGet cache is never written: the patched bytes go to a
/// temporary file that replaces our copy by rename, which also breaks any hard link to the cache.
/// See docs/torchsharp-glibcxx.md.
/// </summary>
public static class LibTorchSharpCompat
{
    /// <summary>The symbol version that TorchSharp 0.107 asks for and old libstdc++ lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    /// <summary>The file name of TorchSharp's native shim.</summary>
    public const string LibraryFileName = "libLibTorchSharp.so";

    private static readonly Lock s_gate = new();
    private static LibTorchSharpCompatOutcome? s_outcome;

    /// <summary>
    /// Makes TorchSharp's native library loadable on this system. Call before the first TorchSharp API use;
    /// later calls return the first call's outcome. Logs one line (to <paramref name="log"/>, default stderr) when it patches.
    /// </summary>
    public static LibTorchSharpCompatOutcome EnsureLoadable(Action<string>? log = null)
    {
        lock (s_gate)
        {
            s_outcome ??= Run(AppContext.BaseDirectory, FindSystemLibStdCpp(), log ?? (m => Console.Error.WriteLine(m)));
            return s_outcome.Value;
        }
    }

    /// <summary>
    /// The testable core: patches every copy of <see cref="LibraryFileName"/> under <paramref name="appDirectory"/>
    /// when the libstdc++ at <paramref name="systemLibStdCpp"/> does not define <see cref="MissingVersion"/>.
    /// </summary>
    public static LibTorchSharpCompatOutcome Run(string appDirectory, string? systemLibStdCpp, Action<string> log)
    {
        if (!OperatingSystem.IsLinux())
            return LibTorchSharpCompatOutcome.NotApplicable;
        var copies = FindOurCopies(appDirectory);
        if (copies.Count == 0)
            return LibTorchSharpCompatOutcome.NotApplicable;
        if (systemLibStdCpp is not null && SystemDefines(systemLibStdCpp, MissingVersion))
            return LibTorchSharpCompatOutcome.SystemHasVersion;

        var outcome = LibTorchSharpCompatOutcome.AlreadyPatched;
        foreach (string path in copies)
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (ElfVersionInfo.MarkRequirementWeak(bytes, MissingVersion) == 0)
                continue;
            ReplaceAtomically(path, bytes);
            outcome = LibTorchSharpCompatOutcome.Patched;
            log($"emoser: system libstdc++ ({systemLibStdCpp ?? "not found"}) lacks {MissingVersion}; " +
                $"marked that requirement weak in {path} (TorchSharp 0.107 only needs the never-called std::ios_base_library_init from it)");
        }
        return outcome;
    }

    /// <summary>True when the ELF library at <paramref name="path"/> defines symbol version <paramref name="version"/>.</summary>
    public static bool SystemDefines(string path, string version) =>
        ElfVersionInfo.DefinedVersions(File.ReadAllBytes(path)).Contains(version);

    /// <summary>
    /// The libstdc++ the dynamic loader would use for this process: loaded through the loader itself and
    /// then looked up in /proc/self/maps, so ld.so.conf and LD_LIBRARY_PATH are honoured.
    /// </summary>
    public static string? FindSystemLibStdCpp()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libstdc++.so.6", out _))
            return null;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash >= 0 && line.AsSpan(slash).Contains("/libstdc++.so", StringComparison.Ordinal))
                return line[slash..].Trim();
        }
        return null;
    }

    private static List<string> FindOurCopies(string appDirectory)
    {
        var result = new List<string>();
        foreach (string candidate in new[]
                 {
                     Path.Combine(appDirectory, LibraryFileName),
                     Path.Combine(appDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", LibraryFileName),
                     Path.Combine(appDirectory, "runtimes", "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "native", LibraryFileName),
                 })
        {
            if (File.Exists(candidate) && !result.Contains(candidate))
                result.Add(candidate);
        }
        return result;
    }

    private static void ReplaceAtomically(string path, byte[] bytes)
    {
        string temp = path + ".patch-" + Environment.ProcessId + ".tmp";
        try
        {
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
