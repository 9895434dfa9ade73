namespace EmoSer.Edge.Tests;

/// <summary>Usage errors exit with 2, print the problem and a hint on stderr, and nothing on stdout.</summary>
[Trait("Category", "unit")]
public sealed class UsageTests
{
    [Theory]
    [InlineData(new[] { "features", "--rate", "16000", "a.wav" }, "emoser: --rate is only valid with --raw (WAV input carries its own layout)")]
    [InlineData(new[] { "features", "--raw", "a.raw" }, "emoser: --raw needs --rate HZ")]
    [InlineData(new[] { "features", "--raw", "--rate", "0", "a.raw" }, "emoser: --rate must be 8000..768000 Hz, got 0")]
    [InlineData(new[] { "features", "--raw", "--rate", "7999", "a.raw" }, "emoser: --rate must be 8000..768000 Hz, got 7999")]
    [InlineData(new[] { "features", "--max-duration", "0", "a.wav" }, "emoser: --max-duration must be 0.001..86400 seconds, got 0")]
    [InlineData(new[] { "features", "--raw", "--rate", "16000", "--channels", "65", "a.raw" }, "emoser: --channels must be 1..64, got 65")]
    [InlineData(new[] { "features", "-", "-" }, "emoser: '-' (standard input) may be given only once")]
    [InlineData(new[] { "features", "--raw", "--rate", "abc", "a.raw" }, "emoser: --rate: 'abc' is not a whole number")]
    [InlineData(new[] { "features", "--raw", "--rate", "16000", "--channels", "1.5", "a.raw" }, "emoser: --channels: '1.5' is not a whole number")]
    [InlineData(new[] { "features", "--bogus", "a.wav" }, "emoser: unknown option '--bogus'")]
    [InlineData(new[] { "features" }, "emoser: Required argument missing for command: 'features'.")]
    public void Features_usage_errors_exit_with_2(string[] args, string firstLine)
    {
        CliResult r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        string[] err = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(firstLine, err[0]);
        Assert.Equal("Run 'emoser features --help' for usage.", err[^1]);
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        CliResult r = CliRunner.Run();
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("emoser: Required command was not provided.\nRun 'emoser --help' for usage.\n", r.Stderr);
    }

    [Fact]
    public void Unknown_command_is_a_usage_error()
    {
        CliResult r = CliRunner.Run("clasify", "a.wav");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'clasify'", r.Stderr);
    }

    [Fact]
    public void Bad_format_name_is_a_usage_error()
    {
        CliResult r = CliRunner.Run("features", "--raw", "--rate", "16000", "--sample-format", "s24le", "-");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("emoser: Argument 's24le' not recognized. Must be one of:", r.Stderr);
    }

    [Fact]
    public void Help_exits_with_0_and_lists_the_commands()
    {
        CliResult r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (string command in new[] { "features", "classify", "enroll", "stream", "info", "version", "serve" })
            Assert.Contains(command, r.Stdout);
    }

    [Fact]
    public void Serve_without_the_server_binary_exits_1_and_says_what_is_missing()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(Stream.Null, stdout, stderr, findServer: () => null);
        int code = Cli.Run(["serve", "--urls", "http://127.0.0.1:5000"], context);
        Assert.Equal(1, code);
        Assert.Equal("", stdout.ToString());
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("emoser serve: emoser-serve was not found next to emoser (", line);
        Assert.EndsWith(") or on PATH: install it beside emoser (scripts/publish-native.sh builds both)", line);
    }

    [Fact]
    public void Serve_that_cannot_run_the_server_binary_exits_1_and_names_it()
    {
        var stderr = new StringWriter();
        string notExecutable = Path.Combine(Path.GetTempPath(), $"emoser-serve-{Guid.NewGuid():N}");
        File.WriteAllText(notExecutable, "not a program");
        try
        {
            int code = Cli.Run(["serve"], new CliContext(Stream.Null, new StringWriter(), stderr, findServer: () => notExecutable));
            Assert.Equal(1, code);
            string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"emoser serve: cannot run {notExecutable}: ", line);
            Assert.Contains("denied", line, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(notExecutable);
        }
    }

    [Fact]
    public void Version_prints_the_runtime_version()
    {
        CliResult r = CliRunner.Run("version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"emoser {EmoSer.Runtime.EmoSerInfo.Version}\n", r.Stdout);
    }

    [Theory]
    [InlineData(new[] { "classify", "--segment", "0", "a.wav" }, "emoser: --segment must be a finite number of seconds of at least 0.1, got 0")]
    [InlineData(new[] { "classify", "--segment", "-1", "a.wav" }, "emoser: --segment must be a finite number of seconds of at least 0.1, got -1")]
    [InlineData(new[] { "classify", "--segment", "x", "a.wav" }, "emoser: --segment: 'x' is not a number")]
    public void Classify_usage_errors_exit_with_2(string[] args, string firstLine)
    {
        CliResult r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal(firstLine, r.Stderr.Split('\n')[0]);
    }

    [Theory]
    [InlineData(new[] { "stream", "--hop", "4" }, "emoser: --hop must not exceed --window")]
    [InlineData(new[] { "stream", "--window", "1", "--hop", "2" }, "emoser: --hop must not exceed --window")]
    [InlineData(new[] { "stream", "--window", "0.5" }, "emoser: --hop must not exceed --window")]
    [InlineData(new[] { "stream", "--hop", "nan" }, "emoser: --hop: 'nan' is not a number")]
    [InlineData(new[] { "stream", "--window", "0.05" }, "emoser: --window must be 0.1..60, got 0.05")]
    [InlineData(new[] { "stream", "--silence-db", "3" }, "emoser: --silence-db must be -200..0, got 3")]
    [InlineData(new[] { "stream", "--channels", "2" }, "emoser: --channels is only valid with --raw (WAV input carries its own layout)")]
    public void Stream_usage_errors_exit_with_2(string[] args, string firstLine)
    {
        CliResult r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal(firstLine, r.Stderr.Split('\n')[0]);
        Assert.Equal("", r.Stdout);
    }
}
