using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>
/// The Python package (python/): the wheel is built from the repository by python/build_wheel.py with the published
/// libemoser.so, installed into a temporary folder with Debian's pip (offline), and python/tests runs against it under
/// Debian's /usr/bin/python3 with python3-numpy, comparing with the published <c>emoser</c> binary.
/// </summary>
[Trait("Category", "native")]
public sealed partial class PythonPackageTests
{
    private const string Python = "/usr/bin/python3";

    private static string RequirePython()
    {
        NativeTarget.X64.Require();
        if (!File.Exists(Python))
            Assert.Skip($"SKIPPED: {Python} not found (Debian's python3; scripts/ci/install-packages.sh installs it).");
        return Python;
    }

    private static async Task<string> BuildWheelAsync(string outDir)
    {
        ProcessResult built = await ProcessRunner.RunAsync(
            [RequirePython(), Path.Combine(TestData.RepoRoot, "python", "build_wheel.py"), "--library", NativeTarget.X64.LibraryPath, "--out", outDir], null, null, 120);
        Assert.True(built.ExitCode == 0, built.ToString());
        return built.StdOut.Trim();
    }

    [Fact]
    public async Task The_wheel_holds_the_package_the_library_and_a_valid_record()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-wheel-").FullName;
        try
        {
            string wheel = await BuildWheelAsync(dir);
            string version = HeaderVersion().Match(File.ReadAllText(Path.Combine(TestData.RepoRoot, "include", "emoser.h"))).Groups[1].Value;
            Assert.Equal($"emoser-{version}-py3-none-linux_x86_64.whl", Path.GetFileName(wheel));
            using (ZipArchive zip = ZipFile.OpenRead(wheel))
            {
                string dist = $"emoser-{version}.dist-info";
                Assert.Equal(
                    ((string[])["emoser/__init__.py", "emoser/libemoser.so", $"{dist}/LICENSE", $"{dist}/METADATA", $"{dist}/RECORD", $"{dist}/WHEEL", $"{dist}/top_level.txt"]).Order(StringComparer.Ordinal),
                    zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
                // Every RECORD line's hash and size match the entry (what pip checks on install).
                string record = new StreamReader(zip.GetEntry($"{dist}/RECORD")!.Open()).ReadToEnd();
                foreach (string line in record.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.EndsWith(",,", StringComparison.Ordinal)))
                {
                    string[] parts = line.Split(',');
                    using var data = new MemoryStream();
                    zip.GetEntry(parts[0])!.Open().CopyTo(data);
                    string hash = Convert.ToBase64String(SHA256.HashData(data.ToArray())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                    Assert.Equal($"sha256={hash}", parts[1]);
                    Assert.Equal(data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[2]);
                }
                using var library = new MemoryStream();
                zip.GetEntry("emoser/libemoser.so")!.Open().CopyTo(library);
                Assert.Equal(File.ReadAllBytes(NativeTarget.X64.LibraryPath), library.ToArray());
                string metadata = new StreamReader(zip.GetEntry($"{dist}/METADATA")!.Open()).ReadToEnd();
                Assert.Contains("Requires-Dist: numpy\n", metadata, StringComparison.Ordinal);
            }
            // Reproducible: the same inputs give the same bytes.
            string again = Directory.CreateTempSubdirectory("emoser-wheel-again-").FullName;
            try
            {
                Assert.Equal(File.ReadAllBytes(wheel), File.ReadAllBytes(await BuildWheelAsync(again)));
            }
            finally
            {
                Directory.Delete(again, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_installed_wheel_passes_the_python_tests()
    {
        string python = RequirePython();
        ProcessResult numpy = await ProcessRunner.RunAsync([python, "-c", "import numpy"], null, null, 60);
        if (numpy.ExitCode != 0)
            Assert.Skip("SKIPPED: numpy is not installed for /usr/bin/python3 (Debian package python3-numpy).");
        string dir = Directory.CreateTempSubdirectory("emoser-python-").FullName;
        try
        {
            string wheel = await BuildWheelAsync(Path.Combine(dir, "dist"));
            string site = Path.Combine(dir, "site");
            ProcessResult pip = await ProcessRunner.RunAsync([python, "-m", "pip", "install", "--no-index", "--no-deps", "--target", site, wheel], null, null, 120);
            if (pip.ExitCode != 0 && pip.StdErr.Contains("No module named pip", StringComparison.Ordinal))
                Assert.Skip("SKIPPED: pip is not installed for /usr/bin/python3 (Debian package python3-pip).");
            Assert.True(pip.ExitCode == 0, pip.ToString());
            Assert.True(File.Exists(Path.Combine(site, "emoser", "libemoser.so")));

            string cli = Path.Combine(NativeTarget.X64.LibraryDir, "emoser");
            var env = new Dictionary<string, string>
            {
                ["PYTHONPATH"] = site,
                ["EMOSER_EMODB"] = TestData.EmoDbDir,
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            };
            if (File.Exists(cli))
                env["EMOSER_CLI"] = cli;
            ProcessResult tests = await ProcessRunner.RunAsync(
                [python, "-m", "unittest", "discover", "-v", "-s", Path.Combine(TestData.RepoRoot, "python", "tests")], env, null, 600);
            Assert.True(tests.ExitCode == 0, tests.ToString());
            // unittest reports on stderr: every test ran (none skipped where CI has what they need).
            Assert.Matches(@"Ran \d+ tests", tests.StdErr);
            if (File.Exists(cli) && TestData.HasEmoDb)
                Assert.DoesNotContain("skipped", tests.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex("#define EMOSER_VERSION_STRING \"([^\"]+)\"")]
    private static partial Regex HeaderVersion();
}
