using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Edge.Tests;

/// <summary>
/// Batches that finish: folders walked in order, every readable input processed whatever fails beside it (AIFF
/// named .wav, FLAC, a truncated WAV), the output formats (CSV, ARFF, tables), progress on a terminal, and
/// compressed copies classified like their WAV.
/// </summary>
[Trait("Category", "golden")]
public sealed class BatchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-batch-").FullName;

    private static string FixtureDir => Path.Combine(TestData.Fixtures, "audio");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A TESS-like folder: good WAVs, an AIFF named .wav, a FLAC, a truncated WAV, and a text file.</summary>
    private string TessLikeFolder()
    {
        byte[] good = TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000);
        File.WriteAllBytes(Path.Combine(_dir, "a_good.wav"), good);
        File.Copy(Path.Combine(FixtureDir, "aiff-16-mono.aiff"), Path.Combine(_dir, "b_aiff_named.wav"));
        File.Copy(Path.Combine(FixtureDir, "flac-16-mono.flac"), Path.Combine(_dir, "c_lossless.flac"));
        File.WriteAllBytes(Path.Combine(_dir, "d_truncated.wav"), good[..3000]);
        File.WriteAllBytes(Path.Combine(_dir, "e_good.WAV"), good);
        File.WriteAllText(Path.Combine(_dir, "readme.txt"), "not audio, not walked");
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.WriteAllBytes(Path.Combine(_dir, "sub", "f_nested.wav"), good);
        return _dir;
    }

    [Fact]
    public void A_tess_like_folder_is_classified_to_the_end()
    {
        string dir = TessLikeFolder();
        CliResult r = CliRunner.Run("classify", "--json", "--model", TestModelFile.Path, dir);
        Assert.True(r.ExitCode == 1, r.ToString());
        string[] names = [.. r.JsonLines.Select(j => Path.GetFileName(j.GetProperty("file").GetString()!))];
        Assert.Equal(["a_good.wav", "b_aiff_named.wav", "c_lossless.flac", "d_truncated.wav", "e_good.WAV"], names);
        Assert.Equal("data chunk larger than the file: declares 32000 bytes, only 2956 follow", r.JsonLines[3].GetProperty("error").GetString());
        foreach (int i in new[] { 0, 1, 2, 4 })
            Assert.True(r.JsonLines[i].TryGetProperty("emotion", out _));
        // The AIFF and FLAC are the fixtures' 0.4 s.
        Assert.Equal(0.4, r.JsonLines[1].GetProperty("duration_s").GetDouble(), 1e-9);
        Assert.Equal(0.4, r.JsonLines[2].GetProperty("duration_s").GetDouble(), 1e-9);
        Assert.Equal("emoser: 1 of 5 inputs could not be processed\n", r.Stderr);

        // --recursive adds the sub-folder's file, in path order; the table lists the good ones, the error goes to stderr.
        CliResult table = CliRunner.Run("classify", "--recursive", "--model", TestModelFile.Path, dir);
        Assert.Equal(1, table.ExitCode);
        Assert.Equal(6, table.Lines.Length); // header + 5 classified
        Assert.EndsWith("f_nested.wav", table.Lines[^1].Split("  ")[0].Trim(), StringComparison.Ordinal);
        Assert.Equal($"emoser: {Path.Combine(dir, "d_truncated.wav")}: data chunk larger than the file: declares 32000 bytes, only 2956 follow\n"
            + "emoser: 1 of 6 inputs could not be processed\n", table.Stderr);
    }

    [Fact]
    public void Same_speaker_leaves_unreadable_inputs_out_of_the_profile_and_reports_them_in_place()
    {
        string dir = TessLikeFolder();
        TestData.RequireEmoDb();
        string model = SpeakerTestModelFile.Path;
        CliResult r = CliRunner.Run("classify", "--json", "--same-speaker", "--model", model, dir);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal(5, r.JsonLines.Length);
        Assert.True(r.JsonLines[3].TryGetProperty("error", out _));
        foreach (int i in new[] { 0, 1, 2, 4 })
            Assert.Equal(4, r.JsonLines[i].GetProperty("speaker").GetProperty("utterances").GetInt32());
    }

    [Fact]
    public void Enroll_uses_every_readable_input_and_says_which_failed()
    {
        string dir = TessLikeFolder();
        string profile = Path.Combine(_dir, "..", Path.GetFileName(_dir) + "-profile.json");
        try
        {
            CliResult r = CliRunner.Run("enroll", "--model", TestModelFile.Path, "--out", profile, dir);
            Assert.True(r.ExitCode == 1, r.ToString());
            Assert.StartsWith($"{profile}: 4 utterances (5 inputs, 1 unreadable skipped)", r.Stdout, StringComparison.Ordinal);
            Assert.Equal($"emoser: {Path.Combine(dir, "d_truncated.wav")}: data chunk larger than the file: declares 32000 bytes, only 2956 follow\n"
                + "emoser: 1 of 5 inputs could not be processed\n", r.Stderr);
            Assert.Equal(4, EmoSer.Runtime.Speakers.SpeakerProfileFile.Load(profile).Profile.Count);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public void Csv_has_a_header_and_the_json_numbers()
    {
        string dir = TessLikeFolder();
        CliResult json = CliRunner.Run("classify", "--json", "--segment", "0.5", "--model", TestModelFile.Path, dir);
        CliResult csv = CliRunner.Run("classify", "--format", "csv", "--segment", "0.5", "--model", TestModelFile.Path, dir);
        Assert.Equal(1, csv.ExitCode);
        string[] rows = csv.Lines;
        Assert.Equal("file,segment,start,end,emotion,confidence," + string.Join(',', TestModelFile.Labels), rows[0]);
        JsonElement first = json.JsonLines[0];
        string[] cells = rows[1].Split(',');
        Assert.Equal(first.GetProperty("file").GetString(), cells[0]);
        Assert.Equal("", cells[1]);
        Assert.Equal(first.GetProperty("emotion").GetString(), cells[4]);
        for (int k = 0; k < TestModelFile.Labels.Length; k++)
            Assert.Equal(first.GetProperty("probabilities").GetProperty(TestModelFile.Labels[k]).GetSingle(), float.Parse(cells[6 + k], CultureInfo.InvariantCulture));
        int segments = first.GetProperty("segments").GetArrayLength();
        Assert.Equal("1", rows[2].Split(',')[1]);
        Assert.Equal(first.GetProperty("segments")[segments - 1].GetProperty("end").GetDouble(), double.Parse(rows[1 + segments].Split(',')[3], CultureInfo.InvariantCulture));
        // A file name with a comma is quoted.
        string comma = Path.Combine(_dir, "sub", "x,y.wav");
        File.Copy(Path.Combine(_dir, "a_good.wav"), comma);
        CliResult quoted = CliRunner.Run("classify", "--format", "csv", "--model", TestModelFile.Path, comma);
        Assert.StartsWith($"\"{comma}\",1,", quoted.Lines[1], StringComparison.Ordinal);

        CliResult both = CliRunner.Run("classify", "--json", "--format", "csv", "--model", TestModelFile.Path, comma);
        Assert.Equal(2, both.ExitCode);
        Assert.StartsWith("emoser: --json and --format csv cannot be used together\n", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_as_csv_arff_and_table_carry_the_json_values()
    {
        string wav = Path.Combine(_dir, "tone.wav");
        File.WriteAllBytes(wav, TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        float[] features = [.. CliRunner.Run("features", wav).JsonLines[0].GetProperty("features").EnumerateArray().Select(v => v.GetSingle())];

        string[] csv = CliRunner.Run("features", "--format", "csv", wav).Lines;
        Assert.Equal(2, csv.Length);
        string[] header = csv[0].Split(',');
        Assert.Equal(["file", "sample_rate", "duration_s", "mfcc_0"], header[..4]);
        Assert.Equal(["mfcc_49", "chroma_0"], header[52..54]);
        Assert.Equal("tonnetz_5", header[^1]);
        Assert.Equal(features, csv[1].Split(',')[3..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)));

        string[] arff = CliRunner.Run("features", "--format", "arff", wav).Lines;
        Assert.Contains("@relation emoser_features", arff);
        Assert.Equal(1 + 193, arff.Count(l => l.StartsWith("@attribute ", StringComparison.Ordinal)));
        Assert.Equal("@attribute file string", arff.First(l => l.StartsWith("@attribute", StringComparison.Ordinal)));
        string data = arff[Array.IndexOf(arff, "@data") + 1];
        Assert.StartsWith($"'{wav}',", data, StringComparison.Ordinal);
        Assert.Equal(features, data.Split(',')[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)));

        string[] table = CliRunner.Run("features", "--format", "table", wav, wav).Lines;
        Assert.Equal(1 + 2 + 193, table.Length);
        Assert.StartsWith("mfcc_0 ", table[3], StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_sees_progress_and_the_line_is_cleared_at_the_end()
    {
        string dir = TessLikeFolder();
        CliResult r = CliRunner.RunOnTerminal(TimeSpan.Zero, "classify", "--model", TestModelFile.Path, dir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("\r\u001b[K[1/5] ", r.Stderr, StringComparison.Ordinal);
        // The error line starts on a cleared line, and nothing of the progress line is left at the end.
        Assert.Contains("\r\u001b[Kemoser: " + Path.Combine(dir, "d_truncated.wav"), r.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("\r\u001b[Kemoser: 1 of 5 inputs could not be processed\n", r.Stderr, StringComparison.Ordinal);
        // Not on a pipe (the default of the tests, as of a log).
        Assert.DoesNotContain('\r', CliRunner.Run("classify", "--model", TestModelFile.Path, dir).Stderr);
    }

    [Fact]
    public void Flac_and_mp3_copies_are_classified_as_their_wav()
    {
        if (!EmoSer.Programs.EmbeddedModels.Has())
            Assert.Skip("SKIPPED: this build embeds no model (weights/model-a.emow).");
        string wav = Path.Combine(TestData.RequireEmoDb(), "03a01Wa.wav");
        foreach (string tool in new[] { "flac", "ffmpeg" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                Assert.Skip($"SKIPPED: '{tool}' is not installed (scripts/ci/install-packages.sh installs it).");
        }
        string flac = Path.Combine(_dir, "03a01Wa.flac"), mp3 = Path.Combine(_dir, "03a01Wa.mp3");
        Run("flac", "-s", "-o", flac, wav);
        Run("ffmpeg", "-nostdin", "-loglevel", "error", "-i", wav, "-c:a", "libmp3lame", "-b:a", "128k", mp3);
        JsonElement[] lines = CliRunner.Run("classify", "--json", wav, flac, mp3).JsonLines;
        Assert.Equal(3, lines.Length);
        // FLAC is lossless: the very same probabilities. MP3 is not: the same emotion.
        Assert.Equal(lines[0].GetProperty("probabilities").ToString(), lines[1].GetProperty("probabilities").ToString());
        Assert.Equal(lines[0].GetProperty("emotion").GetString(), lines[2].GetProperty("emotion").GetString());
    }

    private static void Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool}: {err}");
    }
}
