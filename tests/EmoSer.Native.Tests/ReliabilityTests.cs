using System.Runtime.InteropServices;
using System.Text;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Native.Tests;

/// <summary>
/// The C API's side of issue 19's reproductions, in-process through function pointers: no result is ever a
/// non-finite probability, hostile files get the status of their class with a short message of ours, and input
/// beyond the limits is refused before the work. Needs artifacts/native/linux-x64/libemoser.so.
/// </summary>
[Trait("Category", "native")]
public sealed unsafe class ReliabilityTests : IDisposable
{
    private const int Ok = 0, InvalidArgument = -2, AudioFormat = -6, ModelFormat = -7, ProfileFormat = -10;

    private readonly string _dir = Directory.CreateTempSubdirectory("emoser-native-reliability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static nint Export(string name) => LibEmoser.Export(name);

    private static string LastError() => LibEmoser.LastError();

    private static string Shipped => Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static nint LoadDefault()
    {
        var load = (delegate* unmanaged<nint*, int>)Export("emoser_model_load_default");
        nint model;
        Assert.Equal(Ok, load(&model));
        return model;
    }

    private static void Free(nint model) => ((delegate* unmanaged<nint, int>)Export("emoser_model_free"))(model);

    private static int LoadFile(string path, out nint model)
    {
        var load = (delegate* unmanaged<byte*, nint*, int>)Export("emoser_model_load_file");
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        nint m = 0;
        int status;
        fixed (byte* p = utf8)
            status = load(p, &m);
        model = m;
        return status;
    }

    private static int ClassifyFile(nint model, string path, float[] probs)
    {
        var classify = (delegate* unmanaged<nint, byte*, float*, int, int*, int>)Export("emoser_classify_file");
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = utf8)
        fixed (float* o = probs)
            return classify(model, p, o, probs.Length, null);
    }

    private static int ClassifyF32(nint model, float[] samples, int rate, float[] probs)
    {
        var classify = (delegate* unmanaged<nint, float*, long, int, int, float*, int, int*, int>)Export("emoser_classify_f32");
        fixed (float* s = samples)
        fixed (float* o = probs)
            return classify(model, s, samples.Length, rate, 1, o, probs.Length, null);
    }

    private static float[] Tone(double seconds, int rate = 16000) =>
        [.. Enumerable.Range(0, (int)(seconds * rate)).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / rate))];

    private static byte[] Wav(float[] samples, int rate, bool asFloat)
    {
        using var ms = new MemoryStream();
        EmoSer.Runtime.Audio.WavWriter.Write(ms, samples, rate, 1, asFloat ? EmoSer.Runtime.Audio.WavSampleFormat.Float32 : EmoSer.Runtime.Audio.WavSampleFormat.Pcm16);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(3e38f)]
    public void A_float_wav_with_one_huge_sample_is_an_audio_format_error_not_nan(float huge)
    {
        float[] tone = Tone(1);
        tone[8000] = huge;
        string path = Write("huge.wav", Wav(tone, 16000, asFloat: true));
        nint model = LoadDefault();
        var probs = new float[16];
        Assert.Equal(AudioFormat, ClassifyFile(model, path, probs));
        Assert.StartsWith($"{path}: sample {huge.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} at frame 8000 is beyond ±65536", LastError());
        Assert.Equal(InvalidArgument, ClassifyF32(model, tone, 16000, probs));
        Assert.StartsWith("samples[8000] is ", LastError());
        Free(model);
    }

    [Fact]
    public void A_weight_of_1e38_is_a_model_format_error_at_load()
    {
        ModelDefinition d = ModelFileReader.Read(Shipped);
        d.Members[0].Layers[0].Tensors[0].Data[0] = 1e38f;
        string path = Write("w.emow", ModelFileWriter.Encode(d).Bytes);
        Assert.Equal(ModelFormat, LoadFile(path, out _));
        Assert.Equal($"{path}: member 0 layer 0 (Conv1D): tensor 'm0.l0.weight' holds 1E+38 at index 0; weights must be finite numbers within ±1e6", LastError());
    }

    [Fact]
    public void A_model_for_another_extractor_version_is_a_model_format_error()
    {
        string path = Write("v99.emow", ModelFileWriter.Serialize(ModelDefinitions.WithExtractorVersion(ModelFileReader.Read(Shipped), 99)));
        Assert.Equal(ModelFormat, LoadFile(path, out _));
        Assert.Equal($"{path}: model 'model-a' was trained with feature extractor version 99; this runtime has version 1", LastError());
    }

    [Fact]
    public void A_malformed_model_card_gives_one_short_line()
    {
        string path = Write("card.emow", HostileInputs.WithMalformedCard(ModelFileReader.Read(Shipped)));
        Assert.Equal(ModelFormat, LoadFile(path, out _));
        Assert.Equal($"{path}: the model card is not valid JSON: unexpected 'p' at line 1, column 12", LastError());
    }

    [Fact]
    public void A_profile_with_a_mean_of_1e308_is_a_profile_format_error()
    {
        string path = Write("p.json", Encoding.UTF8.GetBytes(HostileInputs.ProfileWithMean1e308()));
        nint model = LoadDefault();
        var load = (delegate* unmanaged<nint, byte*, nint*, int>)Export("emoser_profile_load");
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        nint profile;
        fixed (byte* p = utf8)
            Assert.Equal(ProfileFormat, load(model, p, &profile));
        Assert.Equal($"{path}: \"mean\"[0] is 1E+308; every mean must be a finite number within ±1e18", LastError());
        Free(model);
    }

    [Fact]
    public void A_rate_field_of_16_hz_and_an_empty_data_chunk_are_audio_format_errors()
    {
        byte[] low = Wav(Tone(1), 16000, asFloat: false);
        BitConverter.GetBytes(16).CopyTo(low, 24);
        BitConverter.GetBytes(32).CopyTo(low, 28);
        string lowPath = Write("low.wav", low);
        string emptyPath = Write("empty.wav", Wav([], 16000, asFloat: false));
        nint model = LoadDefault();
        var probs = new float[16];
        Assert.Equal(AudioFormat, ClassifyFile(model, lowPath, probs));
        Assert.Equal($"{lowPath}: sample rate 16 Hz is below the minimum of 8000 Hz", LastError());
        Assert.Equal(AudioFormat, ClassifyFile(model, emptyPath, probs));
        Assert.Equal($"{emptyPath}: no audio samples (0 frames)", LastError());
        Free(model);
    }

    [Fact]
    public void The_maximum_duration_refuses_long_files_from_their_header_and_long_buffers()
    {
        // A valid 2 GiB WAV (18.6 h), sparse on disk: refused at once.
        string path = Path.Combine(_dir, "long.wav");
        const long DataBytes = (2L << 30) - 44;
        byte[] head = Wav([], 16000, asFloat: false);
        BitConverter.GetBytes((uint)(DataBytes + 36)).CopyTo(head, 4);
        BitConverter.GetBytes((uint)DataBytes).CopyTo(head, 40);
        using (var f = new FileStream(path, FileMode.CreateNew))
        {
            f.Write(head);
            f.SetLength(head.Length + DataBytes);
        }
        nint model = LoadDefault();
        var probs = new float[16];
        Assert.Equal(InvalidArgument, ClassifyFile(model, path, probs));
        Assert.Equal($"{path}: 18.6 h (67109 s) of audio is longer than the 600 s limit", LastError());

        var set = (delegate* unmanaged<nint, double, int>)Export("emoser_model_set_max_duration");
        var get = (delegate* unmanaged<nint, double*, int>)Export("emoser_model_max_duration");
        double seconds;
        Assert.Equal(Ok, get(model, &seconds));
        Assert.Equal(600, seconds);
        Assert.Equal(Ok, set(model, 0.5));
        Assert.Equal(InvalidArgument, ClassifyF32(model, Tone(1), 16000, probs));
        Assert.Equal("n_frames 16000 at 16000 Hz are 1 s, longer than the model handle's maximum duration of 0.5 s (emoser_model_set_max_duration)", LastError());
        Assert.Equal(Ok, set(model, 1));
        Assert.Equal(Ok, ClassifyF32(model, Tone(1), 16000, probs));
        Assert.All(probs.Take(7), p => Assert.True(float.IsFinite(p)));
        Assert.Equal(InvalidArgument, set(model, double.PositiveInfinity));
        Assert.Equal("seconds must be more than 0 and at most 86400 seconds, got Infinity", LastError());
        Free(model);
    }
}
