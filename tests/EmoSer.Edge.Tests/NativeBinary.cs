using System.Diagnostics;
using EmoSer.Tests.Shared;

namespace EmoSer.Edge.Tests;

/// <summary>Runs the published native <c>emoser</c> (artifacts/native/&lt;rid&gt;/emoser) as a process.</summary>
internal static class NativeBinary
{
    public const string QemuPath = "/usr/bin/qemu-aarch64-static";
    public const string Arm64SysRoot = "/usr/aarch64-linux-gnu";

    public static string PathFor(string rid) => Path.Combine(TestData.RepoRoot, "artifacts", "native", rid, "emoser");

    /// <summary>The x64 binary, or a skip that says how to build it.</summary>
    public static string RequireX64()
    {
        string path = PathFor("linux-x64");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not found (run scripts/publish-native.sh linux-x64).");
        return path;
    }

    /// <summary>The arm64 binary and qemu, or a skip that says what is missing.</summary>
    public static string RequireArm64()
    {
        string path = PathFor("linux-arm64");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not found (run scripts/publish-native.sh linux-arm64).");
        if (!File.Exists(QemuPath) || !Directory.Exists(Arm64SysRoot))
            Assert.Skip($"SKIPPED: {QemuPath} or {Arm64SysRoot} missing (apt-get install qemu-user-static libc6-dev-arm64-cross).");
        return path;
    }

    /// <summary>Runs <paramref name="binary"/> (under qemu for arm64) with <paramref name="args"/>.</summary>
    public static CliResult Run(string binary, bool underQemu, byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(underQemu ? QemuPath : binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (underQemu)
        {
            start.ArgumentList.Add("-L");
            start.ArgumentList.Add(Arm64SysRoot);
            start.ArgumentList.Add(binary);
        }
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
            p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{binary} {string.Join(' ', args)} did not finish within 3 minutes");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
