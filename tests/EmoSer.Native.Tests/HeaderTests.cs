using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>include/emoser.h against the built library: the same functions, and valid C and C++.</summary>
[Trait("Category", "native")]
public sealed partial class HeaderTests
{
    private static string HeaderPath => Path.Combine(TestData.RepoRoot, "include", "emoser.h");

    [GeneratedRegex(@"^(?:EMOSER_API\s+)?(?:const\s+)?\w+\s*\*?\s*(emoser_\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex DeclarationRegex();

    /// <summary>A function declaration: the line that names an <c>emoser_</c> function and opens its parameter list.</summary>
    [GeneratedRegex(@"^(?!\s|/|\*|#)(.*?)\b(emoser_\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex FunctionLineRegex();

    /// <summary>The 0.2 functions the 0.3 params functions replace: they keep working and are marked deprecated.</summary>
    private static readonly string[] s_deprecated =
    [
        "emoser_classify_f32", "emoser_classify_s16", "emoser_classify_file", "emoser_classify_f32_profile", "emoser_classify_s16_profile",
        "emoser_stream_new", "emoser_model_set_speed_copies", "emoser_model_set_min_confidence", "emoser_model_min_confidence",
    ];

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

    [Fact]
    public void Every_function_is_EMOSER_API_and_exactly_the_0_2_replaced_ones_are_deprecated()
    {
        string[] lines = File.ReadAllLines(HeaderPath);
        var deprecated = new SortedSet<string>(StringComparer.Ordinal);
        int functions = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            Match m = FunctionLineRegex().Match(lines[i]);
            if (!m.Success || m.Groups[1].Value.Contains("typedef", StringComparison.Ordinal))
                continue;
            functions++;
            Assert.True(lines[i].StartsWith("EMOSER_API ", StringComparison.Ordinal), $"line {i + 1} declares {m.Groups[2].Value} without EMOSER_API: {lines[i]}");
            if (i > 0 && lines[i - 1].StartsWith("EMOSER_DEPRECATED(", StringComparison.Ordinal))
                deprecated.Add(m.Groups[2].Value);
        }
        Assert.Equal(DeclaredFunctions().Count, functions);
        Assert.Equal(new SortedSet<string>(s_deprecated, StringComparer.Ordinal), deprecated);
    }

    /// <summary>
    /// A deprecated call fails a -Werror build with a message naming its replacement, the 0.3 calls do not, and
    /// EMOSER_NO_DEPRECATION_WARNINGS lets code still on 0.2 build with -Werror.
    /// </summary>
    [Theory]
    [InlineData("gcc", "c", "-std=c11")]
    [InlineData("g++", "c++", "-std=c++11")]
    public async Task Deprecated_calls_warn_with_their_replacement_unless_silenced(string compiler, string language, string standard)
    {
        if (ProcessRunner.FindOnPath(compiler) is null)
            Assert.Skip($"SKIPPED: '{compiler}' is not installed.");
        string dir = Directory.CreateTempSubdirectory("emoser-header-").FullName;
        try
        {
            async Task<ProcessResult> CompileAsync(string body, params string[] defines)
            {
                string source = Path.Combine(dir, language == "c" ? "t.c" : "t.cpp");
                await File.WriteAllTextAsync(source, "#include \"emoser.h\"\nint f(emoser_model m, const float *x, float *p) {\n" + body + "\n}\n", TestContext.Current.CancellationToken);
                return await ProcessRunner.RunAsync(
                    [compiler, "-x", language, standard, "-Wall", "-Wextra", "-Werror", .. defines, "-I", Path.GetDirectoryName(HeaderPath)!, "-c", source, "-o", Path.Combine(dir, "t.o")],
                    null, null, 60);
            }
            const string Old = "return emoser_classify_f32(m, x, 1, 16000, 1, p, 7, 0);";
            ProcessResult old = await CompileAsync(Old);
            Assert.NotEqual(0, old.ExitCode);
            Assert.Contains("deprecated", old.StdErr, StringComparison.Ordinal);
            Assert.Contains("use emoser_classify_pcm_f32", old.StdErr, StringComparison.Ordinal);
            ProcessResult silenced = await CompileAsync(Old, "-DEMOSER_NO_DEPRECATION_WARNINGS");
            Assert.True(silenced.ExitCode == 0, silenced.ToString());
            ProcessResult current = await CompileAsync(
                "emoser_classify_params c = emoser_classify_default_params(); emoser_stream_params s = emoser_stream_default_params(); (void)s;\n"
                + "return emoser_classify_pcm_f32(m, x, 1, 16000, 1, &c, p, 7, 0) == EMOSER_OK ? 0 : (int)emoser_status_str(EMOSER_ERR_IO)[0];");
            Assert.True(current.ExitCode == 0, current.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
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
