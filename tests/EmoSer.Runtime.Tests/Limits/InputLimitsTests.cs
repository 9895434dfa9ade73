using System.Text;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Audio;
using EmoSer.Runtime.Tests.Classification;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Tests.Limits;

/// <summary>
/// <see cref="InputLimits"/> and where each limit is applied: the maximum duration every whole-clip reader takes, the
/// minimum sample rate, the sample magnitude bound, and the bounds of what the loaders accept.
/// </summary>
[Trait("Category", "unit")]
public sealed class InputLimitsTests
{
    private static byte[] Wav16(double seconds, int rate = 16000) =>
        WavFileBuilder.Simple(1, 1, rate, 16, new byte[(int)(seconds * rate) * 2]);

    [Theory]
    [InlineData(0.1, null)]
    [InlineData(3600.0, null)]
    [InlineData(0.099, "the segment length in seconds must be a finite number of seconds of at least 0.1, got 0.099")]
    [InlineData(0.0, "the segment length in seconds must be a finite number of seconds of at least 0.1, got 0")]
    [InlineData(double.NaN, "the segment length in seconds must be a finite number of seconds of at least 0.1, got NaN")]
    [InlineData(double.PositiveInfinity, "the segment length in seconds must be a finite number of seconds of at least 0.1, got Infinity")]
    public void Segment_lengths_are_finite_and_at_least_the_minimum(double seconds, string? problem)
    {
        Assert.Equal(problem, InputLimits.SegmentLengthProblem(seconds));
        if (problem is not null)
            Assert.Equal("segment_s must" + problem["the segment length in seconds must".Length..], InputLimits.SegmentLengthProblem(seconds, "segment_s"));
    }

    [Theory]
    [InlineData(0f, -1)]
    [InlineData(65536f, -1)]
    [InlineData(-65536f, -1)]
    [InlineData(65536.01f, 3)]
    [InlineData(-1e20f, 3)]
    [InlineData(float.NaN, 3)]
    [InlineData(float.PositiveInfinity, 3)]
    [InlineData(float.NegativeInfinity, 3)]
    public void Invalid_samples_are_found_wherever_they_are(float value, int expected)
    {
        float[] samples = [0.5f, -1f, 2f, value, 0.25f];
        Assert.Equal(expected, InputLimits.IndexOfInvalidSample(samples));
        Assert.Equal(-1, InputLimits.IndexOfInvalidSample([]));
    }

    [Fact]
    public void The_maximum_duration_is_checked_from_the_header_and_is_inclusive()
    {
        byte[] wav = Wav16(3.0);
        Assert.Equal(3.0, WavReader.Read(new MemoryStream(wav), "a.wav", 3.0).DurationSeconds);
        var input = new GeneratedStream(wav, wav.Length, seekable: true);
        var e = Assert.Throws<AudioTooLongException>(() => WavReader.Read(input, "a.wav", 2.5));
        Assert.Equal("a.wav: 3 s of audio is longer than the 2.5 s limit", e.Message);
        Assert.Equal(3.0, e.DeclaredSeconds);
        Assert.Equal(2.5, e.LimitSeconds);
        Assert.Equal(44, input.BytesRead);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(86_400.5)]
    public void An_unusable_maximum_duration_is_an_argument_error(double seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WavReader.Read(new MemoryStream(Wav16(0.1)), "a.wav", seconds));
        Assert.NotNull(InputLimits.MaxDurationProblem(seconds));
    }

    [Fact]
    public void Endless_inputs_stop_at_the_limit_with_memory_for_the_limit_only()
    {
        byte[] head = new WavFileBuilder().Fmt(1, 2, 48000, 16).Data([], uint.MaxValue).RiffSize(uint.MaxValue).ToArray();
        var wav = new GeneratedStream(head, long.MaxValue, seekable: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<AudioTooLongException>(() => WavReader.Read(wav, "<stdin>", 5));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Null(e.DeclaredSeconds);
        Assert.InRange(wav.BytesRead, 5 * 48000 * 4, (5 * 48000 * 4) + (64 * 1024));
        // 5 s of stereo floats are 1.9 MB; the doubling growth may reserve up to twice that, but never more than the limit allows.
        Assert.True(allocated < 6 * 1024 * 1024, $"allocated {allocated} bytes");

        var raw = new GeneratedStream([], long.MaxValue, seekable: false);
        Assert.Throws<AudioTooLongException>(() => RawPcmReader.Read(raw, RawPcmFormat.F32Le, 8000, 1, "/dev/zero", 2));
        Assert.InRange(raw.BytesRead, 2 * 8000 * 4, (2 * 8000 * 4) + (64 * 1024));
    }

    [Fact]
    public void The_minimum_sample_rate_applies_to_raw_input_streams_and_the_classifier()
    {
        Assert.Null(InputLimits.SampleRateProblem(8000));
        Assert.Equal("sample rate 7999 Hz is below the minimum of 8000 Hz", InputLimits.SampleRateProblem(7999));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawPcmReader.Read(new MemoryStream(new byte[4]), RawPcmFormat.S16Le, 16, 1, "raw"));
        Assert.Throws<ArgumentOutOfRangeException>(() => PcmStreamReader.OpenRaw(new MemoryStream(new byte[4]), RawPcmFormat.S16Le, 16, 1, "raw"));
        var e = Assert.Throws<AudioFormatException>(() => PcmStreamReader.OpenWav(new MemoryStream(Wav16(1, 8000).AsSpan().ToArray().Select((b, i) => i is 24 or 25 ? (byte)(i == 24 ? 16 : 0) : b).ToArray()), "s.wav"));
        Assert.Equal("s.wav: sample rate 16 Hz is below the minimum of 8000 Hz", e.Message);

        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        float[] voice = ClassifierFixture.Voice(16000, 1.0, 120, 1);
        var low = Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Classify(voice, 16));
        Assert.StartsWith("sample rate 16 Hz is below the minimum of 8000 Hz", low.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Enroll(voice, 16, new SpeakerProfile(SeedFeatureExtractor.FeatureCount)));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Extract(voice, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.ClassifySegments(voice, 16, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionStream(classifier, new EmotionStreamOptions { InputSampleRate = 16 }));
    }

    [Fact]
    public void Huge_samples_are_refused_by_the_stream_reader_the_classifier_and_a_live_stream()
    {
        float[] voice = ClassifierFixture.Voice(16000, 1.0, 120, 1);
        voice[9000] = 1e20f;
        byte[] wav = WavFileBuilder.Simple(3, 1, 16000, 32, WavFileBuilder.F32(voice));
        using var reader = PcmStreamReader.OpenWav(new MemoryStream(wav), "live.wav");
        var buffer = new float[4096];
        var e = Assert.Throws<AudioFormatException>(() =>
        {
            while (reader.ReadMono(buffer) > 0)
            {
            }
        });
        Assert.Equal("live.wav: sample 1E+20 at frame 9000 is beyond ±65536 (96 dB above full scale): the features would overflow", e.Message);

        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        Assert.Throws<ArgumentException>(() => classifier.Classify(voice, 16000));
        Assert.Throws<ArgumentException>(() => classifier.Enroll(voice, 16000, new SpeakerProfile(SeedFeatureExtractor.FeatureCount)));
        var stream = new EmotionStream(classifier);
        Assert.Throws<ArgumentException>(() => stream.Push(voice));
        Assert.Equal(0, stream.PendingResults);
    }

    [Fact]
    public void The_loudest_accepted_input_still_gives_finite_features_and_a_loadable_profile()
    {
        // A square wave at the magnitude bound: the most energy samples within it can carry.
        float[] square = Enumerable.Range(0, 32000).Select(i => (i / 8 % 2 == 0 ? 1 : -1) * InputLimits.MaxSampleMagnitude).ToArray();
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        Assert.All(classifier.Classify(square, 16000).Probabilities, p => Assert.True(float.IsFinite(p)));
        var profile = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);
        Assert.True(classifier.Enroll(square, 16000, profile));
        Assert.True(classifier.Enroll(ClassifierFixture.Voice(16000, 1.0, 120, 2), 16000, profile));
        byte[] json = new SpeakerProfileFile(profile, SeedFeatureExtractor.FeatureSetId, SeedFeatureExtractor.Version, 16000).ToUtf8();
        Assert.Equal(2, SpeakerProfileFile.Parse(json, "loud.json").Profile.Count);
    }

    [Fact]
    public void Profile_statistics_out_of_bounds_are_refused_where_they_are_made()
    {
        double[] mean = [1, 2, 3], m2 = [0, 1, 2];
        Assert.Equal(2, SpeakerProfile.FromStatistics(2, mean, m2).Count);
        var e = Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(2, [1, 1.5e18, 3], m2));
        Assert.Equal("\"mean\"[1] is 1.5E+18; every mean must be a finite number within ±1e18", e.Message);
        e = Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(2, mean, [0, 2.1e36, 0]));
        Assert.StartsWith("\"m2\"[1] is 2.1E+36; every value must be a finite number >= 0 and at most count × 1e18²", e.Message);
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics((1L << 53) + 1, mean, m2));
        Assert.Throws<ArgumentException>(() => SpeakerProfile.FromStatistics(2, [double.NaN, 0, 0], m2));

        string json = $$"""{"format":"emoser-speaker-profile","version":1,"feature_set":"x","extractor_version":1,"sample_rate":16000,"count":2,"mean":[1,2],"m2":[5e36,1]}""";
        var f = Assert.Throws<SpeakerProfileFormatException>(() => SpeakerProfileFile.Parse(Encoding.UTF8.GetBytes(json), "p.json"));
        Assert.StartsWith("p.json: \"m2\"[0] is 5E+36; every value must be", f.Message);
    }

    [Fact]
    public void Weights_are_bounded_inclusively_and_standardization_tensors_in_feature_space()
    {
        var d = TestModels.Small();
        d.Members[0].Layers[0].Tensors[0].Data[0] = 1e6f;
        Assert.NotNull(EmotionModel.Load(ModelFileWriter.Serialize(d), "ok.emow"));
        d.Members[0].Layers[0].Tensors[0].Data[0] = -1.5e6f;
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(ModelFileWriter.Encode(d).Bytes, "w.emow"));
        Assert.Equal("w.emow: member 0 layer 0 (Conv1D): tensor 'm0.l0.weight' holds -1500000 at index 0; weights must be finite numbers within ±1e6", e.Message);

        d = TestModels.Small();
        d.InputMean![2] = 2e18f;
        e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(ModelFileWriter.Encode(d).Bytes, "m.emow"));
        Assert.Equal("m.emow: 'input.mean'[2] is 2E+18; every mean must be a finite number within ±1e18", e.Message);
    }

    [Fact]
    public void Predict_refuses_non_finite_features()
    {
        var model = ClassifierFixture.Model;
        float[] features = new float[SeedFeatureExtractor.FeatureCount];
        features[5] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => model.Predict(features));
        Assert.StartsWith("Feature 5 is NaN, not a finite number.", e.Message);
    }

    /// <summary>
    /// Found by the weights fuzz target (33 KB per model until its 256 MB heap ran out): a model predicted with through
    /// the pooled <see cref="EmotionModel.Predict(ReadOnlySpan{float})"/> must be collectable once dropped; a
    /// ConcurrentBag pool kept it alive from the calling thread's thread-local storage.
    /// </summary>
    [Fact]
    public void A_model_used_through_the_pooled_predict_is_collected_once_dropped()
    {
        WeakReference dropped = PredictOnceAndDrop();
        for (int i = 0; i < 3 && dropped.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(dropped.IsAlive, "the model is still referenced after it was dropped");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference PredictOnceAndDrop()
    {
        var model = EmotionModel.Load(ModelFileWriter.Serialize(TestModels.Small()), "m.emow");
        model.Predict(new float[model.InputLength]);
        return new WeakReference(model);
    }
}
