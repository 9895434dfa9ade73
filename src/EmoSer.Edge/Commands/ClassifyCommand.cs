using System.Globalization;
using System.Text.Json;
using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Edge.Models;
using EmoSer.Edge.Output;
using EmoSer.Programs.Output;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser classify FILE|FOLDER... | -</c>: the emotion of each input. A text table by default; <c>--format json</c>
/// (or <c>--json</c>) gives one JSON line per input, <c>--format csv</c> one CSV row; <c>--segment S</c> adds a timeline
/// of consecutive S-second windows (docs/cli-json.md). Every input is classified: an unreadable one gets an error line.
/// For models with speaker normalization, <c>--speaker PROFILE.json</c> uses an enrolled profile and
/// <c>--same-speaker</c> a profile of all the inputs (read first, then classified). A model with test-time speed
/// factors classifies each input with its speed copies unless <c>--single-pass</c> is given. <c>--min-confidence P</c>
/// answers <c>uncertain</c> when the most probable emotion's probability is below P.
/// </summary>
internal static class ClassifyCommand
{
    public static CommandSpec Create(CliContext context) =>
        new("classify", "Classify the emotion of each input.", command => Define(command, context));

    private static void Define(CommandSpec command, CliContext context)
    {
        ArgumentSpec files = FileArguments.Create();
        var json = new FlagSpec("--json") { Description = "One JSON object per line instead of a table (--format json)." };
        OptionSpec<OutputFormat?> format = OutputFormats.CreateOption(OutputFormat.Table, OutputFormat.Table, OutputFormat.Json, OutputFormat.Csv);
        FlagSpec recursive = InputBatch.CreateRecursiveOption();
        var segment = new OptionSpec<double?>("--segment")
        {
            Description = "Also classify consecutive windows of this many seconds (a timeline).",
            HelpName = "SECONDS",
            Parse = NumberParsers.NullableSegmentSeconds,
        };
        OptionSpec<string?> model = ModelSource.CreateOption();
        OptionSpec<string?> speaker = SpeakerInput.CreateProfileOption();
        var sameSpeaker = new FlagSpec("--same-speaker")
        {
            Description = "All inputs are one speaker: read them all, build a speaker profile from them, then classify each with it.",
        };
        var singlePass = new FlagSpec("--single-pass")
        {
            Description = "Classify each input once, without the model's test-time speed copies (faster, usually a little less accurate; see emoser info).",
        };
        OptionSpec<double> maxDuration = AudioInput.CreateMaxDurationOption();
        var minConfidence = new OptionSpec<double?>("--min-confidence")
        {
            Description = "Answer 'uncertain' for an input (or segment) whose most probable emotion has a probability below P (the probabilities are still printed).",
            HelpName = "P",
            Parse = NumberParsers.NullableDoubleInRange(0, 1),
        };
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        command.Options.Add(minConfidence);
        command.Options.Add(json);
        command.Options.Add(format);
        command.Options.Add(recursive);
        command.Options.Add(segment);
        command.Options.Add(model);
        command.Options.Add(speaker);
        command.Options.Add(sameSpeaker);
        command.Options.Add(singlePass);
        command.Options.Add(maxDuration);
        raw.AddTo(command);
        SpeakerInput.MutuallyExclusive(command, speaker, sameSpeaker);
        command.Validators.Add(r =>
        {
            if (r.IsGiven(json) && r.GetValue(format) is { } f && f != OutputFormat.Json)
                r.AddError($"--json and --format {OutputFormats.Name(f)} cannot be used together");
        });
        command.Action = parse => Run(
            parse.GetValues(files), new Inputs(raw.Get(parse), parse.GetValue(maxDuration)), parse.GetValue(json) ? OutputFormat.Json : parse.GetValue(format) ?? OutputFormat.Table,
            parse.GetValue(recursive), parse.GetValue(segment), parse.GetValue(model),
            parse.GetValue(speaker), parse.GetValue(sameSpeaker), parse.GetValue(singlePass), parse.GetValue(minConfidence), context);
    }

    /// <summary>One input's result: the whole clip, and the timeline when asked for.</summary>
    private sealed record Result(string File, Classification Whole, IReadOnlyList<SegmentClassification>? Segments);

    /// <summary>How the inputs are read: by format or raw, and the longest accepted.</summary>
    internal sealed record Inputs(RawAudioSettings? Raw, double MaxSeconds)
    {
        /// <summary>Reads one input; too long an input points to <c>emoser stream</c>, which takes any length in constant memory.</summary>
        public AudioClip Load(string file, CliContext context) => AudioInput.Load(file, Raw, context, MaxSeconds,
            $"'emoser stream' classifies recordings of any length window by window (or raise --max-duration)");
    }

    /// <summary>The speaker statistics every input is classified with, and how JSON reports them (null: not reported).</summary>
    private sealed record Speaker(SpeakerProfile? Profile, string? Source);

    private static int Run(string[] files, Inputs raw, OutputFormat format, bool recursive, double? segmentSeconds, string? modelPath,
        string? speakerPath, bool sameSpeaker, bool singlePass, double? minConfidence, CliContext context)
    {
        float minimum = (float)(minConfidence ?? 0);
        EmotionModel model = ModelSource.Load(modelPath);
        var classifier = new EmotionClassifier(model, testTimeSpeedCopies: !singlePass);
        string modelName = model.Name;
        bool speakerModel = SpeakerInput.Applies(model, speakerPath is not null ? "--speaker" : sameSpeaker ? "--same-speaker" : null, context);
        Speaker speaker = !speakerModel ? new Speaker(null, null)
            : speakerPath is not null ? new Speaker(SpeakerInput.Load(speakerPath, model), SpeakerInput.SourceProfile)
            : new Speaker(null, SpeakerInput.SourcePopulation);
        JsonLineWriter? lines = format == OutputFormat.Json ? new JsonLineWriter(context.Out) : null;
        InputBatch batch = InputBatch.Expand(files, recursive, raw.Raw is not null, context, lines, streamsResults: format != OutputFormat.Table);
        SameSpeakerInputs? inputs = null;
        if (speakerModel && sameSpeaker)
        {
            inputs = ReadSameSpeaker(classifier, batch, raw, context);
            speaker = new Speaker(inputs.Profile, SpeakerInput.SourceInputs);
        }
        if (format == OutputFormat.Csv)
            WriteCsvHeader(context.Out, model.Labels, segmentSeconds is not null, speaker.Source is not null);
        var table = new List<Result>();
        batch.ForEach((i, file) =>
        {
            if (inputs is not null && inputs.Failures.TryGetValue(i, out Exception? failure))
                throw failure;
            AudioClip clip = inputs is not null ? inputs.Clips[i]! : raw.Load(file, context);
            string name = AudioInput.DisplayName(file);
            CheckRate(file, clip, model);
            Classification whole = inputs is not null
                ? classifier.Classify(inputs.Utterances[i]!, speaker.Profile)
                : classifier.Classify(clip, speaker.Profile);
            whole = whole.WithMinConfidence(minimum);
            IReadOnlyList<SegmentClassification>? segments = null;
            // Consecutive windows; a tail shorter than half a window joins the previous one (EmotionClassifier).
            if (segmentSeconds is double s)
            {
                segments = classifier.ClassifySegments(clip, s, speaker.Profile)
                    .Select(g => g with { Classification = g.Classification.WithMinConfidence(minimum) }).ToArray();
            }
            var result = new Result(name, whole, segments);
            switch (format)
            {
                case OutputFormat.Json:
                    WriteJson(lines!, result, clip.DurationSeconds, modelName, speaker);
                    break;
                case OutputFormat.Csv:
                    WriteCsv(context.Out, result, speaker);
                    break;
                default:
                    table.Add(result);
                    break;
            }
        });
        if (table.Count > 0)
            WriteTable(context.Out, table, model.Labels, segmentSeconds is not null);
        return batch.Finish();
    }

    /// <summary>
    /// Every input of <c>--same-speaker</c> (null where it could not be read), its features, the profile built from the
    /// readable ones, and the failures by input index.
    /// </summary>
    internal sealed record SameSpeakerInputs(AudioClip?[] Clips, UtteranceFeatures?[] Utterances, SpeakerProfile Profile, Dictionary<int, Exception> Failures);

    /// <summary>
    /// The first pass of <c>--same-speaker</c>: reads every input and extracts its features once; the profile is built
    /// from those vectors and the second pass classifies the same vectors. An unreadable input is left out of the
    /// profile and reported, in its place, by the second pass. The clips are kept because standard input cannot be
    /// re-read and <c>--segment</c> needs the audio.
    /// </summary>
    internal static SameSpeakerInputs ReadSameSpeaker(EmotionClassifier classifier, InputBatch batch, Inputs raw, CliContext context)
    {
        int count = batch.Inputs.Count;
        var inputs = new SameSpeakerInputs(new AudioClip?[count], new UtteranceFeatures?[count], new SpeakerProfile(SeedFeatureExtractor.FeatureCount), []);
        Dictionary<int, Exception> failures = batch.Collect((i, file) =>
        {
            AudioClip clip = raw.Load(file, context);
            CheckRate(file, clip, classifier.Model);
            UtteranceFeatures utterance = classifier.Extract(clip);
            classifier.Enroll(utterance, inputs.Profile);
            inputs.Clips[i] = clip;
            inputs.Utterances[i] = utterance;
        });
        foreach (var (index, e) in failures)
            inputs.Failures[index] = e;
        return inputs;
    }

    /// <summary>Bad input naming the file when the resampler cannot bring the clip's rate to the model's (checked before the work).</summary>
    private static void CheckRate(string file, AudioClip clip, EmotionModel model)
    {
        if (AudioInput.RateProblem(AudioInput.DisplayName(file), clip.SampleRate, model.SampleRate) is { } problem)
            throw problem;
    }

    private static void WriteJson(JsonLineWriter lines, Result result, double durationSeconds, string modelName, Speaker speaker)
    {
        Utf8JsonWriter w = lines.Begin();
        w.WriteStartObject();
        w.WriteString("file", result.File);
        w.WriteString("emotion", result.Whole.Emotion);
        w.WriteNumber("confidence", result.Whole.Confidence);
        JsonLineWriter.WriteProbabilities(w, "probabilities", result.Whole.Labels, result.Whole.Probabilities);
        w.WriteNumber("duration_s", durationSeconds);
        w.WriteString("model", modelName);
        if (speaker.Source is { } source)
            JsonLineWriter.WriteSpeaker(w, source, speaker.Profile?.Count ?? 0);
        if (result.Segments is { } segments)
        {
            w.WriteStartArray("segments");
            foreach (SegmentClassification s in segments)
            {
                w.WriteStartObject();
                w.WriteNumber("start", s.Start);
                w.WriteNumber("end", s.End);
                w.WriteString("emotion", s.Classification.Emotion);
                w.WriteNumber("confidence", s.Classification.Confidence);
                JsonLineWriter.WriteProbabilities(w, "probabilities", s.Classification.Labels, s.Classification.Probabilities);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        lines.End();
    }

    private static void WriteTable(TextWriter output, List<Result> results, IReadOnlyList<string> labels, bool segmented)
    {
        string[] header = segmented
            ? ["FILE", "START", "END", "EMOTION", "CONFIDENCE", .. labels]
            : ["FILE", "DURATION", "EMOTION", "CONFIDENCE", .. labels];
        var table = new TextTable(header).AlignRight([.. Enumerable.Range(1, header.Length - 1).Where(c => header[c] != "EMOTION")]);
        foreach (Result r in results)
        {
            if (!segmented)
            {
                table.Add([r.File, Seconds(r.Whole.DurationSeconds), r.Whole.Emotion, Probability(r.Whole.Confidence), .. r.Whole.Probabilities.Select(Probability)]);
                continue;
            }
            // The file's row covers the whole clip; its segments follow as #1, #2, ...
            table.Add([r.File, Seconds(0), Seconds(r.Whole.DurationSeconds), r.Whole.Emotion, Probability(r.Whole.Confidence), .. r.Whole.Probabilities.Select(Probability)]);
            int index = 0;
            foreach (SegmentClassification s in r.Segments!)
            {
                Classification c = s.Classification;
                table.Add([$"  #{++index}", Seconds(s.Start), Seconds(s.End), c.Emotion, Probability(c.Confidence), .. c.Probabilities.Select(Probability)]);
            }
        }
        table.WriteTo(output);
    }

    private static void WriteCsvHeader(TextWriter output, IReadOnlyList<string> labels, bool segmented, bool speaker)
    {
        string[] where = segmented ? ["file", "segment", "start", "end"] : ["file", "duration_s"];
        string[] who = speaker ? ["speaker_source", "speaker_utterances"] : [];
        OutputFormats.WriteCsvRow(output, [.. where, "emotion", "confidence", .. labels, .. who]);
    }

    /// <summary>One row per input; with <c>--segment</c>, the whole input (empty segment) then its segments 1, 2, ...</summary>
    private static void WriteCsv(TextWriter output, Result r, Speaker speaker)
    {
        string[] who = speaker.Source is { } source ? [source, (speaker.Profile?.Count ?? 0).ToString(CultureInfo.InvariantCulture)] : [];
        Classification whole = r.Whole;
        if (r.Segments is null)
        {
            OutputFormats.WriteCsvRow(output, [r.File, OutputFormats.Number(whole.DurationSeconds), .. Cells(whole), .. who]);
            return;
        }
        OutputFormats.WriteCsvRow(output, [r.File, "", "0", OutputFormats.Number(whole.DurationSeconds), .. Cells(whole), .. who]);
        int index = 0;
        foreach (SegmentClassification s in r.Segments)
            OutputFormats.WriteCsvRow(output, [r.File, (++index).ToString(CultureInfo.InvariantCulture), OutputFormats.Number(s.Start), OutputFormats.Number(s.End), .. Cells(s.Classification), .. who]);
    }

    private static string[] Cells(Classification c) =>
        [c.Emotion, OutputFormats.Number(c.Confidence), .. c.Probabilities.Select(OutputFormats.Number)];

    private static string Seconds(double s) => s.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Probability(float p) => p.ToString("0.000", CultureInfo.InvariantCulture);
}
