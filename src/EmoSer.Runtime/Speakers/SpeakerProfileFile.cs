using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using System.Text;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.IO;
using EmoSer.Runtime.Model;

namespace EmoSer.Runtime.Speakers;

/// <summary>
/// A <see cref="SpeakerProfile"/> with the features it was computed from, as stored in a speaker profile file: one
/// JSON object (docs/speaker-normalization.md, "Speaker profile file"). Written and read by hand with
/// <see cref="Utf8JsonWriter"/> and <see cref="JsonDocument"/> (no reflection: AOT- and trim-safe).
/// </summary>
public sealed class SpeakerProfileFile
{
    /// <summary>The value of the <c>format</c> member.</summary>
    public const string FormatName = "emoser-speaker-profile";

    /// <summary>The value of the <c>version</c> member this runtime reads and writes.</summary>
    public const int FormatVersion = 1;

    /// <summary>Largest file <see cref="Load"/> accepts (193 features take about 8 KB).</summary>
    public const long MaxFileBytes = 1 << 20;

    private const int MaxFeatures = 1 << 16;

    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = false };

    // A profile nests two deep (the object, its arrays): a little headroom, no unbounded recursion.
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 4 };

    /// <summary>A profile file for <paramref name="profile"/>, whose vectors were computed with the given features.</summary>
    /// <param name="profile">The statistics (kept, not copied).</param>
    /// <param name="featureSetId">Feature set id, e.g. <c>librosa-seed-193</c>.</param>
    /// <param name="extractorVersion">Feature extractor version (≥ 0).</param>
    /// <param name="sampleRate">Sample rate (Hz) the features were computed at (1..768000).</param>
    /// <exception cref="ArgumentException">An empty feature set id, or a value out of range.</exception>
    public SpeakerProfileFile(SpeakerProfile profile, string featureSetId, int extractorVersion, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentException.ThrowIfNullOrEmpty(featureSetId);
        ArgumentOutOfRangeException.ThrowIfNegative(extractorVersion);
        if (sampleRate is < 1 or > InputLimits.MaxSampleRate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, $"The sample rate must be 1..{InputLimits.MaxSampleRate} Hz.");
        Profile = profile;
        FeatureSetId = featureSetId;
        ExtractorVersion = extractorVersion;
        SampleRate = sampleRate;
    }

    /// <summary>The statistics.</summary>
    public SpeakerProfile Profile { get; }

    /// <summary>Feature set id of the vectors that were added.</summary>
    public string FeatureSetId { get; }

    /// <summary>Feature extractor version of the vectors that were added.</summary>
    public int ExtractorVersion { get; }

    /// <summary>Sample rate (Hz) the features were computed at.</summary>
    public int SampleRate { get; }

    /// <summary>A profile file for <paramref name="profile"/>, computed with the features <paramref name="model"/> takes.</summary>
    /// <exception cref="ArgumentException">The profile's feature count is not the model's input size.</exception>
    public static SpeakerProfileFile ForModel(EmotionModel model, SpeakerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.FeatureCount != model.InputLength * model.InputChannels)
            throw new ArgumentException($"The profile has {profile.FeatureCount} features, model '{model.Name}' takes {model.InputLength * model.InputChannels}.", nameof(profile));
        return new SpeakerProfileFile(profile, model.FeatureSetId, model.ExtractorVersion, model.SampleRate);
    }

    /// <summary>Why this profile cannot be used with <paramref name="model"/>, or null when it can.</summary>
    public string? Mismatch(EmotionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int inputs = model.InputLength * model.InputChannels;
        if (FeatureSetId != model.FeatureSetId || ExtractorVersion != model.ExtractorVersion || SampleRate != model.SampleRate)
        {
            return $"the profile was computed from the features '{FeatureSetId}' version {ExtractorVersion} at {SampleRate} Hz, "
                + $"but model '{model.Name}' takes '{model.FeatureSetId}' version {model.ExtractorVersion} at {model.SampleRate} Hz";
        }
        if (Profile.FeatureCount != inputs)
            return $"the profile has {Profile.FeatureCount} features, but model '{model.Name}' takes {inputs}";
        return null;
    }

    /// <summary>Throws unless this profile can be used with <paramref name="model"/> (see <see cref="Mismatch"/>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="inputName">The profile's file name, for the message.</param>
    /// <exception cref="SpeakerProfileFormatException">The features differ.</exception>
    public void EnsureMatches(EmotionModel model, string inputName)
    {
        if (Mismatch(model) is { } problem)
            throw new SpeakerProfileFormatException(inputName, problem);
    }

    /// <summary>Writes the file atomically (temporary file in the same folder, flushed, renamed over <paramref name="path"/>).</summary>
    /// <exception cref="IOException">The file cannot be written (an existing file is then untouched).</exception>
    public void Save(string path) => AtomicFile.Write(path, ToUtf8());

    /// <summary>The file's content: one compact JSON object and a newline, doubles in shortest round-trip form.</summary>
    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("feature_set", FeatureSetId);
            w.WriteNumber("extractor_version", ExtractorVersion);
            w.WriteNumber("sample_rate", SampleRate);
            w.WriteNumber("count", Profile.Count);
            WriteArray(w, "mean", Profile.Mean);
            WriteArray(w, "m2", Profile.SumSquaredDeviations);
            w.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads and validates a profile file; files over <see cref="MaxFileBytes"/> are refused before reading.</summary>
    /// <param name="path">The file; also the name used in error messages.</param>
    /// <exception cref="SpeakerProfileFormatException">The file cannot be read or is malformed.</exception>
    public static SpeakerProfileFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > MaxFileBytes)
                throw new SpeakerProfileFormatException(path, $"{length} bytes is larger than the {MaxFileBytes}-byte limit for a speaker profile");
            bytes = new byte[length];
            stream.ReadExactly(bytes);
            if (stream.ReadByte() >= 0)
                throw new SpeakerProfileFormatException(path, "the file grew while it was read");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SpeakerProfileFormatException(path, "no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpeakerProfileFormatException(path, $"cannot read the file: {ErrorText.Describe(e)}", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates the content of a profile file.</summary>
    /// <param name="utf8">The whole file.</param>
    /// <param name="inputName">Name for error messages.</param>
    /// <exception cref="SpeakerProfileFormatException">The content is malformed.</exception>
    public static SpeakerProfileFile Parse(ReadOnlySpan<byte> utf8, string inputName)
    {
        ArgumentNullException.ThrowIfNull(inputName);
        if (utf8.Length > MaxFileBytes)
            throw new SpeakerProfileFormatException(inputName, $"{utf8.Length} bytes is larger than the {MaxFileBytes}-byte limit for a speaker profile");
        // The reader accepts invalid UTF-8 inside strings; reading such a name later would throw InvalidOperationException.
        if (!Utf8.IsValid(utf8))
            throw new SpeakerProfileFormatException(inputName, "not valid UTF-8");
        JsonDocument? document = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, s_readerOptions);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
                throw new JsonException();
        }
        catch (JsonException e)
        {
            document?.Dispose();
            // The exception's own message names System.Text.Json's resource keys in trimmed builds: say it for people.
            throw new SpeakerProfileFormatException(inputName, JsonSyntax.Describe(utf8, s_readerOptions, document is not null, "not a speaker profile", "not valid JSON"), e);
        }
        using (document)
            return FromJson(document.RootElement, inputName);
    }

    private static SpeakerProfileFile FromJson(JsonElement root, string name)
    {
        void Fail(string problem) => throw new SpeakerProfileFormatException(name, problem);

        if (root.ValueKind != JsonValueKind.Object)
            Fail($"not a speaker profile (the JSON is {Article(root.ValueKind)}, not an object)");
        string? format = null, featureSet = null;
        int? version = null, extractorVersion = null, sampleRate = null;
        long? count = null;
        double[]? mean = null, m2 = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty p in root.EnumerateObject())
        {
            if (!seen.Add(p.Name))
                Fail($"\"{p.Name}\" appears twice");
            switch (p.Name)
            {
                case "format":
                    format = String(p, Fail);
                    break;
                case "version":
                    version = Int(p, Fail);
                    break;
                case "feature_set":
                    featureSet = String(p, Fail);
                    break;
                case "extractor_version":
                    extractorVersion = Int(p, Fail);
                    break;
                case "sample_rate":
                    sampleRate = Int(p, Fail);
                    break;
                case "count":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt64(out long c) || c < 0)
                        Fail($"\"count\" is {Text(p.Value)}; it must be a whole number >= 0");
                    count = p.Value.GetInt64();
                    break;
                case "mean":
                    mean = Numbers(p, nonNegative: false, Fail);
                    break;
                case "m2":
                    m2 = Numbers(p, nonNegative: true, Fail);
                    break;
                default:
                    Fail($"unknown member \"{(p.Name.Length <= 40 ? p.Name : p.Name[..40] + "...")}\"");
                    break;
            }
        }

        // The format first: anything else is better reported as "not a profile" than as a missing member.
        if (format is null)
            Fail($"not a speaker profile (no \"format\": \"{FormatName}\")");
        if (format != FormatName)
            Fail($"not a speaker profile (\"format\" is \"{format}\", expected \"{FormatName}\")");
        if (version is null)
            Fail("\"version\" is missing");
        if (version != FormatVersion)
            Fail($"unsupported speaker profile version {version} (this runtime reads version {FormatVersion})");
        foreach ((string member, bool present) in new[]
        {
            ("feature_set", featureSet is not null), ("extractor_version", extractorVersion is not null), ("sample_rate", sampleRate is not null),
            ("count", count is not null), ("mean", mean is not null), ("m2", m2 is not null),
        })
        {
            if (!present)
                Fail($"\"{member}\" is missing");
        }
        if (featureSet!.Length == 0)
            Fail("\"feature_set\" is empty");
        if (extractorVersion < 0)
            Fail($"\"extractor_version\" is {extractorVersion}; it must be >= 0");
        if (sampleRate is < 1 or > InputLimits.MaxSampleRate)
            Fail($"\"sample_rate\" is {sampleRate}; it must be 1..{InputLimits.MaxSampleRate} Hz");
        if (mean!.Length == 0)
            Fail("\"mean\" is empty");
        if (m2!.Length != mean.Length)
            Fail($"\"mean\" has {mean.Length} values but \"m2\" has {m2.Length}");
        if (featureSet == SeedFeatureExtractor.FeatureSetId && mean.Length != SeedFeatureExtractor.FeatureCount)
            Fail($"\"mean\" has {mean.Length} values; the feature set '{featureSet}' has {SeedFeatureExtractor.FeatureCount}");
        // Welford's statistics of 0 or 1 vectors have no spread, and none at all of 0: anything else was not written by Add.
        if (count <= 1)
        {
            for (int i = 0; i < m2.Length; i++)
            {
                if (m2[i] != 0)
                    Fail($"\"m2\"[{i}] is {Format(m2[i])} but \"count\" is {count}; the squared deviations of {count} vector(s) are 0");
            }
        }
        if (count == 0)
        {
            for (int i = 0; i < mean.Length; i++)
            {
                if (mean[i] != 0)
                    Fail($"\"mean\"[{i}] is {Format(mean[i])} but \"count\" is 0; an empty profile's mean is 0");
            }
        }
        // The bounds that keep every standardization finite (docs/limits.md), checked here once, at load.
        if (SpeakerProfile.StatisticsProblem(count!.Value, mean, m2) is { } outOfBounds)
            Fail(outOfBounds);
        return new SpeakerProfileFile(SpeakerProfile.FromStatistics(count.Value, mean, m2), featureSet, extractorVersion!.Value, sampleRate!.Value);
    }

    private static string String(JsonProperty p, Action<string> fail)
    {
        if (p.Value.ValueKind != JsonValueKind.String)
            fail($"\"{p.Name}\" is {Text(p.Value)}; it must be a string");
        return p.Value.GetString()!;
    }

    private static int Int(JsonProperty p, Action<string> fail)
    {
        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int v))
            fail($"\"{p.Name}\" is {Text(p.Value)}; it must be a whole number");
        return p.Value.GetInt32();
    }

    private static double[] Numbers(JsonProperty p, bool nonNegative, Action<string> fail)
    {
        if (p.Value.ValueKind != JsonValueKind.Array)
            fail($"\"{p.Name}\" is {Text(p.Value)}; it must be an array of numbers");
        int length = p.Value.GetArrayLength();
        if (length > MaxFeatures)
            fail($"\"{p.Name}\" has {length} values, more than the limit of {MaxFeatures}");
        var values = new double[length];
        int i = 0;
        foreach (JsonElement e in p.Value.EnumerateArray())
        {
            // A literal beyond double's range parses to infinity (or fails): either way it is not a finite number.
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v))
            {
                fail($"\"{p.Name}\"[{i}] is {Text(e)}; every value must be a finite number{(nonNegative ? " >= 0" : "")}");
                return values;
            }
            if (nonNegative && v < 0)
                fail($"\"{p.Name}\"[{i}] is {Format(v)}; every value must be a finite number >= 0");
            values[i++] = v;
        }
        return values;
    }

    private static void WriteArray(Utf8JsonWriter w, string name, ReadOnlySpan<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
            w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    /// <summary>A JSON value for a message, shortened so the message stays one readable line.</summary>
    private static string Text(JsonElement e)
    {
        string raw = e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => e.GetRawText(),
        };
        return raw.Length <= 40 ? OneLine(raw) : OneLine(raw[..40]) + "...";
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
