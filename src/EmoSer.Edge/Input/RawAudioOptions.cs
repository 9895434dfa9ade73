using EmoSer.Edge.CommandLine;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;

namespace EmoSer.Edge.Input;

/// <summary>Headerless PCM layout given on the command line (<c>--raw --rate R --channels C --sample-format F</c>).</summary>
internal sealed record RawAudioSettings(RawPcmFormat Format, int SampleRate, int Channels);

/// <summary>
/// The <c>--raw --rate --channels --sample-format</c> options shared by <c>features</c>, <c>classify</c> and
/// <c>stream</c>, with their validation (all violations are usage errors, exit code 2).
/// </summary>
internal sealed class RawAudioOptions
{
    public FlagSpec Raw { get; } = new("--raw")
    {
        Description = "Input is headerless PCM (needs --rate; --channels defaults to 1, --sample-format to s16le).",
    };

    public OptionSpec<int?> Rate { get; } = new("--rate")
    {
        Description = "Sample rate of raw input in Hz.",
        HelpName = "HZ",
        Parse = NumberParsers.ParseNullableInt,
    };

    public OptionSpec<int> Channels { get; } = new("--channels")
    {
        Description = "Interleaved channels of raw input (averaged to mono).",
        DefaultValue = 1,
        HelpName = "N",
        Parse = NumberParsers.ParseInt,
    };

    // Not --format: that names the output format of classify and features.
    public OptionSpec<string> Format { get; } = new("--sample-format")
    {
        Description = "Sample format of raw input.",
        DefaultValue = "s16le",
        Choices = ["s16le", "f32le"],
    };

    /// <summary>Adds the options and their cross-checks to <paramref name="command"/>.</summary>
    public void AddTo(CommandSpec command)
    {
        command.Options.Add(Raw);
        command.Options.Add(Rate);
        command.Options.Add(Channels);
        command.Options.Add(Format);
        command.Validators.Add(Validate);
    }

    /// <summary>The raw layout, or null when the input is WAV.</summary>
    public RawAudioSettings? Get(ParseResult parse)
    {
        if (!parse.GetValue(Raw))
            return null;
        RawPcmFormat format = parse.GetValue(Format) == "f32le" ? RawPcmFormat.F32Le : RawPcmFormat.S16Le;
        return new RawAudioSettings(format, parse.GetValue(Rate)!.Value, parse.GetValue(Channels));
    }

    private void Validate(ParseResult result)
    {
        if (!result.GetValue(Raw))
        {
            foreach (OptionSpec option in new OptionSpec[] { Rate, Channels, Format })
            {
                if (result.IsGiven(option))
                    result.AddError($"{option.Name} is only valid with --raw (WAV input carries its own layout)");
            }
            return;
        }
        int? rate = result.GetValue(Rate);
        if (rate is null)
            result.AddError("--raw needs --rate HZ");
        else if (rate is < InputLimits.MinSampleRate or > InputLimits.MaxSampleRate)
            result.AddError($"--rate must be {InputLimits.MinSampleRate}..{InputLimits.MaxSampleRate} Hz, got {rate}");
        int channels = result.GetValue(Channels);
        if (channels is < 1 or > InputLimits.MaxChannels)
            result.AddError($"--channels must be 1..{InputLimits.MaxChannels}, got {channels}");
    }
}
