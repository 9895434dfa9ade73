using System.Globalization;
using System.Text;
using System.Text.Json;
using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Edge.Output;
using EmoSer.Programs.Output;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser features [--set librosa-seed-193|egemaps] [--format json|csv|arff|table] [--lld] FILE|FOLDER... | -</c>:
/// the features of each input at its own sample rate. The default is the 193 seed features (librosa-exact);
/// <c>--set egemaps</c> gives openSMILE's eGeMAPSv02: the 88 functionals, and with <c>--lld</c> the 25 descriptors of
/// every 10 ms frame. One JSON line per input by default, or CSV (openSMILE's own layout for eGeMAPS), ARFF or a
/// table (spec in docs/cli-json.md). Every input is processed; unreadable ones get an error line.
/// </summary>
internal static class FeaturesCommand
{
    /// <summary>librosa's spectral contrast needs the 6th octave band below Nyquist: sr/2 &gt; 200·2⁵.</summary>
    private const int MinSampleRate = 12_801;

    private const string SeedSet = SeedFeatureExtractor.FeatureSetId;
    private const string EgemapsSet = "egemaps";

    public static CommandSpec Create(CliContext context) =>
        new("features",
            "Print the features of each input: the 193 seed features (librosa-exact, default) or openSMILE's eGeMAPSv02 (--set egemaps), as JSON lines, CSV, ARFF or a table.",
            command => Define(command, context));

    private static void Define(CommandSpec command, CliContext context)
    {
        ArgumentSpec files = FileArguments.Create();
        var set = new OptionSpec<string>("--set")
        {
            Description = $"Feature set: {SeedSet} (default) or {EgemapsSet} (openSMILE 3.0.2 eGeMAPSv02, also accepted as {EgemapsExtractor.FeatureSetId}).",
            HelpName = "SET",
            DefaultValue = SeedSet,
            Choices = [SeedSet, EgemapsSet, EgemapsExtractor.FeatureSetId],
        };
        OptionSpec<OutputFormat?> format = OutputFormats.CreateOption(OutputFormat.Json, OutputFormat.Json, OutputFormat.Csv, OutputFormat.Arff, OutputFormat.Table);
        var lld = new FlagSpec("--lld")
        {
            Description = "With --set egemaps: also the 25 low-level descriptors of every 10 ms frame (JSON: an \"lld\" array; CSV: one row per frame instead of the functionals).",
        };
        FlagSpec recursive = InputBatch.CreateRecursiveOption();
        OptionSpec<double> maxDuration = AudioInput.CreateMaxDurationOption();
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        command.Options.Add(set);
        command.Options.Add(format);
        command.Options.Add(lld);
        command.Options.Add(recursive);
        command.Options.Add(maxDuration);
        raw.AddTo(command);
        command.Action = parse => Run(parse.GetValues(files), raw.Get(parse), parse.GetValue(set),
            parse.GetValue(format) ?? OutputFormat.Json, parse.GetValue(lld), parse.GetValue(recursive), parse.GetValue(maxDuration), context);
    }

    /// <summary>The column names of the 193 features (<see cref="SeedFeatureExtractor.FeatureNames"/>).</summary>
    public static IReadOnlyList<string> FeatureNames => SeedFeatureExtractor.FeatureNames;

    private sealed record Row(string File, int SampleRate, double Duration, float[] Features);

    private static int Run(string[] files, RawAudioSettings? raw, string set, OutputFormat format, bool lld, bool recursive, double maxSeconds, CliContext context)
    {
        bool egemaps = set != SeedSet;
        if (lld && !egemaps)
            throw new UsageException($"--lld needs --set {EgemapsSet}: the seed features have no per-frame descriptors");
        if (lld && format is not (OutputFormat.Json or OutputFormat.Csv))
            throw new UsageException("--lld is written as JSON lines or CSV only (--format json|csv)");
        IReadOnlyList<string> names = egemaps ? EgemapsLayout.FunctionalNames : FeatureNames;
        JsonLineWriter? json = format == OutputFormat.Json ? new JsonLineWriter(context.Out) : null;
        InputBatch batch = InputBatch.Expand(files, recursive, raw is not null, context, json, streamsResults: format != OutputFormat.Table);
        var seedExtractors = new Dictionary<int, SeedFeatureExtractor>();
        var egemapsExtractors = new Dictionary<int, EgemapsExtractor>();
        var table = new List<Row>();
        float[] frames = [];
        var line = new StringBuilder(4096);
        WriteHeader(context.Out, format, egemaps, lld);
        batch.ForEach((_, file) =>
        {
            AudioClip clip = AudioInput.Load(file, raw, context, maxSeconds, "raise --max-duration to read it whole");
            string name = AudioInput.DisplayName(file);
            float[] mono = clip.ToMono();
            float[] features;
            int frameCount = 0;
            if (egemaps)
            {
                if (clip.SampleRate < EgemapsExtractor.MinimumSampleRate || clip.SampleRate > EgemapsExtractor.MaximumSampleRate)
                    throw new InputException(name, $"sample rate {clip.SampleRate} Hz is outside eGeMAPS's range ({EgemapsExtractor.MinimumSampleRate} to {EgemapsExtractor.MaximumSampleRate} Hz)");
                if (!egemapsExtractors.TryGetValue(clip.SampleRate, out EgemapsExtractor? extractor))
                    egemapsExtractors[clip.SampleRate] = extractor = new EgemapsExtractor(clip.SampleRate);
                if (mono.Length < extractor.MinimumSamples)
                    throw new InputException(name, $"{clip.DurationSeconds:0.###} s is shorter than eGeMAPS's 60 ms analysis frame");
                features = new float[EgemapsExtractor.FunctionalCount];
                if (lld)
                {
                    int needed = extractor.FrameCount(mono.Length) * EgemapsExtractor.DescriptorCount;
                    if (frames.Length < needed)
                        frames = new float[needed];
                    frameCount = extractor.Extract(mono, features, frames.AsSpan(0, needed));
                }
                else
                {
                    extractor.Extract(mono, features);
                }
            }
            else
            {
                if (clip.SampleRate < MinSampleRate)
                    throw new InputException(name, $"sample rate {clip.SampleRate} Hz is too low for the features (need at least {MinSampleRate} Hz: spectral contrast's top band must lie below Nyquist)");
                if (!seedExtractors.TryGetValue(clip.SampleRate, out SeedFeatureExtractor? extractor))
                    seedExtractors[clip.SampleRate] = extractor = new SeedFeatureExtractor(clip.SampleRate);
                features = new float[SeedFeatureExtractor.FeatureCount];
                extractor.Extract(mono, features);
            }

            switch (format)
            {
                case OutputFormat.Json:
                    Utf8JsonWriter w = json!.Begin();
                    w.WriteStartObject();
                    w.WriteString("file", name);
                    w.WriteNumber("sample_rate", clip.SampleRate);
                    w.WriteNumber("duration_s", clip.DurationSeconds);
                    if (egemaps)
                        w.WriteString("feature_set", EgemapsExtractor.FeatureSetId);
                    JsonLineWriter.WriteArray(w, "features", features);
                    if (lld)
                    {
                        w.WriteNumber("frame_period_s", EgemapsLayout.FramePeriodSeconds);
                        w.WriteStartArray("lld");
                        for (int t = 0; t < frameCount; t++)
                        {
                            w.WriteStartArray();
                            foreach (float v in frames.AsSpan(t * EgemapsExtractor.DescriptorCount, EgemapsExtractor.DescriptorCount))
                                w.WriteNumberValue(v);
                            w.WriteEndArray();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                    json.End();
                    break;
                case OutputFormat.Csv when egemaps && lld:
                    for (int t = 0; t < frameCount; t++)
                        WriteOpenSmileCsvRow(context.Out, line, name, t * EgemapsLayout.FramePeriodSeconds,
                            frames.AsSpan(t * EgemapsExtractor.DescriptorCount, EgemapsExtractor.DescriptorCount));
                    break;
                case OutputFormat.Csv when egemaps:
                    WriteOpenSmileCsvRow(context.Out, line, name, 0.0, features);
                    break;
                case OutputFormat.Csv:
                    OutputFormats.WriteCsvRow(context.Out, [name, OutputFormats.Number(clip.SampleRate), OutputFormats.Number(clip.DurationSeconds), .. features.Select(OutputFormats.Number)]);
                    break;
                case OutputFormat.Arff:
                    context.Out.Write(string.Join(',', [OutputFormats.ArffString(name), .. features.Select(OutputFormats.Number)]) + "\n");
                    break;
                default:
                    table.Add(new Row(name, clip.SampleRate, clip.DurationSeconds, features));
                    break;
            }
        });
        if (table.Count > 0)
            WriteTable(context.Out, table, names);
        return batch.Finish();
    }

    private static void WriteHeader(TextWriter output, OutputFormat format, bool egemaps, bool lld)
    {
        IReadOnlyList<string> names = egemaps ? EgemapsLayout.FunctionalNames : FeatureNames;
        if (format == OutputFormat.Csv && egemaps)
        {
            WriteOpenSmileCsvHeader(output, lld ? EgemapsLayout.DescriptorNames : EgemapsLayout.FunctionalNames);
        }
        else if (format == OutputFormat.Csv)
        {
            OutputFormats.WriteCsvRow(output, ["file", "sample_rate", "duration_s", .. names]);
        }
        else if (format == OutputFormat.Arff)
        {
            // Weka's attribute-relation file: the file name as a string attribute, then the numeric features.
            string id = egemaps ? $"{EgemapsExtractor.FeatureSetId} v{EgemapsExtractor.Version}" : $"{SeedFeatureExtractor.FeatureSetId} v{SeedFeatureExtractor.Version}";
            output.Write($"% emoser features: {id}, each file at its own sample rate\n");
            output.Write("@relation emoser_features\n\n@attribute file string\n");
            foreach (string name in names)
                output.Write($"@attribute {name} numeric\n");
            output.Write("\n@data\n");
        }
    }

    /// <summary>A table for people: one row per feature, one column per input (so many columns would not fit a screen).</summary>
    private static void WriteTable(TextWriter output, List<Row> rows, IReadOnlyList<string> names)
    {
        var table = new TextTable(["FEATURE", .. rows.Select(r => r.File)]).AlignRight([.. Enumerable.Range(1, rows.Count)]);
        table.Add(["sample_rate", .. rows.Select(r => r.SampleRate.ToString(CultureInfo.InvariantCulture))]);
        table.Add(["duration_s", .. rows.Select(r => r.Duration.ToString("0.000", CultureInfo.InvariantCulture))]);
        for (int f = 0; f < names.Count; f++)
            table.Add([names[f], .. rows.Select(r => r.Features[f].ToString("G6", CultureInfo.InvariantCulture))]);
        table.WriteTo(output);
    }

    private static void WriteOpenSmileCsvHeader(TextWriter output, IReadOnlyList<string> names)
    {
        output.Write("name;frameTime");
        foreach (string n in names)
        {
            output.Write(';');
            output.Write(n);
        }
        output.Write('\n');
    }

    /// <summary>One row as openSMILE's cCsvSink writes it: quoted instance name, frame time, values in C's %e.</summary>
    private static void WriteOpenSmileCsvRow(TextWriter output, StringBuilder line, string name, double time, ReadOnlySpan<float> values)
    {
        line.Clear();
        line.Append('\'').Append(name).Append("';").Append(time.ToString("0.000000", CultureInfo.InvariantCulture));
        foreach (float v in values)
        {
            line.Append(';');
            line.Append(FormatE(v));
        }
        line.Append('\n');
        output.Write(line);
    }

    /// <summary>C's <c>%e</c>: d.dddddde±XX (0 as 0.000000e+00).</summary>
    internal static string FormatE(float v) => ((double)v).ToString("0.000000e+00", CultureInfo.InvariantCulture);
}
