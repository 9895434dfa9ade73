using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;

namespace EmoSer.Edge.Tests;

/// <summary>
/// The command-line parser on its own (a small command tree built here) and the help of emoser's real commands.
/// The end-to-end usage errors are in <see cref="UsageTests"/>.
/// </summary>
[Trait("Category", "unit")]
public sealed class CommandLineParserTests
{
    /// <summary>A <c>tool run</c> command with one option of each kind and FILE... arguments.</summary>
    private sealed class Tool
    {
        public CommandSpec Root { get; } = new("tool", "A test tool.");
        public CommandSpec RunCommand { get; } = new("run", "Runs.");
        public OptionSpec<double> Seconds { get; } = new("--seconds", "-s")
        {
            Description = "Seconds.",
            HelpName = "SECONDS",
            DefaultValue = 3,
            Parse = NumberParsers.DoubleInRange(0.5, 60, " seconds"),
        };
        public OptionSpec<string?> Name { get; } = new("--name") { Description = "A name." };
        public OptionSpec<string> Mode { get; } = new("--mode") { Description = "Mode.", DefaultValue = "fast", Choices = ["fast", "slow"] };
        public FlagSpec Verbose { get; } = new("--verbose", "-v") { Description = "Talk more." };
        public FlagSpec Quiet { get; } = new("--quiet") { Description = "Talk less." };
        public OptionSpec<string?> Secret { get; } = new("--secret") { Description = "Not in the help.", Hidden = true };
        public ArgumentSpec Files { get; } = new("FILE") { Description = "Inputs.", MinCount = 1, MaxCount = int.MaxValue };
        public List<string> ValidatorRuns { get; } = [];

        public Tool()
        {
            RunCommand.Options.AddRange([Seconds, Name, Mode, Verbose, Quiet, Secret]);
            RunCommand.Arguments.Add(Files);
            RunCommand.Validators.Add(r =>
            {
                ValidatorRuns.Add("run");
                if (r.IsGiven(Verbose) && r.IsGiven(Quiet))
                    r.AddError("--verbose and --quiet cannot be used together");
            });
            RunCommand.Action = _ => 0;
            Root.Subcommands.Add(RunCommand);
        }

        public ParseResult Parse(params string[] args) => CommandLineParser.Parse(Root, args);
    }

    [Fact]
    public void A_value_may_follow_the_option_or_its_equals_sign()
    {
        var tool = new Tool();
        ParseResult spaced = tool.Parse("run", "--seconds", "1.5", "--name", "a b", "x.wav");
        ParseResult joined = tool.Parse("run", "--seconds=1.5", "--name=a b", "x.wav");
        ParseResult alias = tool.Parse("run", "-s", "1.5", "x.wav");
        foreach (ParseResult r in new[] { spaced, joined, alias })
        {
            Assert.Empty(r.Errors);
            Assert.Same(tool.RunCommand, r.Command);
            Assert.Equal(1.5, r.GetValue(tool.Seconds));
            Assert.True(r.IsGiven(tool.Seconds));
            Assert.Equal(["x.wav"], r.GetValues(tool.Files));
        }
        Assert.Equal("a b", spaced.GetValue(tool.Name));
        Assert.Equal("a b", joined.GetValue(tool.Name));
        // Only the first '=' splits: the rest is the value.
        Assert.Equal("k=v", tool.Parse("run", "--name=k=v", "x.wav").GetValue(tool.Name));
        Assert.Equal("", tool.Parse("run", "--name=", "x.wav").GetValue(tool.Name));
    }

    [Fact]
    public void Options_not_given_have_their_defaults_and_are_not_given()
    {
        var tool = new Tool();
        ParseResult r = tool.Parse("run", "x.wav", "y.wav");
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.GetValue(tool.Seconds));
        Assert.Equal("fast", r.GetValue(tool.Mode));
        Assert.Null(r.GetValue(tool.Name));
        Assert.False(r.GetValue(tool.Verbose));
        Assert.False(r.IsGiven(tool.Seconds));
        Assert.False(r.IsGiven(tool.Verbose));
        Assert.Equal(["x.wav", "y.wav"], r.GetValues(tool.Files));
    }

    [Fact]
    public void Options_and_arguments_mix_in_any_order_and_a_value_may_be_negative()
    {
        var tool = new Tool();
        ParseResult r = tool.Parse("run", "a.wav", "-v", "b.wav", "--seconds", "2", "-", "c.wav");
        Assert.Empty(r.Errors);
        Assert.True(r.GetValue(tool.Verbose));
        Assert.Equal(["a.wav", "b.wav", "-", "c.wav"], r.GetValues(tool.Files));
        // A value starting with '-' is the option's value: the range check, not "unknown option", rejects it.
        Assert.Equal(["--seconds must be 0.5..60 seconds, got -1"], tool.Parse("run", "--seconds", "-1", "x.wav").Errors);
    }

    [Fact]
    public void Double_dash_makes_every_later_token_an_argument()
    {
        var tool = new Tool();
        ParseResult r = tool.Parse("run", "--verbose", "--", "--quiet", "-v", "--", "-h", "--seconds=9");
        Assert.Empty(r.Errors);
        Assert.False(r.HelpRequested);
        Assert.False(r.IsGiven(tool.Quiet));
        Assert.Equal(["--quiet", "-v", "--", "-h", "--seconds=9"], r.GetValues(tool.Files));
        Assert.Equal(3, r.GetValue(tool.Seconds));
        // Without "--" the same tokens are options.
        ParseResult options = tool.Parse("run", "--quiet", "x.wav");
        Assert.True(options.GetValue(tool.Quiet));
    }

    [Fact]
    public void An_unknown_option_is_named_in_the_error()
    {
        var tool = new Tool();
        Assert.Equal(["unknown option '--bogus'"], tool.Parse("run", "--bogus", "x.wav").Errors);
        Assert.Equal(["unknown option '--bogus'"], tool.Parse("run", "--bogus=1", "x.wav").Errors);
        // Aliases are whole tokens: no bundling of -v and -s.
        Assert.Equal(["unknown option '-vs'"], tool.Parse("run", "-vs", "x.wav").Errors);
        // Option names are case-sensitive.
        Assert.Equal(["unknown option '--Verbose'"], tool.Parse("run", "--Verbose", "x.wav").Errors);
    }

    [Fact]
    public void A_missing_value_is_an_error_also_when_another_option_follows()
    {
        var tool = new Tool();
        Assert.Equal(["Required argument missing for option: '--seconds'.", "Required argument missing for command: 'run'."],
            tool.Parse("run", "--seconds").Errors);
        ParseResult r = tool.Parse("run", "--name", "--verbose", "x.wav");
        Assert.Equal(["Required argument missing for option: '--name'."], r.Errors);
        Assert.True(r.GetValue(tool.Verbose));
    }

    [Fact]
    public void An_option_with_a_value_may_be_given_once_and_a_flag_again()
    {
        var tool = new Tool();
        Assert.Equal(["Option '--seconds' expects a single argument but 2 were provided."],
            tool.Parse("run", "--seconds", "1", "-s", "2", "--seconds=3", "x.wav").Errors);
        ParseResult flags = tool.Parse("run", "-v", "--verbose", "x.wav");
        Assert.Empty(flags.Errors);
        Assert.True(flags.GetValue(tool.Verbose));
    }

    [Theory]
    [InlineData("x", "--seconds: 'x' is not a number")]
    [InlineData("nan", "--seconds: 'nan' is not a number")]
    [InlineData("1,5", "--seconds: '1,5' is not a number")]
    [InlineData("0.25", "--seconds must be 0.5..60 seconds, got 0.25")]
    [InlineData("61", "--seconds must be 0.5..60 seconds, got 61")]
    public void A_bad_number_gets_the_custom_parsers_message(string value, string error)
    {
        var tool = new Tool();
        ParseResult r = tool.Parse("run", "--seconds", value, "x.wav");
        Assert.Equal([error], r.Errors);
        // Given, but without a value: the default stands.
        Assert.True(r.IsGiven(tool.Seconds));
        Assert.Equal(3, r.GetValue(tool.Seconds));
    }

    [Fact]
    public void Choices_and_flag_values_are_checked()
    {
        var tool = new Tool();
        Assert.Equal("slow", tool.Parse("run", "--mode", "slow", "x.wav").GetValue(tool.Mode));
        Assert.Equal(["Argument 'Slow' not recognized. Must be one of: 'fast', 'slow'."], tool.Parse("run", "--mode=Slow", "x.wav").Errors);
        Assert.False(tool.Parse("run", "--verbose=false", "x.wav").GetValue(tool.Verbose));
        Assert.True(tool.Parse("run", "--verbose=true", "x.wav").GetValue(tool.Verbose));
        Assert.Equal(["--verbose takes no value (or true or false), got 'yes'"], tool.Parse("run", "--verbose=yes", "x.wav").Errors);
    }

    [Fact]
    public void Argument_counts_and_commands_are_checked()
    {
        var tool = new Tool();
        Assert.Equal(["Required argument missing for command: 'run'."], tool.Parse("run").Errors);
        Assert.Equal(["Required command was not provided."], tool.Parse().Errors);
        Assert.Equal(["Unrecognized command or argument 'walk'."], tool.Parse("walk", "x.wav").Errors);
        Assert.Equal(["unknown option '--verbose'", "Required command was not provided."], tool.Parse("--verbose").Errors);

        var single = new CommandSpec("one", "One argument.") { Action = _ => 0 };
        var input = new ArgumentSpec("INPUT") { MinCount = 0, DefaultValue = "-" };
        single.Arguments.Add(input);
        Assert.Equal("-", CommandLineParser.Parse(single, []).GetValue(input));
        Assert.Equal("a", CommandLineParser.Parse(single, ["a"]).GetValue(input));
        Assert.Equal(["Unrecognized command or argument 'b'."], CommandLineParser.Parse(single, ["a", "b"]).Errors);
    }

    [Fact]
    public void Validators_run_only_when_every_token_parsed()
    {
        var tool = new Tool();
        Assert.Equal(["--verbose and --quiet cannot be used together"], tool.Parse("run", "-v", "--quiet", "x.wav").Errors);
        Assert.Equal(["run"], tool.ValidatorRuns);
        Assert.Equal(["--seconds: 'x' is not a number"], tool.Parse("run", "-v", "--quiet", "--seconds", "x", "x.wav").Errors);
        Assert.Equal(["run"], tool.ValidatorRuns);
    }

    [Fact]
    public void A_required_option_must_be_given()
    {
        var command = new CommandSpec("enroll", "E.") { Action = _ => 0 };
        var output = new OptionSpec<string>("--out") { Required = true };
        command.Options.Add(output);
        Assert.Equal(["Option '--out' is required."], CommandLineParser.Parse(command, []).Errors);
        Assert.Equal("p.json", CommandLineParser.Parse(command, ["--out", "p.json"]).GetValue(output));
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("-?")]
    public void Help_wins_over_errors_and_names_the_innermost_command(string help)
    {
        var tool = new Tool();
        ParseResult r = tool.Parse("run", "--bogus", help, "--seconds", "x");
        Assert.True(r.HelpRequested);
        Assert.Same(tool.RunCommand, r.Command);
        Assert.Equal("tool run", r.CommandLineName);
        ParseResult root = tool.Parse(help);
        Assert.True(root.HelpRequested);
        Assert.Same(tool.Root, root.Command);
        // Before the subcommand, it still asks for the subcommand's help (as System.CommandLine did).
        Assert.Same(tool.RunCommand, tool.Parse(help, "run").Command);
    }

    [Fact]
    public void Help_has_the_sections_aligned_and_leaves_hidden_options_out()
    {
        var tool = new Tool();
        var output = new StringWriter();
        HelpWriter.Write(output, [tool.Root, tool.RunCommand]);
        Assert.Equal(
            """
            Description:
              Runs.

            Usage:
              tool run <FILE>... [options]

            Arguments:
              <FILE>  Inputs.

            Options:
              -s, --seconds <SECONDS>  Seconds. [default: 3]
              --name <name>            A name.
              --mode <fast|slow>       Mode. [default: fast]
              -v, --verbose            Talk more.
              --quiet                  Talk less.
              -?, -h, --help           Show help and usage information


            """.ReplaceLineEndings("\n"), output.ToString());
    }

    [Fact]
    public void A_deferred_command_is_defined_once_and_only_when_it_is_used()
    {
        int defined = 0;
        var root = new CommandSpec("tool", "T.");
        var late = new CommandSpec("late", "Defined late.", c =>
        {
            defined++;
            c.Options.Add(new FlagSpec("--fast") { Description = "Fast." });
            c.Arguments.Add(new ArgumentSpec("FILE") { Description = "A file." });
            c.Action = _ => 7;
        });
        var other = new CommandSpec("other", "Other.") { Action = _ => 0 };
        root.Subcommands.AddRange([late, other]);
        Assert.Empty(CommandLineParser.Parse(root, ["other"]).Errors);
        Assert.Equal(0, defined);
        ParseResult r = CommandLineParser.Parse(root, ["late", "--fast", "x"]);
        Assert.Empty(r.Errors);
        Assert.Equal(7, r.Command.Action!(r));
        CommandLineParser.Parse(root, ["late", "y"]);
        Assert.Equal(1, defined);
        // The root's help lists the argument, which needs the definition.
        int before = defined;
        var help = new StringWriter();
        HelpWriter.Write(help, [new CommandSpec("tool", "T.") { Subcommands = { new CommandSpec("late", "Defined late.", c => { defined++; c.Arguments.Add(new ArgumentSpec("FILE")); }) } }]);
        Assert.Equal(before + 1, defined);
        Assert.Contains("\n  late <FILE>  Defined late.\n", help.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> Commands() => [.. Cli.CreateRoot(Context(), out _).Subcommands.Select(c => c.Name)];

    [Theory, MemberData(nameof(Commands))]
    public void The_help_of_each_command_lists_every_option(string name)
    {
        CommandSpec root = Cli.CreateRoot(Context(), out _);
        CommandSpec command = root.FindSubcommand(name)!;
        CliResult r = CliRunner.Run(name == "serve" ? ["--help"] : [name, "--help"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr);
        if (name == "serve")
        {
            // serve's own options are emoser-serve's (it runs that binary): the root help lists the command.
            string line = Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("  serve ", StringComparison.Ordinal));
            Assert.EndsWith($"  {command.Description}", line);
            return;
        }
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal($"  {command.Description}", lines[1]);
        Assert.Equal($"  emoser {name}", lines[4][..(9 + name.Length)]);
        string[] options = [.. lines.SkipWhile(l => l != "Options:").Skip(1).TakeWhile(l => l.Length > 0)];
        Assert.Equal(command.Options.Count + 1, options.Length);
        for (int i = 0; i < command.Options.Count; i++)
        {
            OptionSpec option = command.Options[i];
            Assert.StartsWith("  ", options[i]);
            Assert.Contains(option.Name, options[i]);
            foreach (string alias in option.Aliases)
                Assert.Contains(alias, options[i]);
            Assert.EndsWith(option.DefaultText is { } d ? $"{option.Description} [default: {d}]" : option.Description, options[i]);
        }
        Assert.Equal("  -?, -h, --help", options[^1][..16]);
        foreach (ArgumentSpec argument in command.Arguments)
            Assert.Contains($"\n  <{argument.Name}>  {argument.Description}", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_root_help_lists_the_commands_and_version_prints_the_version()
    {
        CliResult help = CliRunner.Run("-?");
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith($"Description:\n  emoser {EmoSer.Runtime.EmoSerInfo.Version}: speech emotion recognition\n\nUsage:\n  emoser [command] [options]\n\nOptions:\n  -?, -h, --help  Show help and usage information\n  --version       Show version information\n\nCommands:\n  features <FILE>  ", help.Stdout, StringComparison.Ordinal);
        CliResult version = CliRunner.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal($"emoser {EmoSer.Runtime.EmoSerInfo.Version}\n", version.Stdout);
        // --version belongs to the root only.
        CliResult sub = CliRunner.Run("info", "--version");
        Assert.Equal(2, sub.ExitCode);
        Assert.Equal("emoser: unknown option '--version'\nRun 'emoser info --help' for usage.\n", sub.Stderr);
    }

    private static CliContext Context() => new(Stream.Null, TextWriter.Null, TextWriter.Null);
}
