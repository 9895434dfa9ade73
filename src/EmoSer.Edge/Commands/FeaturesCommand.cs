using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EmoSer.Edge.Input;
using EmoSer.Edge.Output;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser features [--set librosa-seed-193|egemaps] [--csv] [--lld] FILE... | -</c>: the features of
/// each input at its own sample rate. The default is the 193 seed features (librosa-exact), one JSON line per input
/// (<c>{"file","sample_rate","duration_s","features"}</c>); <c>--set egemaps</c> gives openSMILE's eGeMAPSv02: the 88
/// functionals, and with <c>--lld</c> the 25 descriptors of every 10 ms frame, as JSON lines or as openSMILE's CSV
/// (spec in docs/cli-json.md).
/// </summary>
internal static class FeaturesCommand
{
    /// <summary>librosa's spectral contrast needs the 6th octave band below Nyquist: sr/2 &gt; 200·2⁵.</summary>
    private const int MinSampleRate = 12_801;

    private const string SeedSet = SeedFeatureExtractor.FeatureSetId;
    private const string EgemapsSet = "egemaps";

    public static Command Create(CliContext context)
    {
        var command = new Command("features",
            "Print the features of each input: the 193 seed features (librosa-exact, default) or openSMILE's eGeMAPSv02 (--set egemaps).");
        Argument<string[]> files = FileArguments.Create();
        var set = new Option<string>("--set")
        {
            Description = $"Feature set: {SeedSet} (default) or {EgemapsSet} (openSMILE 3.0.2 eGeMAPSv02, also accepted as {EgemapsExtractor.FeatureSetId}).",
            HelpName = "SET",
            DefaultValueFactory = _ => SeedSet,
        };
        set.AcceptOnlyFromAmong(SeedSet, EgemapsSet, EgemapsExtractor.FeatureSetId);
        var csv = new Option<bool>("--csv")
        {
            Description = "With --set egemaps: openSMILE's semicolon-separated CSV with its column names instead of JSON lines.",
        };
        var lld = new Option<bool>("--lld")
        {
            Description = "With --set egemaps: also the 25 low-level descriptors of every 10 ms frame (CSV: one row per frame instead of the functionals).",
        };
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        command.Options.Add(set);
        command.Options.Add(csv);
        command.Options.Add(lld);
        raw.AddTo(command);
        command.SetAction(parse => Run(parse.GetValue(files)!, raw.Get(parse), parse.GetValue(set)!, parse.GetValue(csv),
            parse.GetValue(lld), context));
        return command;
    }

    private static int Run(string[] files, RawAudioSettings? raw, string set, bool csv, bool lld, CliContext context)
    {
        bool egemaps = set != SeedSet;
        if (!egemaps && (csv || lld))
            throw new UsageException($"{(lld ? "--lld" : "--csv")} needs --set {EgemapsSet}: the seed features are written as JSON lines only");
        return egemaps ? RunEgemaps(files, raw, csv, lld, context) : RunSeed(files, raw, context);
    }

    private static int RunSeed(string[] files, RawAudioSettings? raw, CliContext context)
    {
        var json = new JsonLineWriter(context.Out);
        var extractors = new Dictionary<int, SeedFeatureExtractor>();
        var features = new float[SeedFeatureExtractor.FeatureCount];
        foreach (string file in files)
        {
            AudioClip clip = AudioInput.Load(file, raw, context);
            string name = AudioInput.DisplayName(file);
            if (clip.SampleRate < MinSampleRate)
                throw new InputException(name, $"sample rate {clip.SampleRate} Hz is too low for the features (need at least {MinSampleRate} Hz: spectral contrast's top band must lie below Nyquist)");
            if (!extractors.TryGetValue(clip.SampleRate, out SeedFeatureExtractor? extractor))
                extractors[clip.SampleRate] = extractor = new SeedFeatureExtractor(clip.SampleRate);
            extractor.Extract(clip.ToMono(), features);

            Utf8JsonWriter w = json.Begin();
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteNumber("sample_rate", clip.SampleRate);
            w.WriteNumber("duration_s", clip.DurationSeconds);
            JsonLineWriter.WriteArray(w, "features", features);
            w.WriteEndObject();
            json.End();
        }
        return ExitCodes.Ok;
    }

    private static int RunEgemaps(string[] files, RawAudioSettings? raw, bool csv, bool lld, CliContext context)
    {
        var json = csv ? null : new JsonLineWriter(context.Out);
        var extractors = new Dictionary<int, EgemapsExtractor>();
        var functionals = new float[EgemapsExtractor.FunctionalCount];
        float[] frames = [];
        var line = new System.Text.StringBuilder(4096);
        if (csv)
            WriteCsvHeader(context.Out, lld ? EgemapsLayout.DescriptorNames : EgemapsLayout.FunctionalNames);
        foreach (string file in files)
        {
            AudioClip clip = AudioInput.Load(file, raw, context);
            string name = AudioInput.DisplayName(file);
            if (clip.SampleRate < EgemapsExtractor.MinimumSampleRate || clip.SampleRate > 384_000)
                throw new InputException(name, $"sample rate {clip.SampleRate} Hz is outside eGeMAPS's range ({EgemapsExtractor.MinimumSampleRate} to 384000 Hz)");
            if (!extractors.TryGetValue(clip.SampleRate, out EgemapsExtractor? extractor))
                extractors[clip.SampleRate] = extractor = new EgemapsExtractor(clip.SampleRate);
            float[] mono = clip.ToMono();
            if (mono.Length < extractor.MinimumSamples)
                throw new InputException(name, $"{clip.DurationSeconds:0.###} s is shorter than eGeMAPS's 60 ms analysis frame");
            int n = 0;
            if (lld)
            {
                int needed = extractor.FrameCount(mono.Length) * EgemapsExtractor.DescriptorCount;
                if (frames.Length < needed)
                    frames = new float[needed];
                n = extractor.Extract(mono, functionals, frames.AsSpan(0, needed));
            }
            else
            {
                extractor.Extract(mono, functionals);
            }

            if (csv)
            {
                if (lld)
                {
                    for (int t = 0; t < n; t++)
                        WriteCsvRow(context.Out, line, name, t * EgemapsLayout.FramePeriodSeconds,
                            frames.AsSpan(t * EgemapsExtractor.DescriptorCount, EgemapsExtractor.DescriptorCount));
                }
                else
                {
                    WriteCsvRow(context.Out, line, name, 0.0, functionals);
                }
                continue;
            }

            Utf8JsonWriter w = json!.Begin();
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteNumber("sample_rate", clip.SampleRate);
            w.WriteNumber("duration_s", clip.DurationSeconds);
            w.WriteString("feature_set", EgemapsExtractor.FeatureSetId);
            JsonLineWriter.WriteArray(w, "features", functionals);
            if (lld)
            {
                w.WriteNumber("frame_period_s", EgemapsLayout.FramePeriodSeconds);
                w.WriteStartArray("lld");
                for (int t = 0; t < n; t++)
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
        }
        return ExitCodes.Ok;
    }

    private static void WriteCsvHeader(TextWriter output, IReadOnlyList<string> names)
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
    private static void WriteCsvRow(TextWriter output, System.Text.StringBuilder line, string name, double time, ReadOnlySpan<float> values)
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
