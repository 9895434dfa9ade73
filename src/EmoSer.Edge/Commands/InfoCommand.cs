using System.Globalization;
using System.Text.Json;
using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Edge.Models;
using EmoSer.Edge.Output;
using EmoSer.Programs;
using EmoSer.Programs.Output;
using EmoSer.Runtime.Model;

namespace EmoSer.Edge.Commands;

/// <summary><c>emoser info [--json] [--model PATH]</c>: the model card (labels, sample rate, training data, metrics).</summary>
internal static class InfoCommand
{
    public static CommandSpec Create(CliContext context) =>
        new("info", "Show the model card of the embedded model (or --model).", command => Define(command, context));

    private static void Define(CommandSpec command, CliContext context)
    {
        var json = new FlagSpec("--json") { Description = "One JSON object instead of text." };
        OptionSpec<string?> model = ModelSource.CreateOption();
        command.Options.Add(json);
        command.Options.Add(model);
        command.Action = parse => Run(parse.GetValue(model), parse.GetValue(json), context);
    }

    private static int Run(string? path, bool json, CliContext context)
    {
        EmotionModel model = ModelSource.Load(path);
        bool embedded = path is null || EmbeddedModels.IsName(path);
        string source = embedded ? "embedded" : path!;
        JsonDocument? card = ParseCard(model, embedded ? (path ?? EmbeddedModels.DefaultName) + ".emow" : path!);
        if (json)
            WriteJson(context.Out, model, source, card);
        else
            WriteText(context.Out, model, source, card);
        return ExitCodes.Ok;
    }

    private static JsonDocument? ParseCard(EmotionModel model, string name)
    {
        if (string.IsNullOrWhiteSpace(model.ModelCardJson))
            return null;
        try
        {
            return JsonDocument.Parse(model.ModelCardJson);
        }
        catch (JsonException)
        {
            // The loader validated the card; this only guards a reader with other limits.
            throw new InputException(name, "the model card is not valid JSON");
        }
    }

    private static void WriteJson(TextWriter output, EmotionModel model, string source, JsonDocument? card)
    {
        var lines = new JsonLineWriter(output);
        Utf8JsonWriter w = lines.Begin();
        w.WriteStartObject();
        w.WriteString("model", model.Name);
        w.WriteString("source", source);
        w.WriteStartArray("labels");
        foreach (string label in model.Labels)
            w.WriteStringValue(label);
        w.WriteEndArray();
        w.WriteNumber("sample_rate", model.SampleRate);
        w.WriteString("feature_set", model.FeatureSetId);
        w.WriteNumber("extractor_version", model.ExtractorVersion);
        w.WriteNumber("input_length", model.InputLength);
        w.WriteNumber("input_channels", model.InputChannels);
        w.WriteNumber("members", model.MemberCount);
        if (License(card) is { } license)
            w.WriteString("license", license);
        else
            w.WriteNull("license");
        if (model.SpeakerNormalization is { } speaker)
        {
            w.WriteStartObject("speaker_normalization");
            w.WriteNumber("prior_weight", speaker.PriorWeight);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("speaker_normalization");
        }
        w.WriteStartArray("test_time_speed_factors");
        foreach (float factor in model.TestTimeSpeedFactors)
            w.WriteNumberValue(factor);
        w.WriteEndArray();
        if (model.FrontEnd is { } frontEnd)
        {
            w.WriteStartObject("front_end");
            w.WriteBoolean("remove_dc", frontEnd.RemoveDc);
            w.WriteBoolean("trim_silence", frontEnd.TrimSilence);
            w.WriteBoolean("normalize_level", frontEnd.NormalizeLevel);
            w.WriteNumber("threshold_db", frontEnd.ThresholdDb);
            w.WriteNumber("floor_dbfs", frontEnd.FloorDbfs);
            w.WriteNumber("margin_s", frontEnd.MarginSeconds);
            w.WriteNumber("target_dbfs", frontEnd.TargetDbfs);
            w.WriteNumber("max_gain_db", frontEnd.MaxGainDb);
            w.WriteNumber("noise_floor_db", frontEnd.NoiseFloorDb);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("front_end");
        }
        w.WriteNumber("temperature", model.Temperature);
        w.WritePropertyName("card");
        if (card is null)
            w.WriteNullValue();
        else
            card.RootElement.WriteTo(w);
        w.WriteEndObject();
        lines.End();
    }

    private static void WriteText(TextWriter output, EmotionModel model, string source, JsonDocument? card)
    {
        void Line(string key, string value) => output.Write($"{key,-13}{value}\n");
        Line("model", model.Name);
        Line("source", source);
        Line("labels", string.Join(", ", model.Labels));
        Line("sample rate", $"{model.SampleRate} Hz");
        Line("features", $"{model.FeatureSetId} (extractor v{model.ExtractorVersion})");
        Line("input", $"{model.InputLength} x {model.InputChannels}");
        Line("members", model.MemberCount.ToString(CultureInfo.InvariantCulture));
        // The weights' licence follows their training data (the code's MIT licence does not cover them).
        Line("license", License(card) ?? "not stated in the model card: the terms of its training data apply");
        Line("speaker norm", model.SpeakerNormalization is { } speaker
            ? $"yes (prior weight {speaker.PriorWeight.ToString(CultureInfo.InvariantCulture)} utterances; see --speaker)"
            : "no");
        Line("speed copies", model.TestTimeSpeedFactors.Count == 0
            ? "none"
            : $"{string.Join(", ", model.TestTimeSpeedFactors.Select(f => f.ToString(CultureInfo.InvariantCulture)))} (averaged with the clip; classify --single-pass skips them)");
        Line("front end", model.FrontEnd?.ToString() ?? "none (the audio as it is)");
        Line("temperature", model.Temperature.ToString(CultureInfo.InvariantCulture));
        if (card is null)
            Line("card", "(none)");
        else
            output.Write("card:\n");
        if (card is not null)
            WriteElement(output, card.RootElement, 1);
    }

    /// <summary>The model card's <c>license</c> statement, or null.</summary>
    private static string? License(JsonDocument? card) =>
        card is not null && card.RootElement.ValueKind == JsonValueKind.Object
        && card.RootElement.TryGetProperty("license", out JsonElement license) && license.ValueKind == JsonValueKind.String
            ? license.GetString() : null;

    /// <summary>Writes a JSON value as indented "key: value" lines (objects and arrays nest).</summary>
    private static void WriteElement(TextWriter output, JsonElement element, int depth)
    {
        string indent = new(' ', depth * 2);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    if (IsScalar(p.Value) || IsScalarArray(p.Value))
                        output.Write($"{indent}{p.Name}: {Scalar(p.Value)}\n");
                    else
                    {
                        output.Write($"{indent}{p.Name}:\n");
                        WriteElement(output, p.Value, depth + 1);
                    }
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (IsScalar(item) || IsScalarArray(item))
                        output.Write($"{indent}- {Scalar(item)}\n");
                    else
                    {
                        output.Write($"{indent}[{i}]\n");
                        WriteElement(output, item, depth + 1);
                    }
                    i++;
                }
                break;
            default:
                output.Write($"{indent}{Scalar(element)}\n");
                break;
        }
    }

    private static bool IsScalar(JsonElement e) =>
        e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) || IsEmpty(e);

    private static bool IsEmpty(JsonElement e) =>
        (e.ValueKind == JsonValueKind.Object && !e.EnumerateObject().Any()) || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 0);

    private static bool IsScalarArray(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(IsScalar) && e.GetArrayLength() <= 16;

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        _ when IsEmpty(e) => "(none)",
        JsonValueKind.Array => string.Join(", ", e.EnumerateArray().Select(Scalar)),
        _ => e.GetRawText(),
    };
}
