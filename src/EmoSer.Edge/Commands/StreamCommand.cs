using System.Globalization;
using System.Text.Json;
using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Edge.Models;
using EmoSer.Edge.Output;
using EmoSer.Programs;
using EmoSer.Programs.Output;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser stream [-]</c>: reads PCM (WAV, or raw with <c>--raw</c>) from standard input until EOF and prints one
/// JSON line per hop with the emotion of the last <c>--window</c> seconds, flushed at once (docs/cli-json.md).
/// Memory is constant however long the input: a fixed read buffer and the runtime's streaming extractor.
/// A model with speaker normalization adapts to the stream's speaker unless <c>--no-adapt</c> or
/// <c>--speaker PROFILE.json</c> is given.
/// </summary>
internal static class StreamCommand
{
    /// <summary>Mono frames per read; small so that lines follow live input closely.</summary>
    private const int ReadFrames = 4096;

    private const double DefaultWindow = 3, DefaultHop = 1;

    public static CommandSpec Create(CliContext context) =>
        new("stream", "Classify live audio from standard input: one JSON line per hop.", command => Define(command, context));

    private static void Define(CommandSpec command, CliContext context)
    {
        var input = new ArgumentSpec("INPUT")
        {
            Description = "'-' (standard input, the default) or a file to read as a stream.",
            MinCount = 0,
            DefaultValue = AudioInput.StdinArgument,
        };
        var window = SecondsOption("--window", "Seconds of audio each line classifies.", DefaultWindow, InputLimits.MinStreamWindowSeconds, InputLimits.MaxStreamWindowSeconds);
        var hop = SecondsOption("--hop", "Seconds between lines.", DefaultHop, InputLimits.MinStreamHopSeconds, InputLimits.MaxStreamHopSeconds);
        var silence = new OptionSpec<double>("--silence-db")
        {
            Description = "Windows whose RMS level is below this (dBFS) are reported as silence, not classified.",
            DefaultValue = InputLimits.DefaultStreamSilenceDbfs,
            HelpName = "DBFS",
            Parse = NumberParsers.DoubleInRange(-200, 0),
        };
        OptionSpec<string?> model = ModelSource.CreateOption();
        OptionSpec<string?> speaker = SpeakerInput.CreateProfileOption();
        var noAdapt = new FlagSpec("--no-adapt")
        {
            Description = "Do not adapt to the speaker from the stream's own windows (use the population statistics).",
        };
        var raw = new RawAudioOptions();
        command.Arguments.Add(input);
        command.Options.Add(window);
        command.Options.Add(hop);
        command.Options.Add(silence);
        command.Options.Add(model);
        command.Options.Add(speaker);
        command.Options.Add(noAdapt);
        raw.AddTo(command);
        SpeakerInput.MutuallyExclusive(command, speaker, noAdapt);
        command.Validators.Add(r =>
        {
            if (r.GetValue(hop) > r.GetValue(window))
                r.AddError("--hop must not exceed --window");
        });
        command.Action = parse => Run(parse.GetValue(input)!, raw.Get(parse), parse.GetValue(window), parse.GetValue(hop),
            parse.GetValue(silence), parse.GetValue(model), parse.GetValue(speaker), parse.GetValue(noAdapt), context);
    }

    private static OptionSpec<double> SecondsOption(string name, string description, double defaultValue, double min, double max) =>
        new(name) { Description = description, DefaultValue = defaultValue, HelpName = "SECONDS", Parse = NumberParsers.DoubleInRange(min, max) };

    private static int Run(string input, RawAudioSettings? raw, double window, double hop, double silenceDb, string? modelPath,
        string? speakerPath, bool noAdapt, CliContext context)
    {
        EmotionModel model = ModelSource.Load(modelPath);
        var classifier = new EmotionClassifier(model);
        // The profile is read before the input, so a bad profile fails before any audio is consumed.
        StreamSpeaker speaker = StreamSpeaker.Adaptive;
        string? speakerSource = null;
        if (SpeakerInput.Applies(model, speakerPath is not null ? "--speaker" : null, context))
        {
            (speaker, speakerSource) = speakerPath is not null ? (StreamSpeaker.Fixed(SpeakerInput.Load(speakerPath, model)), SpeakerInput.SourceProfile)
                : noAdapt ? (StreamSpeaker.Population, SpeakerInput.SourcePopulation)
                : (StreamSpeaker.Adaptive, SpeakerInput.SourceAdaptive);
        }
        string name = AudioInput.DisplayName(input);
        using FileStream? file = input == AudioInput.StdinArgument ? null : AudioInput.OpenFile(input);
        Stream source = file ?? context.In;
        using PcmStreamReader reader = Open(source, name, raw);
        EmotionStream stream;
        try
        {
            stream = new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = window, HopSeconds = hop, SilenceDbfs = silenceDb, InputSampleRate = reader.SampleRate, Speaker = speaker });
        }
        catch (ArgumentOutOfRangeException) when (reader.SampleRate != model.SampleRate)
        {
            throw AudioInput.UnsupportedRate(name, reader.SampleRate, model.SampleRate);
        }
        var lines = new JsonLineWriter(context.Out);
        var buffer = new float[ReadFrames];
        while (true)
        {
            int n;
            try
            {
                n = reader.ReadMono(buffer);
            }
            catch (IOException e)
            {
                throw new InputException(name, $"read error: {ErrorText.Describe(e)}");
            }
            if (n == 0)
                break;
            stream.Push(buffer.AsSpan(0, n));
            Drain(stream, lines, model.Labels, speakerSource);
        }
        stream.Complete();
        Drain(stream, lines, model.Labels, speakerSource);
        return ExitCodes.Ok;
    }

    private static PcmStreamReader Open(Stream source, string name, RawAudioSettings? raw)
    {
        try
        {
            return raw is null
                ? PcmStreamReader.OpenWav(source, name)
                : PcmStreamReader.OpenRaw(source, raw.Format, raw.SampleRate, raw.Channels, name);
        }
        catch (IOException e)
        {
            throw new InputException(name, $"read error: {ErrorText.Describe(e)}");
        }
    }

    private static void Drain(EmotionStream stream, JsonLineWriter lines, IReadOnlyList<string> labels, string? speakerSource)
    {
        while (stream.TryRead(out StreamResult r))
        {
            StreamResultJson.Write(lines.Begin(), r, labels, speakerSource);
            lines.End(flush: true);
        }
    }
}
