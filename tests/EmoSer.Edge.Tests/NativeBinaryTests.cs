using System.Diagnostics;
using System.Text.Json;
using EmoSer.Programs;
using EmoSer.Tests.Shared;

namespace EmoSer.Edge.Tests;

/// <summary>
/// The published native AOT binaries behave like the in-process program: the x64 binary prints the same
/// results, and the linux-arm64 binary (under qemu-aarch64-static) agrees with x64 within 1e-4 (issue 4).
/// Skipped with a message until scripts/publish-native.sh has run.
/// </summary>
[Trait("Category", "native")]
public sealed class NativeBinaryTests
{
    /// <summary>Tolerance between the JIT and the AOT build on one machine: they may pick different SIMD widths.</summary>
    private const double SameMachineTolerance = 1e-5;

    /// <summary>Issue 4: the arm64 binary's probabilities match the x64 binary's within this.</summary>
    private const double CrossArchTolerance = 1e-4;

    private static string[] SomeEmoDbFiles(int count)
    {
        string[] all = TestData.EmoDbFiles();
        return [.. Enumerable.Range(0, count).Select(i => all[(i * 97 + 3) % all.Length])];
    }

    [Fact]
    public void X64_version_and_usage_exit_codes()
    {
        string exe = NativeBinary.RequireX64();
        CliResult version = NativeBinary.Run(exe, false, null, "version");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal($"emoser {EmoSer.Runtime.EmoSerInfo.Version}\n", version.Stdout);
        CliResult usage = NativeBinary.Run(exe, false, null, "features", "--raw", "x.raw");
        Assert.Equal(2, usage.ExitCode);
        Assert.Equal(CliRunner.Run("features", "--raw", "x.raw").Stderr, usage.Stderr);
    }

    /// <summary>
    /// <c>emoser serve</c> runs the emoser-serve binary beside emoser (its help, here); a lone emoser, with nothing on
    /// PATH either, says what is missing.
    /// </summary>
    [Fact]
    public void X64_serve_runs_the_server_binary_beside_it()
    {
        string exe = NativeBinary.RequireX64();
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(exe)!, "emoser-serve")))
            Assert.Skip("SKIPPED: emoser-serve not published beside emoser (run scripts/publish-native.sh linux-x64).");
        CliResult help = NativeBinary.Run(exe, false, null, "serve", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("emoser-serve", help.Stdout);
        Assert.Contains("--urls", help.Stdout);

        string alone = Directory.CreateTempSubdirectory("emoser-alone-").FullName;
        try
        {
            string copy = Path.Combine(alone, "emoser");
            File.Copy(exe, copy);
            var start = new ProcessStartInfo(copy) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment["PATH"] = alone;
            foreach (string a in new[] { "serve", "--urls", "http://127.0.0.1:5000" })
                start.ArgumentList.Add(a);
            using Process p = Process.Start(start)!;
            string stderr = p.StandardError.ReadToEnd();
            Assert.Equal("", p.StandardOutput.ReadToEnd());
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            Assert.Equal($"emoser serve: emoser-serve was not found next to emoser ({alone}/) or on PATH: install it beside emoser (scripts/publish-native.sh builds both)\n", stderr);
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }
    }

    [Fact]
    public void X64_bad_input_gives_the_same_one_line_error()
    {
        string exe = NativeBinary.RequireX64();
        using TempFile bad = CliRunner.TempFile("RIFF\x10\0\0\0WAVEfmt "u8.ToArray());
        CliResult native = NativeBinary.Run(exe, false, null, "features", "--format", "csv", bad.Path);
        CliResult inProcess = CliRunner.Run("features", "--format", "csv", bad.Path);
        Assert.Equal(1, native.ExitCode);
        Assert.Equal(inProcess.Stderr, native.Stderr);
        Assert.Single(native.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // In JSON (the default of features) the error is the JSON line instead.
        CliResult json = NativeBinary.Run(exe, false, null, "features", bad.Path);
        Assert.Equal(CliRunner.Run("features", bad.Path).Stdout, json.Stdout);
        Assert.Equal("", json.Stderr);
    }

    [Fact]
    public void X64_decodes_flac_itself_and_mp3_through_ffmpeg()
    {
        string exe = NativeBinary.RequireX64();
        string[] files = [Path.Combine(TestData.Fixtures, "audio", "flac-24-stereo.flac"), Path.Combine(TestData.Fixtures, "audio", "aiff-16-mono.aiff")];
        CliResult native = NativeBinary.Run(exe, false, null, ["features", .. files]);
        Assert.True(native.ExitCode == 0, native.ToString());
        AssertFeatureLinesClose(CliRunner.Run(["features", .. files]).JsonLines, native.JsonLines, 1e-4);
        if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "ffmpeg"))))
            Assert.Skip("SKIPPED: 'ffmpeg' is not installed (scripts/ci/install-packages.sh installs it).");
        string dir = Directory.CreateTempSubdirectory("emoser-native-mp3-").FullName;
        try
        {
            string mp3 = Path.Combine(dir, "sample.mp3");
            var p = Process.Start("ffmpeg", ["-nostdin", "-loglevel", "error", "-i", Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav"), mp3]);
            p.WaitForExit();
            CliResult decoded = NativeBinary.Run(exe, false, null, "features", mp3);
            Assert.True(decoded.ExitCode == 0, decoded.ToString());
            AssertFeatureLinesClose(CliRunner.Run("features", mp3).JsonLines, decoded.JsonLines, 1e-4);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void X64_features_equal_in_process()
    {
        string exe = NativeBinary.RequireX64();
        string[] files = SomeEmoDbFiles(3);
        CliResult native = NativeBinary.Run(exe, false, null, ["features", .. files]);
        CliResult inProcess = CliRunner.Run(["features", .. files]);
        Assert.True(native.ExitCode == 0, native.ToString());
        AssertFeatureLinesClose(inProcess.JsonLines, native.JsonLines, 1e-4);
    }

    [Fact]
    public void X64_stdin_wav_works()
    {
        string exe = NativeBinary.RequireX64();
        string file = SomeEmoDbFiles(1)[0];
        CliResult native = NativeBinary.Run(exe, false, File.ReadAllBytes(file), "features", "-");
        Assert.True(native.ExitCode == 0, native.ToString());
        Assert.Equal("<stdin>", native.JsonLines[0].GetProperty("file").GetString());
    }

    [Fact]
    public void X64_classify_equals_in_process()
    {
        string exe = NativeBinary.RequireX64();
        RequireEmbeddedModel();
        string[] files = SomeEmoDbFiles(4);
        CliResult native = NativeBinary.Run(exe, false, null, ["classify", "--json", .. files]);
        CliResult inProcess = CliRunner.Run(["classify", "--json", .. files]);
        Assert.True(native.ExitCode == 0, native.ToString());
        double diff = AssertClassificationsClose(inProcess.JsonLines, native.JsonLines, SameMachineTolerance);
        TestContext.Current.SendDiagnosticMessage($"x64 AOT vs in-process: max |dp| = {diff:E2} over {files.Length} files");
    }

    [Fact]
    public void X64_stream_from_a_pipe_equals_in_process()
    {
        string exe = NativeBinary.RequireX64();
        RequireEmbeddedModel();
        // 5 s digital silence, then three Emo-DB utterances: silence lines, then classified ones.
        short[] speech = [.. SomeEmoDbFiles(3).SelectMany(f => EmoSer.Runtime.Audio.WavReader.ReadFile(f).ToMono()).Select(x => (short)Math.Round(x * 32768))];
        byte[] pcm = TestSignals.ToBytes([.. new short[80000], .. speech]);
        CliResult native = NativeBinary.Run(exe, false, pcm, "stream", "--raw", "--rate", "16000");
        CliResult inProcess = CliRunner.Run(pcm, "stream", "--raw", "--rate", "16000");
        Assert.True(native.ExitCode == 0, native.ToString());
        JsonElement[] n = native.JsonLines, p = inProcess.JsonLines;
        Assert.Equal(p.Length, n.Length);
        Assert.Contains(n, l => l.GetProperty("silence").GetBoolean());
        Assert.Contains(n, l => !l.GetProperty("silence").GetBoolean());
        for (int i = 0; i < p.Length; i++)
        {
            Assert.Equal(p[i].GetProperty("start").GetDouble(), n[i].GetProperty("start").GetDouble());
            Assert.Equal(p[i].GetProperty("end").GetDouble(), n[i].GetProperty("end").GetDouble());
            Assert.Equal(p[i].GetProperty("silence").GetBoolean(), n[i].GetProperty("silence").GetBoolean());
            if (p[i].GetProperty("silence").GetBoolean())
                continue;
            foreach (JsonProperty q in p[i].GetProperty("probabilities").EnumerateObject())
                Assert.True(Math.Abs(q.Value.GetDouble() - n[i].GetProperty("probabilities").GetProperty(q.Name).GetDouble()) <= SameMachineTolerance, $"line {i}: {q.Name}");
        }
    }

    [Fact]
    public void Arm64_classify_matches_X64()
    {
        string x64 = NativeBinary.RequireX64();
        string arm64 = NativeBinary.RequireArm64();
        RequireEmbeddedModel();
        string[] files = SomeEmoDbFiles(3);
        CliResult onX64 = NativeBinary.Run(x64, false, null, ["classify", "--json", .. files]);
        CliResult onArm64 = NativeBinary.Run(arm64, true, null, ["classify", "--json", .. files]);
        Assert.True(onArm64.ExitCode == 0, onArm64.ToString());
        double diff = AssertClassificationsClose(onX64.JsonLines, onArm64.JsonLines, CrossArchTolerance);
        TestContext.Current.SendDiagnosticMessage($"arm64 (qemu) vs x64: max |dp| = {diff:E2} over {files.Length} files");
    }

    private static void RequireEmbeddedModel()
    {
        if (!EmoSer.Programs.EmbeddedModels.Has())
            Assert.Skip("SKIPPED: weights/model-a.emow was not present when emoser was built, so there is no embedded model.");
    }

    /// <summary>Same files, labels, top emotion and durations; probabilities within <paramref name="tolerance"/>. Returns the max difference.</summary>
    private static double AssertClassificationsClose(JsonElement[] expected, JsonElement[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            JsonElement e = expected[i], a = actual[i];
            Assert.Equal(e.GetProperty("file").GetString(), a.GetProperty("file").GetString());
            Assert.Equal(e.GetProperty("model").GetString(), a.GetProperty("model").GetString());
            Assert.Equal(e.GetProperty("duration_s").GetDouble(), a.GetProperty("duration_s").GetDouble());
            var pe = e.GetProperty("probabilities").EnumerateObject().ToArray();
            var pa = a.GetProperty("probabilities").EnumerateObject().ToArray();
            Assert.Equal(pe.Select(p => p.Name), pa.Select(p => p.Name));
            for (int k = 0; k < pe.Length; k++)
            {
                double d = Math.Abs(pe[k].Value.GetDouble() - pa[k].Value.GetDouble());
                max = Math.Max(max, d);
                Assert.True(d <= tolerance, $"{e.GetProperty("file")}: {pe[k].Name} differs by {d:E3} (> {tolerance:E0})");
            }
            Assert.Equal(e.GetProperty("emotion").GetString(), a.GetProperty("emotion").GetString());
        }
        return max;
    }

    /// <summary>Per feature: |a-e| ≤ tol·max(1, |e|).</summary>
    private static void AssertFeatureLinesClose(JsonElement[] expected, JsonElement[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].GetProperty("file").GetString(), actual[i].GetProperty("file").GetString());
            double[] e = [.. expected[i].GetProperty("features").EnumerateArray().Select(x => x.GetDouble())];
            double[] a = [.. actual[i].GetProperty("features").EnumerateArray().Select(x => x.GetDouble())];
            Assert.Equal(e.Length, a.Length);
            for (int k = 0; k < e.Length; k++)
                Assert.True(Math.Abs(a[k] - e[k]) <= tolerance * Math.Max(1, Math.Abs(e[k])), $"feature {k} of {expected[i].GetProperty("file")}: {a[k]} vs {e[k]}");
        }
    }
}
