using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Native.Tests;

/// <summary>
/// The speaker profile functions of libemoser.so (emoser_profile_*, emoser_classify_*_profile), called in-process
/// through function pointers, against the managed <see cref="EmotionClassifier"/> with a managed profile.
/// </summary>
[Trait("Category", "native")]
public sealed unsafe class ProfileTests
{

    /// <summary>The shipped network with speaker normalization whose population statistics come from speakers 08..11.</summary>
    private static readonly Lazy<ModelDefinition> s_speakerModel = new(() =>
    {
        ModelDefinition shipped = ModelFileReader.Read(Path.Combine(TestData.RepoRoot, "weights", "model-a.emow"));
        return WithRate(shipped, shipped.SampleRate, SpeakerTestStatistics.Population(3, 4, "08", "09", "10", "11"));
    });

    /// <summary>The speaker-normalized test model (needs Emo-DB: call <see cref="TestData.RequireEmoDb"/> first).</summary>
    internal static ModelDefinition SpeakerModelDefinition => s_speakerModel.Value;

    private static nint Library => LibEmoser.Library;

    private static nint Export(string name) => LibEmoser.Export(name);

    private static string[] SpeakerFiles(string speaker) => SpeakerTestStatistics.SpeakerFiles(speaker);

    private static ModelDefinition WithRate(ModelDefinition d, int rate, SpeakerNormalization? speaker) => new()
    {
        Name = d.Name, SampleRate = rate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
        InputLength = d.InputLength, Labels = d.Labels,
        // The speaker standardization already gives about N(0, 1) features.
        InputMean = new float[d.InputLength], InputStd = [.. Enumerable.Repeat(1f, d.InputLength)],
        Speaker = speaker, ModelCardJson = d.ModelCardJson, Members = d.Members,
    };

    private static string LastError() => LibEmoser.LastError();

    private static nint LoadMemory(byte[] bytes)
    {
        var load = (delegate* unmanaged<byte*, long, nint*, int>)Export("emoser_model_load_memory");
        nint model;
        fixed (byte* data = bytes)
            Assert.Equal(0, load(data, bytes.Length, &model));
        return model;
    }

    private static nint LoadSpeakerModel()
    {
        _ = Library;
        TestData.RequireEmoDb();
        return LoadMemory(ModelFileWriter.Serialize(s_speakerModel.Value));
    }

    private static short[] Pcm16(AudioClip clip) => [.. clip.Interleaved.Select(v => (short)Math.Round(v * 32768f))];

    private static int AddS16(nint profile, short[] pcm, int rate, int channels, out int added)
    {
        var add = (delegate* unmanaged<nint, short*, long, int, int, int*, int>)Export("emoser_profile_add_s16");
        int a = -7;
        int status;
        fixed (short* samples = pcm)
            status = add(profile, samples, pcm.Length / channels, rate, channels, &a);
        added = a;
        return status;
    }

    private static int ClassifyS16Profile(nint model, short[] pcm, int rate, float[] probs, nint profile)
    {
        var classify = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, nint, int>)Export("emoser_classify_s16_profile");
        int top;
        fixed (short* samples = pcm)
        fixed (float* p = probs)
            return classify(model, samples, pcm.Length, rate, 1, p, probs.Length, &top, profile);
    }

    private static long Count(nint profile)
    {
        var count = (delegate* unmanaged<nint, long*, int>)Export("emoser_profile_count");
        long n;
        Assert.Equal(0, count(profile, &n));
        return n;
    }

    [Fact]
    public void A_profile_built_in_C_classifies_as_the_managed_classifier_with_the_same_profile()
    {
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        var freeProfile = (delegate* unmanaged<nint, int>)Export("emoser_profile_free");
        var freeModel = (delegate* unmanaged<nint, int>)Export("emoser_model_free");
        var managed = new EmotionClassifier(EmotionModel.FromDefinition(s_speakerModel.Value));
        string[] files = SpeakerFiles("03");
        AudioClip[] enroll = [.. files[..5].Select(f => WavReader.ReadFile(f))];
        var expectedProfile = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);

        nint profile;
        Assert.Equal(0, newProfile(model, &profile));
        Assert.Equal(0, Count(profile));
        foreach (AudioClip clip in enroll)
        {
            Assert.Equal(0, AddS16(profile, Pcm16(clip), clip.SampleRate, 1, out int added));
            Assert.Equal(1, added);
            Assert.True(managed.Enroll(clip, expectedProfile));
        }
        Assert.Equal(5, Count(profile));
        // The model may be freed: the profile keeps its own reference.
        Assert.Equal(0, freeModel(model));
        model = LoadSpeakerModel();

        var probs = new float[16];
        int compared = 0;
        foreach (string file in files[5..9])
        {
            AudioClip clip = WavReader.ReadFile(file);
            Assert.Equal(0, ClassifyS16Profile(model, Pcm16(clip), clip.SampleRate, probs, profile));
            float[] expected = managed.Classify(clip, expectedProfile).Probabilities;
            float[] population = managed.Classify(clip).Probabilities;
            for (int k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(probs[k] - expected[k]) <= 1e-5f, $"{Path.GetFileName(file)} label {k}: {probs[k]:R} vs managed {expected[k]:R}");
            if (expected.Zip(population).Any(p => Math.Abs(p.First - p.Second) > 1e-3))
                compared++;
        }
        Assert.True(compared > 0, "the profile never changed a result: the comparison would not notice a profile being ignored");

        // f32 entry points: same audio, same answer.
        var addF32 = (delegate* unmanaged<nint, float*, long, int, int, int*, int>)Export("emoser_profile_add_f32");
        var classifyF32 = (delegate* unmanaged<nint, float*, long, int, int, float*, int, int*, nint, int>)Export("emoser_classify_f32_profile");
        AudioClip last = WavReader.ReadFile(files[9]);
        int addedF32, top;
        fixed (float* samples = last.Interleaved)
        fixed (float* p = probs)
        {
            Assert.Equal(0, addF32(profile, samples, last.FrameCount, 16000, 1, &addedF32));
            Assert.Equal(0, classifyF32(model, samples, last.FrameCount, 16000, 1, p, 16, &top, profile));
        }
        Assert.Equal(1, addedF32);
        Assert.True(managed.Enroll(last, expectedProfile));
        float[] lastExpected = managed.Classify(last, expectedProfile).Probabilities;
        for (int k = 0; k < lastExpected.Length; k++)
            Assert.True(Math.Abs(probs[k] - lastExpected[k]) <= 1e-5f, $"f32 label {k}: {probs[k]:R} vs managed {lastExpected[k]:R}");
        Assert.Equal(Array.IndexOf(lastExpected, lastExpected.Max()), top);

        Assert.Equal(0, freeProfile(profile));
        Assert.Equal(0, freeModel(model));
    }

    [Fact]
    public void The_s16_and_f32_twins_agree_bit_for_bit_on_the_same_samples()
    {
        // One body per operation: 16-bit PCM and the floats it decodes to (s / 32768) must give identical profiles and
        // probabilities, also through the mix-down and resampler (44.1 kHz stereo).
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        var addF32 = (delegate* unmanaged<nint, float*, long, int, int, int*, int>)Export("emoser_profile_add_f32");
        var save = (delegate* unmanaged<nint, byte*, int>)Export("emoser_profile_save");
        var classifyS16 = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, int>)Export("emoser_classify_s16");
        var classifyF32 = (delegate* unmanaged<nint, float*, long, int, int, float*, int, int*, int>)Export("emoser_classify_f32");
        var classifyS16Profile = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, nint, int>)Export("emoser_classify_s16_profile");
        var classifyF32Profile = (delegate* unmanaged<nint, float*, long, int, int, float*, int, int*, nint, int>)Export("emoser_classify_f32_profile");
        string[] files = SpeakerFiles("16");
        var clips = new List<(short[] Pcm, float[] Floats, int Rate, int Channels)>();
        foreach (string file in files[..2])
        {
            short[] mono = Pcm16(WavReader.ReadFile(file));
            clips.Add((mono, [.. mono.Select(v => v / 32768f)], 16000, 1));
        }
        float[] up = Resampler.Resample(WavReader.ReadFile(files[2]).ToMono(), 16000, 44100);
        short[] stereo = [.. up.SelectMany(v => new[] { (short)Math.Round(v * 32767f), (short)Math.Round(v * 16000f) })];
        clips.Add((stereo, [.. stereo.Select(v => v / 32768f)], 44100, 2));

        nint viaS16, viaF32;
        Assert.Equal(0, newProfile(model, &viaS16));
        Assert.Equal(0, newProfile(model, &viaF32));
        var (probsS16, probsF32) = (new float[16], new float[16]);
        int topS16, topF32;
        foreach (var (pcm, floats, rate, channels) in clips)
        {
            long frames = pcm.Length / channels;
            Assert.Equal(0, AddS16(viaS16, pcm, rate, channels, out int addedS16));
            int addedF32;
            fixed (float* f = floats)
                Assert.Equal(0, addF32(viaF32, f, frames, rate, channels, &addedF32));
            Assert.Equal((1, 1), (addedS16, addedF32));
            fixed (short* s16 = pcm)
            fixed (float* f = floats)
            fixed (float* ps = probsS16)
            fixed (float* pf = probsF32)
            {
                Assert.Equal(0, classifyS16(model, s16, frames, rate, channels, ps, 16, &topS16));
                Assert.Equal(0, classifyF32(model, f, frames, rate, channels, pf, 16, &topF32));
                Assert.Equal(probsS16, probsF32);
                Assert.Equal(topS16, topF32);
                Assert.Equal(0, classifyS16Profile(model, s16, frames, rate, channels, ps, 16, &topS16, viaS16));
                Assert.Equal(0, classifyF32Profile(model, f, frames, rate, channels, pf, 16, &topF32, viaS16));
                Assert.Equal(probsS16, probsF32);
                Assert.Equal(topS16, topF32);
            }
        }
        string dir = Directory.CreateTempSubdirectory("emoser-native-twins-").FullName;
        try
        {
            string a = Path.Combine(dir, "s16.json"), b = Path.Combine(dir, "f32.json");
            fixed (byte* pa = System.Text.Encoding.UTF8.GetBytes(a + "\0"))
            fixed (byte* pb = System.Text.Encoding.UTF8.GetBytes(b + "\0"))
            {
                Assert.Equal(0, save(viaS16, pa));
                Assert.Equal(0, save(viaF32, pb));
            }
            Assert.Equal(3, SpeakerProfileFile.Load(a).Profile.Count);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_profile_free"))(viaS16));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_profile_free"))(viaF32));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
    }

    [Fact]
    public void Silent_utterances_are_not_added()
    {
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        nint profile;
        Assert.Equal(0, newProfile(model, &profile));
        Assert.Equal(0, AddS16(profile, new short[2 * 44100], 44100, 2, out int added));
        Assert.Equal(0, added);
        Assert.Equal(0, Count(profile));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_profile_free"))(profile));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
    }

    [Fact]
    public void A_model_without_speaker_normalization_ignores_the_profile()
    {
        _ = Library;
        TestData.RequireEmoDb();
        var classify = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, int>)Export("emoser_classify_s16");
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        // The shipped network with only the global standardization.
        nint model = LoadMemory(ModelFileWriter.Serialize(WithRate(s_speakerModel.Value, 16000, null))), profile;
        Assert.Equal(0, newProfile(model, &profile));
        string[] files = SpeakerFiles("12");
        Assert.Equal(0, AddS16(profile, Pcm16(WavReader.ReadFile(files[0])), 16000, 1, out _));
        Assert.Equal(0, AddS16(profile, Pcm16(WavReader.ReadFile(files[1])), 16000, 1, out _));
        short[] pcm = Pcm16(WavReader.ReadFile(files[2]));
        var with = new float[16];
        var without = new float[16];
        Assert.Equal(0, ClassifyS16Profile(model, pcm, 16000, with, profile));
        int top;
        fixed (short* samples = pcm)
        fixed (float* p = without)
            Assert.Equal(0, classify(model, samples, pcm.Length, 16000, 1, p, 16, &top));
        Assert.Equal(without, with);
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_profile_free"))(profile));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
    }

    [Fact]
    public void Misuse_gives_status_codes_and_messages()
    {
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        var freeProfile = (delegate* unmanaged<nint, int>)Export("emoser_profile_free");
        var count = (delegate* unmanaged<nint, long*, int>)Export("emoser_profile_count");
        short[] pcm = Pcm16(WavReader.ReadFile(SpeakerFiles("03")[0]));
        var probs = new float[16];

        Assert.Equal(-1, newProfile(model, null));
        Assert.Equal("profile_out is NULL", LastError());
        nint profile;
        Assert.Equal(-3, newProfile(0, &profile));
        Assert.Equal("model handle is NULL", LastError());
        Assert.Equal(0, newProfile(model, &profile));

        Assert.Equal(-3, ClassifyS16Profile(model, pcm, 16000, probs, 0));
        Assert.Equal("profile handle is NULL", LastError());
        Assert.Equal(-3, ClassifyS16Profile(model, pcm, 16000, probs, model));
        Assert.Equal($"0x{(ulong)model:x16} is a model handle, not a profile handle", LastError());
        Assert.Equal(-3, ClassifyS16Profile(profile, pcm, 16000, probs, profile));
        Assert.Equal($"0x{(ulong)profile:x16} is a profile handle, not a model handle", LastError());
        Assert.Equal(-4, ClassifyS16Profile(model, pcm, 16000, new float[6], profile));
        Assert.Equal("probs_len is 6 but the model has 7 labels", LastError());
        Assert.Equal(-1, count(profile, null));
        Assert.Equal("count_out is NULL", LastError());

        Assert.Equal(-2, AddS16(profile, pcm, 999, 1, out int added));
        Assert.Equal("sample_rate must be in [8000, 768000], got 999", LastError());
        Assert.Equal(-7, added); // nothing is written on failure
        var add = (delegate* unmanaged<nint, short*, long, int, int, int*, int>)Export("emoser_profile_add_s16");
        Assert.Equal(-1, add(profile, null, 10, 16000, 1, null));
        Assert.Equal("samples is NULL", LastError());
        var addF32 = (delegate* unmanaged<nint, float*, long, int, int, int*, int>)Export("emoser_profile_add_f32");
        float[] bad = [0.1f, float.NaN, 0.2f];
        fixed (float* samples = bad)
            Assert.Equal(-2, addF32(profile, samples, 3, 16000, 1, null));
        Assert.Equal("samples[1] is NaN; samples must be finite and within ±65536 (96 dB above full scale), or the features overflow", LastError());
        Assert.Equal(0, Count(profile));

        // A profile of other features (a 22050 Hz model) does not fit a 16 kHz model.
        ModelDefinition other = WithRate(s_speakerModel.Value, 22050, s_speakerModel.Value.Speaker!);
        nint otherModel = LoadMemory(ModelFileWriter.Serialize(other));
        nint otherProfile;
        Assert.Equal(0, newProfile(otherModel, &otherProfile));
        Assert.Equal(-2, ClassifyS16Profile(model, pcm, 16000, probs, otherProfile));
        Assert.Equal("the profile holds features 'librosa-seed-193' version 1 at 22050 Hz, the model takes 'librosa-seed-193' version 1 at 16000 Hz", LastError());

        Assert.Equal(0, freeProfile(profile));
        Assert.Equal(-3, freeProfile(profile));
        Assert.Equal($"profile handle 0x{(ulong)profile:x16} was already freed", LastError());
        Assert.Equal(-3, ClassifyS16Profile(model, pcm, 16000, probs, profile));
        Assert.Equal(0, freeProfile(otherProfile));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(otherModel));
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
    }

    private static int Save(nint profile, string? path)
    {
        var save = (delegate* unmanaged<nint, byte*, int>)Export("emoser_profile_save");
        if (path is null)
            return save(profile, null);
        byte[] utf8 = [.. System.Text.Encoding.UTF8.GetBytes(path), 0];
        fixed (byte* p = utf8)
            return save(profile, p);
    }

    private static int Load(nint model, string? path, out nint profile)
    {
        var load = (delegate* unmanaged<nint, byte*, nint*, int>)Export("emoser_profile_load");
        nint handle = 0x77;
        int status;
        if (path is null)
        {
            status = load(model, null, &handle);
        }
        else
        {
            byte[] utf8 = [.. System.Text.Encoding.UTF8.GetBytes(path), 0];
            fixed (byte* p = utf8)
                status = load(model, p, &handle);
        }
        profile = handle;
        return status;
    }

    [Fact]
    public void Save_writes_the_profile_file_and_load_reads_it_back()
    {
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        var freeProfile = (delegate* unmanaged<nint, int>)Export("emoser_profile_free");
        var managed = new EmotionClassifier(EmotionModel.FromDefinition(s_speakerModel.Value));
        string dir = Directory.CreateTempSubdirectory("emoser-native-profile-").FullName;
        try
        {
            string[] files = SpeakerFiles("14");
            var expected = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);
            nint profile;
            Assert.Equal(0, newProfile(model, &profile));
            foreach (string f in files[..4])
            {
                AudioClip clip = WavReader.ReadFile(f);
                Assert.Equal(0, AddS16(profile, Pcm16(clip), 16000, 1, out _));
                Assert.True(managed.Enroll(clip, expected));
            }
            string path = Path.Combine(dir, "alice.json");
            File.WriteAllText(path, "old content");
            Assert.Equal(0, Save(profile, path));
            // Atomic: the file was replaced by rename, no temporary file is left.
            Assert.Equal(["alice.json"], Directory.GetFiles(dir).Select(Path.GetFileName));

            SpeakerProfileFile saved = SpeakerProfileFile.Load(path);
            Assert.Equal(4, saved.Profile.Count);
            Assert.Equal(("librosa-seed-193", 1, 16000), (saved.FeatureSetId, saved.ExtractorVersion, saved.SampleRate));
            for (int i = 0; i < SeedFeatureExtractor.FeatureCount; i++)
            {
                double m = expected.Mean[i];
                Assert.True(Math.Abs(saved.Profile.Mean[i] - m) <= 1e-4 * Math.Max(1, Math.Abs(m)), $"mean[{i}]: {saved.Profile.Mean[i]:R} vs managed {m:R}");
            }

            Assert.Equal(0, Load(model, path, out nint loaded));
            Assert.Equal(4, Count(loaded));
            var a = new float[16];
            var b = new float[16];
            foreach (string f in files[4..7])
            {
                short[] pcm = Pcm16(WavReader.ReadFile(f));
                Assert.Equal(0, ClassifyS16Profile(model, pcm, 16000, a, profile));
                Assert.Equal(0, ClassifyS16Profile(model, pcm, 16000, b, loaded));
                Assert.Equal(a, b); // shortest round-trip numbers: the loaded statistics are the saved doubles
            }
            // A loaded profile is a normal profile: it grows and saves again.
            Assert.Equal(0, AddS16(loaded, Pcm16(WavReader.ReadFile(files[7])), 16000, 1, out int added));
            Assert.Equal(1, added);
            Assert.Equal(0, Save(loaded, path));
            Assert.Equal(5, SpeakerProfileFile.Load(path).Profile.Count);

            // An empty profile saves and loads too.
            nint empty;
            Assert.Equal(0, newProfile(model, &empty));
            string emptyPath = Path.Combine(dir, "empty.json");
            Assert.Equal(0, Save(empty, emptyPath));
            Assert.Equal(0, Load(model, emptyPath, out nint emptyLoaded));
            Assert.Equal(0, Count(emptyLoaded));
            foreach (nint h in new[] { profile, loaded, empty, emptyLoaded })
                Assert.Equal(0, freeProfile(h));
        }
        finally
        {
            Directory.Delete(dir, true);
            Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
        }
    }

    [Fact]
    public void Save_and_load_errors_give_status_codes_and_messages()
    {
        nint model = LoadSpeakerModel();
        var newProfile = (delegate* unmanaged<nint, nint*, int>)Export("emoser_profile_new");
        var freeProfile = (delegate* unmanaged<nint, int>)Export("emoser_profile_free");
        var load = (delegate* unmanaged<nint, byte*, nint*, int>)Export("emoser_profile_load");
        string dir = Directory.CreateTempSubdirectory("emoser-native-profile-").FullName;
        try
        {
            nint profile;
            Assert.Equal(0, newProfile(model, &profile));

            // save
            Assert.Equal(-1, Save(profile, null));
            Assert.Equal("path is NULL", LastError());
            Assert.Equal(-2, Save(profile, ""));
            Assert.Equal("path is empty", LastError());
            Assert.Equal(-3, Save(model, Path.Combine(dir, "x.json")));
            Assert.Equal($"0x{(ulong)model:x16} is a model handle, not a profile handle", LastError());
            string noFolder = Path.Combine(dir, "missing", "p.json");
            Assert.Equal(-5, Save(profile, noFolder));
            Assert.StartsWith($"{noFolder}: cannot write: ", LastError());
            Assert.DoesNotContain('\n', LastError());

            // load
            string missing = Path.Combine(dir, "missing.json");
            Assert.Equal(-5, Load(model, missing, out nint h));
            Assert.Equal($"{missing}: no such file", LastError());
            Assert.Equal(0x77, h); // nothing is written on failure
            Assert.Equal(-1, Load(model, null, out _));
            Assert.Equal("path is NULL", LastError());
            Assert.Equal(-2, Load(model, "", out _));
            Assert.Equal("path is empty", LastError());
            string good = Path.Combine(dir, "good.json");
            Assert.Equal(0, Save(profile, good));
            byte[] goodPath = [.. System.Text.Encoding.UTF8.GetBytes(good), 0];
            fixed (byte* p = goodPath)
            {
                Assert.Equal(-1, load(model, p, null));
                Assert.Equal("profile_out is NULL", LastError());
                nint unused;
                Assert.Equal(-3, load(profile, p, &unused));
                Assert.Equal($"0x{(ulong)profile:x16} is a profile handle, not a model handle", LastError());
            }

            string malformed = Path.Combine(dir, "bad.json");
            File.WriteAllText(malformed, File.ReadAllText(good).Replace("\"count\":0", "\"count\":-1", StringComparison.Ordinal));
            Assert.Equal(-10, Load(model, malformed, out _));
            Assert.Equal($"{malformed}: \"count\" is -1; it must be a whole number >= 0", LastError());
            File.WriteAllText(malformed, "{\"format\":\"something else\"}");
            Assert.Equal(-10, Load(model, malformed, out _));
            Assert.Equal($"{malformed}: not a speaker profile (\"format\" is \"something else\", expected \"emoser-speaker-profile\")", LastError());

            // A profile of other features than the model takes.
            string other = Path.Combine(dir, "other.json");
            new SpeakerProfileFile(new SpeakerProfile(SeedFeatureExtractor.FeatureCount), "librosa-seed-193", 1, 22050).Save(other);
            Assert.Equal(-2, Load(model, other, out _));
            Assert.Equal($"{other}: the profile was computed from the features 'librosa-seed-193' version 1 at 22050 Hz, but model '{s_speakerModel.Value.Name}' takes 'librosa-seed-193' version 1 at 16000 Hz", LastError());

            Assert.Equal(0, freeProfile(profile));
            Assert.Equal(-3, Save(profile, good));
            Assert.Equal($"profile handle 0x{(ulong)profile:x16} was already freed", LastError());
        }
        finally
        {
            Directory.Delete(dir, true);
            Assert.Equal(0, ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model));
        }
    }
}
