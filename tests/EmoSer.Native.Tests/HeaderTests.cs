using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>include/emoser.h against the built library: the same functions, and valid C and C++.</summary>
public sealed partial class HeaderTests
{
    private static string HeaderPath => Path.Combine(TestData.RepoRoot, "include", "emoser.h");

    [GeneratedRegex(@"^(?:const\s+)?\w+\s*\*?\s*(emoser_\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex DeclarationRegex();

    private static SortedSet<string> DeclaredFunctions() =>
        new(DeclarationRegex().Matches(File.ReadAllText(HeaderPath)).Select(m => m.Groups[1].Value), StringComparer.Ordinal);

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public async Task Library_exports_exactly_the_functions_the_header_declares(string rid)
    {
        NativeTarget target = rid == "linux-x64" ? NativeTarget.X64 : NativeTarget.Arm64;
        if (!File.Exists(target.LibraryPath))
            Assert.Skip($"SKIPPED: {target.LibraryPath} not found; run scripts/publish-native.sh {rid} first.");
        ProcessResult readelf = await ProcessRunner.RunAsync(["readelf", "--dyn-syms", "-W", target.LibraryPath], null, null, 60);
        Assert.Equal(0, readelf.ExitCode);
        // Columns: Num: Value Size Type Bind Vis Ndx Name
        var exported = new SortedSet<string>(
            readelf.StdOut.Split('\n')
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(c => c.Length >= 8 && c[3] == "FUNC" && c[4] == "GLOBAL" && c[6] != "UND" && c[7].StartsWith("emoser_", StringComparison.Ordinal))
                .Select(c => c[7].Split('@')[0]), // drop the symbol version (emoser_x@@V1.0)
            StringComparer.Ordinal);
        SortedSet<string> declared = DeclaredFunctions();
        Assert.True(declared.Count >= 17, $"only {declared.Count} declarations parsed from {HeaderPath}");
        Assert.Equal(declared, exported);
    }

    [Theory]
    [InlineData("gcc", "c", "-std=c99")]
    [InlineData("g++", "c++", "-std=c++11")]
    public async Task Header_compiles_cleanly_as_C_and_CPlusPlus(string compiler, string language, string standard)
    {
        if (ProcessRunner.FindOnPath(compiler) is null)
            Assert.Skip($"SKIPPED: '{compiler}' is not installed.");
        ProcessResult r = await ProcessRunner.RunAsync(
            [compiler, "-x", language, standard, "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only", HeaderPath], null, null, 60);
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
