using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Audio;
using EmoSer.Runtime.Tests.Classification;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Limits;

/// <summary>
/// The runtime's side of each reproduction of issue 19 (a fuzzing campaign against the published binaries), written
/// against the API that existed when they were found: non-finite answers reported as success, work and memory set by
/// a header value or by endless input, and errors that were not ours or not in the file's class. Each failed before
/// the fix (see the report of the fix for the run).
/// </summary>
[Trait("Category", "unit")]
public sealed class ReproductionTests
{
    private const string Name = "input.wav";

    private static readonly Lazy<EmotionClassifier> s_shipped = new(() =>
        new EmotionClassifier(EmotionModel.Load(Path.Combine(TestData.RepoRoot, "weights", "model-a.emow"))));

    /// <summary>Two seconds of a speech-like signal at 16 kHz with one float sample set to <paramref name="huge"/>.</summary>
    private static float[] VoiceWith(float huge)
    {
        float[] voice = ClassifierFixture.Voice(16000, 2.0, 140, 3);
        voice[voice.Length / 2] = huge;
        return voice;
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(3e38f)]
    [InlineData(-1e20f)]
    public void A_float_wav_with_one_huge_sample_is_refused_naming_the_sample(float huge)
    {
        byte[] wav = WavFileBuilder.Simple(3, 1, 16000, 32, WavFileBuilder.F32(VoiceWith(huge)));
        var e = Assert.ThrowsAny<AudioFormatException>(() => WavReader.Read(new MemoryStream(wav), Name));
        Assert.Equal($"{Name}: sample {huge.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} at frame 16000 is beyond ±65536 (96 dB above full scale): the features would overflow", e.Message);
    }

    [Fact]
    public void Raw_f32_with_one_huge_sample_is_refused()
    {
        byte[] raw = WavFileBuilder.F32(VoiceWith(1e20f));
        var e = Assert.ThrowsAny<AudioFormatException>(() => RawPcmReader.Read(new MemoryStream(raw), RawPcmFormat.F32Le, 16000, 1, "upload"));
        Assert.StartsWith("upload: sample 1E+20 at frame 16000 is beyond ±65536", e.Message);
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(3e38f)]
    public void Classifying_samples_with_a_huge_value_is_refused_not_answered_with_nan(float huge)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => s_shipped.Value.Classify(VoiceWith(huge), 16000));
        Assert.StartsWith("sample ", e.Message);
        Assert.Contains("is beyond ±65536", e.Message);
    }

    [Fact]
    public void A_weight_of_1e38_with_a_consistent_crc_is_refused_at_load()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        // The first layer's weight tensor follows input.mean and input.std.
        BinaryPrimitives.WriteSingleLittleEndian(file.Bytes.AsSpan((int)file.TensorOffsets[2] + 8), 1e38f);
        ModelFileWriter.SealChecksum(file.Bytes);
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(file.Bytes, "m.emow"));
        Assert.Equal("m.emow: member 0 layer 0 (Conv1D): tensor 'm0.l0.weight' holds 1E+38 at index 2; weights must be finite numbers within ±1e6", e.Message);
    }

    [Fact]
    public void A_speaker_profile_with_a_mean_of_1e308_is_refused_at_load()
    {
        string json = HostileInputs.ProfileWithMean1e308(index: 4);
        var e = Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Parse(Encoding.UTF8.GetBytes(json), "alice.json"));
        Assert.Equal("alice.json: \"mean\"[4] is 1E+308; every mean must be a finite number within ±1e18", e.Message);
    }

    [Fact]
    public void A_sample_rate_of_16_hz_is_refused_from_the_header_before_the_samples_are_read()
    {
        byte[] head = new WavFileBuilder().Fmt(1, 1, 16, 16).Data([], 60_000).ToArray();
        var input = new GeneratedStream(head, head.Length + 60_000, seekable: true);
        var e = Assert.ThrowsAny<AudioFormatException>(() => WavReader.Read(input, Name));
        Assert.Equal($"{Name}: sample rate 16 Hz is below the minimum of 8000 Hz", e.Message);
        Assert.True(input.BytesRead <= head.Length, $"read {input.BytesRead} bytes, the header has {head.Length}");
    }

    /// <summary>660 s of 16-bit 16 kHz mono: long enough to pass the limit, short enough to end on code without one.</summary>
    private const long MoreThanTheLimit = 660L * 16000 * 2;

    [Fact]
    public void A_streaming_header_followed_by_long_data_stops_reading_at_600_seconds()
    {
        // Sizes a streaming writer leaves (0xFFFFFFFF), then the data: reading stops at the limit, not at the input's end.
        byte[] head = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data([], uint.MaxValue).RiffSize(uint.MaxValue).ToArray();
        var input = new GeneratedStream(head, head.Length + MoreThanTheLimit, seekable: false);
        var e = Assert.ThrowsAny<AudioFormatException>(() => WavReader.Read(input, "<stdin>"));
        Assert.Equal("<stdin>: the audio is longer than the 600 s limit (reading stopped there)", e.Message);
        Assert.InRange(input.BytesRead, 600L * 16000 * 2, (600L * 16000 * 2) + (128 * 1024));
    }

    [Fact]
    public void Long_raw_input_stops_reading_at_600_seconds()
    {
        var input = new GeneratedStream([], MoreThanTheLimit, seekable: false);
        var e = Assert.ThrowsAny<AudioFormatException>(() => RawPcmReader.Read(input, RawPcmFormat.S16Le, 16000, 1, "/dev/zero"));
        Assert.Equal("/dev/zero: the audio is longer than the 600 s limit (reading stopped there)", e.Message);
        Assert.InRange(input.BytesRead, 600L * 16000 * 2, (600L * 16000 * 2) + (128 * 1024));
    }

    [Fact]
    public void A_valid_file_longer_than_600_seconds_is_refused_from_its_header()
    {
        // A valid 2 GiB WAV (16-bit, 16 kHz, mono: 18.6 hours): refused before any sample is read.
        const long DataBytes = (2L << 30) - 44;
        byte[] head = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data([], (uint)DataBytes).ToArray();
        var input = new GeneratedStream(head, head.Length + DataBytes, seekable: true);
        var e = Assert.ThrowsAny<AudioFormatException>(() => WavReader.Read(input, "long.wav"));
        Assert.Equal("long.wav: 18.6 h (67109 s) of audio is longer than the 600 s limit", e.Message);
        Assert.Equal(head.Length, input.BytesRead);
    }

    [Fact]
    public void An_empty_data_chunk_is_an_error_of_the_file()
    {
        var e = Assert.ThrowsAny<AudioFormatException>(() => WavReader.Read(new MemoryStream(WavFileBuilder.Simple(1, 1, 16000, 16, [])), Name));
        Assert.Equal($"{Name}: no audio samples (0 frames)", e.Message);
    }

    [Fact]
    public void A_model_of_another_extractor_version_is_an_error_of_the_model_file()
    {
        EmotionModel model = EmotionModel.Load(ModelFileWriter.Serialize(ModelDefinitions.WithExtractorVersion(TestModels.ModelA(), 99)), "v99.emow");
        var e = Assert.Throws<ModelFormatException>(() => new EmotionClassifier(model));
        Assert.Equal("v99.emow: model 'test-model' was trained with feature extractor version 99; this runtime has version 1", e.Message);
    }

    [Fact]
    public void A_malformed_model_card_is_described_on_one_short_line()
    {
        // A card with a misspelt literal and 80 more lines: the reader's own message quoted all of it.
        byte[] bytes = HostileInputs.WithMalformedCard(TestModels.Small());
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(bytes, "m.emow"));
        Assert.Equal("m.emow: the model card is not valid JSON: unexpected 'p' at line 1, column 12", e.Message);
    }

    [Fact]
    public void A_network_that_overflows_within_its_bounds_gives_an_error_not_nan()
    {
        // Weights of 1e6 (the largest allowed) in five 193-wide dense layers: x 1.93e8 per layer overflows float.
        var dense = Enumerable.Range(0, 5).Select(_ => LayerDefinition.Dense(Enumerable.Repeat(1e6f, 193 * 193).ToArray(), new float[193], 193, 193));
        LayerDefinition[] layers =
        [
            LayerDefinition.Flatten(), .. dense,
            LayerDefinition.Dense(Enumerable.Repeat(1e6f, 7 * 193).ToArray(), new float[7], 193, 7),
            LayerDefinition.Softmax(),
        ];
        var model = EmotionModel.Load(ModelFileWriter.Serialize(TestModels.Definition(layers, 193, TestModels.EmoDbLabels, standardize: false)), "big.emow");
        var features = Enumerable.Repeat(1f, 193).ToArray();
        var e = Assert.Throws<ModelFormatException>(() => model.Predict(features));
        Assert.StartsWith("big.emow: model 'test-model' computed the probability NaN for this input", e.Message);
    }
}
