using System.Text;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Model;

/// <summary><see cref="SpeakerProfileFile"/>: JSON layout, exact round trip, atomic save, every rejection, model matching.</summary>
[Trait("Category", "unit")]
public sealed class SpeakerProfileFileTests : IDisposable
{
    private const string Name = "alice.json";
    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-profile-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A 193-feature profile with awkward doubles (thirds, tiny magnitudes and the largest the bounds allow).</summary>
    private static SpeakerProfile AwkwardProfile(long count = 5)
    {
        var rng = new Random(31);
        var mean = new double[193];
        var m2 = new double[193];
        for (int i = 0; i < 193; i++)
        {
            mean[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 18)) / 3;
            m2[i] = rng.NextDouble() * Math.Pow(10, rng.Next(-300, 36)) / 7;
        }
        mean[0] = -0.0;
        m2[1] = 0;
        mean[2] = double.Epsilon;
        mean[4] = -1e18;
        m2[3] = count * 1e36;
        return SpeakerProfile.FromStatistics(count, mean, m2);
    }

    private static string ValidJson(long count = 2, string? mean = null, string? m2 = null) =>
        $$"""{"format":"emoser-speaker-profile","version":1,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000,"count":{{count}},"mean":[{{mean ?? string.Join(",", Enumerable.Range(0, 193).Select(i => i * 0.5))}}],"m2":[{{m2 ?? string.Join(",", Enumerable.Range(0, 193).Select(i => i * 0.25))}}]}""";

    private static SpeakerProfileFormatException Rejects(string json) =>
        Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Parse(Encoding.UTF8.GetBytes(json), Name));

    [Fact]
    public void Save_and_load_round_trip_every_double_exactly()
    {
        var profile = AwkwardProfile();
        string path = Path.Combine(_dir, "p.json");
        new SpeakerProfileFile(profile, "librosa-seed-193", 1, 16000).Save(path);
        Assert.Equal(["p.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));

        var back = SpeakerProfileFile.Load(path);
        Assert.Equal("librosa-seed-193", back.FeatureSetId);
        Assert.Equal(1, back.ExtractorVersion);
        Assert.Equal(16000, back.SampleRate);
        Assert.Equal(5, back.Profile.Count);
        for (int i = 0; i < 193; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(profile.Mean[i]), BitConverter.DoubleToInt64Bits(back.Profile.Mean[i]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(profile.SumSquaredDeviations[i]), BitConverter.DoubleToInt64Bits(back.Profile.SumSquaredDeviations[i]));
        }
        Assert.Equal(File.ReadAllBytes(path), back.ToUtf8());
    }

    [Fact]
    public void The_document_has_the_documented_members_in_order()
    {
        var profile = new SpeakerProfile(193);
        profile.Add(Enumerable.Range(0, 193).Select(i => (float)i).ToArray());
        string text = Encoding.UTF8.GetString(new SpeakerProfileFile(profile, "librosa-seed-193", 1, 16000).ToUtf8());
        Assert.StartsWith("""{"format":"emoser-speaker-profile","version":1,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000,"count":1,"mean":[0,1,2,""", text);
        Assert.EndsWith("]}\n", text);
        Assert.Contains("\"m2\":[0,0,0,", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_nothing_on_failure()
    {
        string path = Path.Combine(_dir, "p.json");
        File.WriteAllText(path, "old");
        var file = new SpeakerProfileFile(AwkwardProfile(), "librosa-seed-193", 1, 16000);
        file.Save(path);
        Assert.Equal(file.ToUtf8(), File.ReadAllBytes(path));

        string missingFolder = Path.Combine(_dir, "no-such-folder", "p.json");
        Assert.ThrowsAny<IOException>(() => file.Save(missingFolder));
        Assert.Equal(["p.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Valid_json_with_members_in_any_order_loads()
    {
        string json = """
            {
              "m2": [0.5, 0.25], "mean": [1, -2e-3], "count": 3, "sample_rate": 8000,
              "extractor_version": 4, "feature_set": "other-2", "version": 1, "format": "emoser-speaker-profile"
            }
            """;
        var p = SpeakerProfileFile.Parse(Encoding.UTF8.GetBytes(json), Name);
        Assert.Equal(("other-2", 4, 8000, 3L), (p.FeatureSetId, p.ExtractorVersion, p.SampleRate, p.Profile.Count));
        Assert.Equal([1, -2e-3], p.Profile.Mean.ToArray());
        Assert.Equal([0.5, 0.25], p.Profile.SumSquaredDeviations.ToArray());
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "alice.json: not a speaker profile: it is empty" },
        { " \r\n\t", "alice.json: not a speaker profile: it is empty" },
        { "hello", "alice.json: not a speaker profile: expected a JSON object at line 1" },
        { "\n\n[1,2", "alice.json: not a speaker profile: expected a JSON object at line 3" },
        { "{\"format\":", "alice.json: not valid JSON: it ends at line 1 before the object is complete" },
        { "{\"format\":\"emoser-spea", "alice.json: not valid JSON: it ends at line 1 before the object is complete" },
        { "{\n\"count\": [1,\n", "alice.json: not valid JSON: it ends at line 3 before the object is complete" },
        { ValidJson() + " {}", "alice.json: not valid JSON: more data after the object at line 1, column " + (ValidJson().Length + 2) },
        { ValidJson() + "\n\n  x", "alice.json: not valid JSON: more data after the object at line 3, column 3" },
        { "{\"format\" \"x\"}", "alice.json: not valid JSON: unexpected '\"' at line 1, column 11" },
        { "{\n  \"count\": 2,\n  \"mean\": [1, 2,, 3]\n}", "alice.json: not valid JSON: unexpected ',' at line 3, column 17" },
        { "{\"é\": 1 ;}", "alice.json: not valid JSON: unexpected ';' at line 1, column 9" },
        { "{\"count\": tru}", "alice.json: not valid JSON: unexpected '}' at line 1, column 14" },
        { "{\"count\":\u00012}", "alice.json: not valid JSON: unexpected U+0001 at line 1, column 10" },
        { "{\"mean\":[[[[1]]]]}", "alice.json: not valid JSON: nested too deeply at line 1, column 12" },
        { "[1,2]", "alice.json: not a speaker profile (the JSON is an array, not an object)" },
        { "{}", "alice.json: not a speaker profile (no \"format\": \"emoser-speaker-profile\")" },
        { ValidJson().Replace("\"emoser-speaker-profile\"", "\"emoser-profile\"", StringComparison.Ordinal),
            "alice.json: not a speaker profile (\"format\" is \"emoser-profile\", expected \"emoser-speaker-profile\")" },
        { ValidJson().Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal),
            "alice.json: unsupported speaker profile version 2 (this runtime reads version 1)" },
        { ValidJson().Replace("\"version\":1", "\"version\":\"1\"", StringComparison.Ordinal),
            "alice.json: \"version\" is \"1\"; it must be a whole number" },
        { ValidJson().Replace("\"version\":1,", "", StringComparison.Ordinal), "alice.json: \"version\" is missing" },
        { ValidJson().Replace("\"sample_rate\":16000,", "", StringComparison.Ordinal), "alice.json: \"sample_rate\" is missing" },
        { ValidJson().Replace("\"sample_rate\":16000", "\"sample_rate\":0", StringComparison.Ordinal),
            "alice.json: \"sample_rate\" is 0; it must be 1..768000 Hz" },
        { ValidJson().Replace("\"extractor_version\":1", "\"extractor_version\":-1", StringComparison.Ordinal),
            "alice.json: \"extractor_version\" is -1; it must be >= 0" },
        { ValidJson().Replace("\"extractor_version\":1", "\"extractor_version\":1.5", StringComparison.Ordinal),
            "alice.json: \"extractor_version\" is 1.5; it must be a whole number" },
        { ValidJson().Replace("\"librosa-seed-193\"", "\"\"", StringComparison.Ordinal), "alice.json: \"feature_set\" is empty" },
        { ValidJson().Replace("\"librosa-seed-193\"", "193", StringComparison.Ordinal), "alice.json: \"feature_set\" is 193; it must be a string" },
        { ValidJson(count: -1), "alice.json: \"count\" is -1; it must be a whole number >= 0" },
        { ValidJson().Replace("\"count\":2", "\"count\":2.5", StringComparison.Ordinal), "alice.json: \"count\" is 2.5; it must be a whole number >= 0" },
        { ValidJson().Replace("\"count\":2", "\"count\":null", StringComparison.Ordinal), "alice.json: \"count\" is null; it must be a whole number >= 0" },
        { ValidJson().Replace("\"count\":2", "\"count\":2,\"count\":3", StringComparison.Ordinal), "alice.json: \"count\" appears twice" },
        { ValidJson().Replace("\"count\":2", "\"count\":2,\"speaker\":\"x\"", StringComparison.Ordinal), "alice.json: unknown member \"speaker\"" },
        { ValidJson(mean: "1,2,3", m2: "1,2,3"), "alice.json: \"mean\" has 3 values; the feature set 'librosa-seed-193' has 193" },
        { ValidJson(m2: "1,2"), "alice.json: \"mean\" has 193 values but \"m2\" has 2" },
        { ValidJson(mean: "", m2: ""), "alice.json: \"mean\" is empty" },
        { ValidJson(mean: "1," + string.Join(",", Enumerable.Repeat("0", 191)) + ",1e400"),
            "alice.json: \"mean\"[192] is 1e400; every value must be a finite number" },
        { ValidJson(mean: "\"NaN\"," + string.Join(",", Enumerable.Repeat("0", 192))),
            "alice.json: \"mean\"[0] is \"NaN\"; every value must be a finite number" },
        { ValidJson(m2: "0,0,0,-0.5," + string.Join(",", Enumerable.Repeat("0", 189))),
            "alice.json: \"m2\"[3] is -0.5; every value must be a finite number >= 0" },
        { ValidJson(m2: "0,[1]," + string.Join(",", Enumerable.Repeat("0", 191))),
            "alice.json: \"m2\"[1] is an array; every value must be a finite number >= 0" },
        { ValidJson().Replace("\"m2\":[", "\"m2\":{\"a\":[", StringComparison.Ordinal).Replace("]}", "]}}", StringComparison.Ordinal),
            "alice.json: \"m2\" is an object; it must be an array of numbers" },
        { ValidJson(count: 1), "alice.json: \"m2\"[1] is 0.25 but \"count\" is 1; the squared deviations of 1 vector(s) are 0" },
        { ValidJson(count: 0, m2: string.Join(",", Enumerable.Repeat("0", 193))), "alice.json: \"mean\"[1] is 0.5 but \"count\" is 0; an empty profile's mean is 0" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_are_rejected_with_one_line(string json, string expected)
    {
        var e = Rejects(json);
        Assert.Equal(expected, e.Message);
        // No System.Text.Json wording (token names, "LineNumber: 0 | BytePositionInLine") reaches people.
        Assert.DoesNotContain("Json", e.Message[Name.Length..], StringComparison.Ordinal);
        Assert.DoesNotContain("BytePosition", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(Name, e.InputName);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(ValidJson().Replace("\"count\"", "\"co?nt\"", StringComparison.Ordinal));
        bytes[bytes.AsSpan().IndexOf("?"u8)] = 0xFF;
        var e = Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Parse(bytes, Name));
        Assert.Equal($"{Name}: not valid UTF-8", e.Message);
    }

    [Fact]
    public void The_size_limit_is_checked_before_reading()
    {
        string path = Path.Combine(_dir, "big.json");
        using (var f = File.Create(path))
            f.SetLength(SpeakerProfileFile.MaxFileBytes + 1);
        var e = Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Load(path));
        Assert.Equal($"{path}: {SpeakerProfileFile.MaxFileBytes + 1} bytes is larger than the 1048576-byte limit for a speaker profile", e.Message);
    }

    [Fact]
    public void Unreadable_files_are_named()
    {
        string missing = Path.Combine(_dir, "missing.json");
        Assert.Equal($"{missing}: no such file", Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Load(missing)).Message);
        Assert.StartsWith($"{_dir}: cannot read the file: ", Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Load(_dir)).Message);
    }

    [Fact]
    public void Random_corruption_only_ever_gives_speaker_profile_format_exception()
    {
        byte[] good = Encoding.UTF8.GetBytes(ValidJson(count: 4));
        var rng = new Random(5);
        int loaded = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])good.Clone();
            for (int f = rng.Next(1, 3); f > 0; f--)
                bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            try
            {
                var p = SpeakerProfileFile.Parse(bytes, Name);
                Assert.Equal(193, p.Profile.FeatureCount);
                loaded++;
            }
            catch (SpeakerProfileFormatException e)
            {
                Assert.StartsWith($"{Name}: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        }
        Assert.InRange(loaded, 1, 2999); // digits changed inside numbers still load
    }

    [Fact]
    public void Matching_a_model_checks_features_version_rate_and_length()
    {
        var model = EmotionModel.FromDefinition(TestModels.ModelA(seed: 2));
        var profile = new SpeakerProfile(193);
        var file = SpeakerProfileFile.ForModel(model, profile);
        Assert.Equal(("librosa-seed-193", 1, 16000), (file.FeatureSetId, file.ExtractorVersion, file.SampleRate));
        Assert.Null(file.Mismatch(model));
        file.EnsureMatches(model, Name);

        var other = new SpeakerProfileFile(profile, "librosa-seed-193", 2, 16000);
        var e = Assert.Throws<SpeakerProfileFormatException>(() => other.EnsureMatches(model, Name));
        Assert.Equal($"{Name}: the profile was computed from the features 'librosa-seed-193' version 2 at 16000 Hz, but model 'test-model' takes 'librosa-seed-193' version 1 at 16000 Hz", e.Message);
        Assert.NotNull(new SpeakerProfileFile(profile, "librosa-seed-193", 1, 8000).Mismatch(model));
        Assert.NotNull(new SpeakerProfileFile(profile, "mfcc-40", 1, 16000).Mismatch(model));
        Assert.Equal("the profile has 20 features, but model 'test-model' takes 193",
            new SpeakerProfileFile(new SpeakerProfile(20), "librosa-seed-193", 1, 16000).Mismatch(model));
        Assert.Throws<ArgumentException>(() => SpeakerProfileFile.ForModel(model, new SpeakerProfile(20)));
    }
}
