using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EmoSer.Edge.Input;
using EmoSer.Edge.Models;
using EmoSer.Edge.Output;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser classify FILE... | -</c>: the emotion of each input. A text table by default; <c>--json</c> gives one
/// JSON line per input; <c>--segment S</c> adds a timeline of consecutive S-second windows (docs/cli-json.md).
/// </summary>
internal static class ClassifyCommand
{
    private const double MinSegmentSeconds = 0.5, MaxSegmentSeconds = 3600;

    public static Command Create(CliContext context)
    {
        var command = new Command("classify", "Classify the emotion of each input.");
        Argument<string[]> files = FileArguments.Create();
        var json = new Option<bool>("--json") { Description = "One JSON object per line instead of a table." };
        var segment = new Option<double?>("--segment")
        {
            Description = "Also classify consecutive windows of this many seconds (a timeline).",
            HelpName = "SECONDS",
            CustomParser = NumberParsers.NullableDoubleInRange(MinSegmentSeconds, MaxSegmentSeconds, " seconds"),
        };
        Option<string?> model = ModelSource.CreateOption();
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        command.Options.Add(json);
        command.Options.Add(segment);
        command.Options.Add(model);
        raw.AddTo(command);
        command.SetAction(parse => Run(
            parse.GetValue(files)!, raw.Get(parse), parse.GetValue(json), parse.GetValue(segment), parse.GetValue(model), context));
        return command;
    }

    /// <summary>One input's result: the whole clip, and the timeline when asked for.</summary>
    private sealed record Result(string File, Classification Whole, IReadOnlyList<SegmentClassification>? Segments);

    private static int Run(string[] files, RawAudioSettings? raw, bool json, double? segmentSeconds, string? modelPath, CliContext context)
    {
        EmotionModel model = ModelSource.Load(modelPath);
        var classifier = new EmotionClassifier(model);
        string modelName = model.Name;
        JsonLineWriter? lines = json ? new JsonLineWriter(context.Out) : null;
        var table = new List<Result>();
        try
        {
            foreach (string file in files)
            {
                AudioClip clip = AudioInput.Load(file, raw, context);
                string name = AudioInput.DisplayName(file);
                Classification whole;
                IReadOnlyList<SegmentClassification>? segments = null;
                try
                {
                    whole = classifier.Classify(clip);
                    // Consecutive windows; a tail shorter than half a window joins the previous one (EmotionClassifier).
                    if (segmentSeconds is double s)
                        segments = classifier.ClassifySegments(clip.Channels == 1 ? clip.Interleaved : clip.ToMono(), clip.SampleRate, s);
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw AudioInput.UnsupportedRate(name, clip.SampleRate, model.SampleRate);
                }
                var result = new Result(name, whole, segments);
                if (lines is not null)
                    WriteJson(lines, result, clip.DurationSeconds, modelName);
                else
                    table.Add(result);
            }
        }
        finally
        {
            // On bad input the results before it are still printed, then the error line.
            if (lines is null && table.Count > 0)
                WriteTable(context.Out, table, model.Labels, segmentSeconds is not null);
        }
        return ExitCodes.Ok;
    }

    private static void WriteJson(JsonLineWriter lines, Result result, double durationSeconds, string modelName)
    {
        Utf8JsonWriter w = lines.Begin();
        w.WriteStartObject();
        w.WriteString("file", result.File);
        w.WriteString("emotion", result.Whole.Emotion);
        w.WriteNumber("confidence", result.Whole.Confidence);
        JsonLineWriter.WriteProbabilities(w, "probabilities", result.Whole.Labels, result.Whole.Probabilities);
        w.WriteNumber("duration_s", durationSeconds);
        w.WriteString("model", modelName);
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

    private static string Seconds(double s) => s.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Probability(float p) => p.ToString("0.000", CultureInfo.InvariantCulture);
}
