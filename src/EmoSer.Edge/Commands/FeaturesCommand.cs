using System.CommandLine;
using System.Text.Json;
using EmoSer.Edge.Input;
using EmoSer.Edge.Output;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser features FILE... | -</c>: the 193 seed features of each input at its own sample rate, one JSON
/// line per input (<c>{"file","sample_rate","duration_s","features"}</c>, spec in docs/cli-json.md).
/// </summary>
internal static class FeaturesCommand
{
    /// <summary>librosa's spectral contrast needs the 6th octave band below Nyquist: sr/2 &gt; 200·2⁵.</summary>
    private const int MinSampleRate = 12_801;

    public static Command Create(CliContext context)
    {
        var command = new Command("features", "Print the 193 seed features (librosa-exact) of each input as a JSON line.");
        Argument<string[]> files = FileArguments.Create();
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        raw.AddTo(command);
        command.SetAction(parse => Run(parse.GetValue(files)!, raw.Get(parse), context));
        return command;
    }

    private static int Run(string[] files, RawAudioSettings? raw, CliContext context)
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
}
