namespace EmoSer.Edge.Tests;

/// <summary>
/// Bad input exits with 1 and exactly one error line: <c>emoser: &lt;file&gt;: &lt;problem&gt;</c> on stderr, or in JSON
/// output (the default of <c>features</c>) the JSON line <c>{"file": ..., "error": ...}</c> on stdout. The other
/// inputs are all processed.
/// </summary>
[Trait("Category", "unit")]
public sealed class BadInputTests
{
    private static readonly byte[] s_goodWav = TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000);

    public static TheoryData<string> Commands()
    {
        var commands = new TheoryData<string> { "features" };
        if (EmoSer.Programs.EmbeddedModels.Has())
            commands.Add("classify");
        return commands;
    }

    [Theory, MemberData(nameof(Commands))]
    public void Empty_file(string command) =>
        AssertBadFile(command, [], "empty input (0 bytes)");

    [Theory, MemberData(nameof(Commands))]
    public void Truncated_header(string command) =>
        AssertBadFile(command, s_goodWav[..30], "truncated fmt chunk (10 of 16 bytes)");

    [Theory, MemberData(nameof(Commands))]
    public void Truncated_data(string command) =>
        AssertBadFile(command, s_goodWav[..1000], "data chunk larger than the file: declares 32000 bytes, only 956 follow");

    [Theory, MemberData(nameof(Commands))]
    public void Not_audio(string command) =>
        AssertBadFile(command, "hello world\n"u8.ToArray(), "not a supported audio file: no WAV, AIFF, FLAC, MP3, Ogg, MP4 or WebM header (starts with 68 65 6C 6C)");

    [Theory, MemberData(nameof(Commands))]
    public void Aiff_cut_short(string command) =>
        AssertBadFile(command, File.ReadAllBytes(Path.Combine(EmoSer.Tests.Shared.TestData.Fixtures, "audio", "aiff-16-mono.aiff"))[..5000],
            "truncated sound data: COMM declares 6400 frames (12800 bytes), SSND holds 4912 bytes");

    [Theory, MemberData(nameof(Commands))]
    public void No_samples(string command) =>
        AssertBadFile(command, TestAudio.Wav16([], 16000), "no audio samples (0 frames)");

    [Theory, MemberData(nameof(Commands))]
    public void Missing_file(string command)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emoser-missing-{Guid.NewGuid():N}.wav");
        AssertOneLineError(command, CliRunner.Run(command, path), path, "no such file");
    }

    [Theory, MemberData(nameof(Commands))]
    public void Folder_without_audio(string command)
    {
        string dir = Directory.CreateTempSubdirectory("emoser-empty-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "no audio here");
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            AssertOneLineError(command, CliRunner.Run(command, dir), dir, "no audio files in the folder (it has sub-folders: add --recursive to walk them)");
            AssertOneLineError(command, CliRunner.Run(command, "--recursive", dir), dir, "no audio files in the folder");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory, MemberData(nameof(Commands))]
    public void Empty_stdin(string command) =>
        AssertOneLineError(command, CliRunner.Run(command, "-"), "<stdin>", "empty input (0 bytes)");

    [Theory, MemberData(nameof(Commands))]
    public void Truncated_stdin(string command) =>
        AssertOneLineError(command, CliRunner.Run(s_goodWav[..1000], command, "-"), "<stdin>", "truncated data: data chunk declares 32000 bytes, input ends after 956");

    [Theory, MemberData(nameof(Commands))]
    public void Raw_partial_frame(string command) =>
        AssertOneLineError(command, CliRunner.Run([1, 2, 3], command, "--raw", "--rate", "16000", "-"), "<stdin>",
            "3 bytes are not a whole number of 2-byte frames (1 left over): wrong raw format or channel count?");

    [Theory, MemberData(nameof(Commands))]
    public void Compressed_audio_without_ffmpeg_names_the_format_and_the_remedy(string command)
    {
        // ID3-tagged MP3 named .wav; no ffmpeg configured (as $EMOSER_FFMPEG=none does).
        using TempFile file = CliRunner.TempFile([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0x21, .. new byte[0x21], 0xFF, 0xFB, 0x90, 0x64, 0, 0]);
        CliResult r = CliRunner.RunWithoutFfmpeg(command, file.Path);
        AssertOneLineError(command, r, file.Path, "MP3 audio is not decoded here (WAV, AIFF and FLAC are): convert it first, e.g. 'ffmpeg -i INPUT OUTPUT.wav'");
    }

    [Fact]
    public void Features_reject_rates_below_spectral_contrasts_limit()
    {
        using TempFile low = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(8000, 1.0), 8000));
        CliResult r = CliRunner.Run("features", low.Path);
        AssertOneLineError("features", r, low.Path, "sample rate 8000 Hz is too low for the features (need at least 12801 Hz: spectral contrast's top band must lie below Nyquist)");
    }

    [Theory, MemberData(nameof(Commands))]
    public void Every_input_is_processed_and_each_bad_one_gets_one_error_line(string command)
    {
        using TempFile good = CliRunner.TempFile(s_goodWav);
        using TempFile bad = CliRunner.TempFile("not audio"u8.ToArray());
        using TempFile cut = CliRunner.TempFile(s_goodWav[..1000]);
        string[] args = command == "classify" ? [command, "--json", good.Path, bad.Path, good.Path, cut.Path] : [command, good.Path, bad.Path, good.Path, cut.Path];
        CliResult r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal([good.Path, bad.Path, good.Path, cut.Path], r.JsonLines.Select(j => j.GetProperty("file").GetString()));
        Assert.Equal("not a supported audio file: no WAV, AIFF, FLAC, MP3, Ogg, MP4 or WebM header (starts with 6E 6F 74 20)", r.JsonLines[1].GetProperty("error").GetString());
        Assert.Equal("data chunk larger than the file: declares 32000 bytes, only 956 follow", r.JsonLines[3].GetProperty("error").GetString());
        Assert.Equal(2, r.JsonLines[1].EnumerateObject().Count());
        Assert.False(r.JsonLines[2].TryGetProperty("error", out _));
        Assert.Equal("emoser: 2 of 4 inputs could not be processed\n", r.Stderr);
    }

    private static void AssertBadFile(string command, byte[] content, string problem)
    {
        using TempFile file = CliRunner.TempFile(content);
        AssertOneLineError(command, CliRunner.Run(command, file.Path), file.Path, problem);
    }

    /// <summary>
    /// Exit 1 and one error line: on stderr for the table (classify's default), as a JSON line on stdout for JSON
    /// (features' default); nothing else.
    /// </summary>
    private static void AssertOneLineError(string command, CliResult r, string input, string problem)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        if (command == "features")
        {
            Assert.Equal("", r.Stderr);
            var line = Assert.Single(r.JsonLines);
            Assert.Equal(input, line.GetProperty("file").GetString());
            Assert.Equal(problem, line.GetProperty("error").GetString());
        }
        else
        {
            Assert.Equal($"emoser: {input}: {problem}\n", r.Stderr);
            Assert.Equal("", r.Stdout);
        }
    }
}
