namespace EmoSer.Edge.Tests;

/// <summary>
/// Bad input exits with 1 and exactly one stderr line <c>emoser: &lt;file&gt;: &lt;problem&gt;</c>; results for the
/// inputs before it stay on stdout, inputs after it are not read.
/// </summary>
public sealed class BadInputTests
{
    private static readonly byte[] s_goodWav = TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000);

    public static TheoryData<string> Commands()
    {
        var commands = new TheoryData<string> { "features" };
        if (EmoSer.Edge.Models.ModelSource.HasEmbedded)
            commands.Add("classify");
        return commands;
    }

    [Theory, MemberData(nameof(Commands))]
    public void EmptyFile(string command) =>
        AssertBadFile(command, [], "empty input (0 bytes)");

    [Theory, MemberData(nameof(Commands))]
    public void TruncatedHeader(string command) =>
        AssertBadFile(command, s_goodWav[..30], "truncated fmt chunk (10 of 16 bytes)");

    [Theory, MemberData(nameof(Commands))]
    public void TruncatedData(string command) =>
        AssertBadFile(command, s_goodWav[..1000], "data chunk larger than the file: declares 32000 bytes, only 956 follow");

    [Theory, MemberData(nameof(Commands))]
    public void NotAudio(string command) =>
        AssertBadFile(command, "hello world\n"u8.ToArray(), "not a WAV file: no RIFF header (starts with 68 65 6C 6C)");

    [Theory, MemberData(nameof(Commands))]
    public void Mp3RenamedToWav(string command) =>
        AssertBadFile(command, [0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0x21, 0, 0, 0, 0, 0, 0], "not a WAV file: looks like an MP3 file (ID3 tag)");

    [Theory, MemberData(nameof(Commands))]
    public void NoSamples(string command) =>
        AssertBadFile(command, TestAudio.Wav16([], 16000), "no audio samples (0 frames)");

    [Theory, MemberData(nameof(Commands))]
    public void MissingFile(string command)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emoser-missing-{Guid.NewGuid():N}.wav");
        CliResult r = CliRunner.Run(command, path);
        AssertOneLineError(r, $"emoser: {path}: no such file");
    }

    [Theory, MemberData(nameof(Commands))]
    public void Directory(string command)
    {
        CliResult r = CliRunner.Run(command, Path.GetTempPath());
        AssertOneLineError(r, $"emoser: {Path.GetTempPath()}: is a directory, not a file");
    }

    [Theory, MemberData(nameof(Commands))]
    public void EmptyStdin(string command)
    {
        CliResult r = CliRunner.Run(command, "-");
        AssertOneLineError(r, "emoser: <stdin>: empty input (0 bytes)");
    }

    [Theory, MemberData(nameof(Commands))]
    public void TruncatedStdin(string command)
    {
        CliResult r = CliRunner.Run(s_goodWav[..1000], command, "-");
        AssertOneLineError(r, "emoser: <stdin>: truncated data: data chunk declares 32000 bytes, input ends after 956");
    }

    [Theory, MemberData(nameof(Commands))]
    public void RawPartialFrame(string command)
    {
        CliResult r = CliRunner.Run([1, 2, 3], command, "--raw", "--rate", "16000", "-");
        AssertOneLineError(r, "emoser: <stdin>: 3 bytes are not a whole number of 2-byte frames (1 left over): wrong raw format or channel count?");
    }

    [Fact]
    public void FeaturesRejectRatesBelowSpectralContrastsLimit()
    {
        using TempFile low = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(8000, 1.0), 8000));
        CliResult r = CliRunner.Run("features", low.Path);
        AssertOneLineError(r, $"emoser: {low.Path}: sample rate 8000 Hz is too low for the features (need at least 12801 Hz: spectral contrast's top band must lie below Nyquist)");
    }

    [Theory, MemberData(nameof(Commands))]
    public void StopsAtTheFirstBadFileAfterPrintingTheGoodOnes(string command)
    {
        using TempFile good = CliRunner.TempFile(s_goodWav);
        using TempFile bad = CliRunner.TempFile("not audio"u8.ToArray());
        string[] args = command == "classify" ? [command, "--json", good.Path, bad.Path, good.Path] : [command, good.Path, bad.Path, good.Path];
        CliResult r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Lines);
        Assert.Equal(good.Path, r.JsonLines[0].GetProperty("file").GetString());
        Assert.Equal($"emoser: {bad.Path}: not a WAV file: no RIFF header (starts with 6E 6F 74 20)\n", r.Stderr);
    }

    private static void AssertBadFile(string command, byte[] content, string problem)
    {
        using TempFile file = CliRunner.TempFile(content);
        CliResult r = CliRunner.Run(command, file.Path);
        AssertOneLineError(r, $"emoser: {file.Path}: {problem}");
    }

    private static void AssertOneLineError(CliResult r, string expected)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal(expected + "\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
