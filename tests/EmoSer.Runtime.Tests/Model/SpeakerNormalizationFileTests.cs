using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Model;

/// <summary>Weights files with input normalization 2 (speaker standardize): layout, round trip, and every rejection.</summary>
[Trait("Category", "unit")]
public class SpeakerNormalizationFileTests
{
    private const string Name = "m.emow";

    private static ModelFormatException Rejects(byte[] bytes) =>
        Assert.Throws<ModelFormatException>(() => EmotionModel.Load(bytes, Name));

    /// <summary>Offset of the u32 input normalization code, computed from the spec's header layout.</summary>
    private static int NormalizationOffset(ModelDefinition d)
    {
        static int Str(string s) => 2 + Encoding.UTF8.GetByteCount(s);
        int at = 32 + Str(d.Kind) + Str(d.Name) + 4 + Str(d.FeatureSetId) + 4 + 4 + 4 + 4;
        foreach (string label in d.Labels)
            at += Str(label);
        return at;
    }

    private static byte[] PatchPriorWeight(ModelDefinition d, float weight)
    {
        byte[] bytes = ModelFileWriter.Encode(d).Bytes;
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(NormalizationOffset(d) + 4), weight);
        ModelFileWriter.SealChecksum(bytes);
        return bytes;
    }

    private static byte[] RenameTensor(byte[] bytes, string from, string to)
    {
        byte[] a = Encoding.ASCII.GetBytes(from), b = Encoding.ASCII.GetBytes(to);
        Assert.Equal(a.Length, b.Length);
        int at = bytes.AsSpan().IndexOf(a);
        Assert.True(at > 0, $"'{from}' not found");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(a)); // exactly one occurrence: the tensor table entry
        b.CopyTo(bytes, at);
        ModelFileWriter.SealChecksum(bytes);
        return bytes;
    }

    [Fact]
    public void Round_trip_keeps_the_speaker_statistics_and_is_byte_stable()
    {
        var def = TestModels.SmallWithSpeaker(priorWeight: 3.25f);
        byte[] bytes = ModelFileWriter.Serialize(def);
        var back = ModelFileReader.Read(bytes, Name);
        Assert.NotNull(back.Speaker);
        Assert.Equal(3.25f, back.Speaker.PriorWeight);
        Assert.Equal(def.Speaker!.PopulationMean, back.Speaker.PopulationMean);
        Assert.Equal(def.Speaker.PopulationStd, back.Speaker.PopulationStd);
        Assert.Equal(def.InputMean, back.InputMean);
        Assert.Equal(def.InputStd, back.InputStd);
        Assert.Equal(bytes, ModelFileWriter.Serialize(back));

        var model = EmotionModel.Load(bytes, Name);
        Assert.NotNull(model.SpeakerNormalization);
        Assert.Equal(3.25f, model.SpeakerNormalization.PriorWeight);
        Assert.Equal(def.Speaker.PopulationMean, model.SpeakerNormalization.PopulationMean);
    }

    [Fact]
    public void Layout_follows_the_spec()
    {
        var def = TestModels.SmallWithSpeaker(priorWeight: 7.5f);
        var file = ModelFileWriter.Encode(def);
        int at = NormalizationOffset(def);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(file.Bytes.AsSpan(at)));
        Assert.Equal(7.5f, BinaryPrimitives.ReadSingleLittleEndian(file.Bytes.AsSpan(at + 4)));
        // Then the model card: u32 length and the JSON.
        string card = def.ModelCardJson!;
        Assert.Equal((uint)card.Length, BinaryPrimitives.ReadUInt32LittleEndian(file.Bytes.AsSpan(at + 8)));
        Assert.Equal(card, Encoding.UTF8.GetString(file.Bytes, at + 12, card.Length));
        // Tensors 0..3 are input.mean, input.std, speaker.mean, speaker.std.
        float[][] expected = [def.InputMean!, def.InputStd!, def.Speaker!.PopulationMean, def.Speaker.PopulationStd];
        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(0, file.TensorOffsets[t] % 64);
            for (int i = 0; i < 20; i++)
                Assert.Equal(expected[t][i], BinaryPrimitives.ReadSingleLittleEndian(file.Bytes.AsSpan((int)file.TensorOffsets[t] + (4 * i))));
        }
        // The descriptors name them in that order.
        var header = file.Bytes.AsSpan(0, file.HeaderLength);
        int[] names = [header.IndexOf("input.mean"u8), header.IndexOf("input.std"u8), header.IndexOf("speaker.mean"u8), header.IndexOf("speaker.std"u8)];
        Assert.True(names[0] > at && names[0] < names[1] && names[1] < names[2] && names[2] < names[3], string.Join(", ", names));
    }

    [Fact]
    public void Normalization_one_files_have_no_speaker_statistics()
    {
        var model = EmotionModel.Load(ModelFileWriter.Serialize(TestModels.Small()), Name);
        Assert.Null(model.SpeakerNormalization);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(ModelFileWriter.Encode(TestModels.Small()).Bytes.AsSpan(NormalizationOffset(TestModels.Small()))));
    }

    [Theory]
    [InlineData("speaker.mean", "speaker.meaX")]
    [InlineData("speaker.std", "speaker.stX")]
    public void Missing_speaker_tensor_is_rejected(string tensor, string renamed)
    {
        byte[] bytes = RenameTensor(ModelFileWriter.Serialize(TestModels.SmallWithSpeaker()), tensor, renamed);
        Assert.Equal($"{Name}: input normalization 2 needs the tensor '{tensor}', which is missing", Rejects(bytes).Message);
    }

    [Fact]
    public void Speaker_normalization_without_input_standardization_is_rejected()
    {
        var d = TestModels.Small();
        var def = ModelDefinitions.WithSpeaker(
            new ModelDefinition
            {
                Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
                InputLength = d.InputLength, Labels = d.Labels, ModelCardJson = d.ModelCardJson, Members = d.Members,
            },
            TestModels.RandomSpeaker(new Random(1), 20));
        Assert.Equal($"{Name}: input normalization 2 needs the tensor 'input.mean', which is missing", Rejects(ModelFileWriter.Encode(def).Bytes).Message);
        var e = Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(def));
        Assert.StartsWith("model definition: speaker normalization (2) needs the input standardization too", e.Message);
    }

    [Fact]
    public void Unknown_normalization_is_rejected()
    {
        var def = TestModels.SmallWithSpeaker();
        var file = ModelFileWriter.Encode(def);
        BinaryPrimitives.WriteUInt32LittleEndian(file.Bytes.AsSpan(NormalizationOffset(def)), 3);
        ModelFileWriter.SealChecksum(file.Bytes);
        Assert.Equal($"{Name}: unknown input normalization 3 (0 none, 1 standardize, 2 speaker standardize)", Rejects(file.Bytes).Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(1.0001e6f)]
    public void Bad_prior_weight_is_rejected(float weight)
    {
        var def = TestModels.SmallWithSpeaker();
        Assert.Equal($"{Name}: speaker prior weight {weight} is outside (0, 1000000]", Rejects(PatchPriorWeight(def, weight)).Message);
        var bad = ModelDefinitions.WithSpeaker(def, def.Speaker! with { PriorWeight = weight });
        Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(bad));
    }

    [Theory]
    [InlineData(1e6f)]
    [InlineData(1e-6f)]
    public void Prior_weight_at_the_limits_loads(float weight)
    {
        var model = EmotionModel.Load(PatchPriorWeight(TestModels.SmallWithSpeaker(), weight), Name);
        Assert.Equal(weight, model.SpeakerNormalization!.PriorWeight);
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var def = TestModels.SmallWithSpeaker();
        var sp = def.Speaker!;
        var shortMean = ModelDefinitions.WithSpeaker(def, sp with { PopulationMean = sp.PopulationMean[..19] });
        Assert.Equal($"{Name}: 'speaker.mean' has 19 values, the input has 20", Rejects(ModelFileWriter.Encode(shortMean).Bytes).Message);
        var longStd = ModelDefinitions.WithSpeaker(def, sp with { PopulationStd = [.. sp.PopulationStd, 1f] });
        Assert.Equal($"{Name}: 'speaker.std' has 21 values, the input has 20", Rejects(ModelFileWriter.Encode(longStd).Bytes).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_speaker_mean_is_rejected(float value)
    {
        var def = TestModels.SmallWithSpeaker();
        def.Speaker!.PopulationMean[3] = value;
        Assert.Equal($"{Name}: 'speaker.mean'[3] is {value}; every mean must be a finite number within ±1e18", Rejects(ModelFileWriter.Encode(def).Bytes).Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Bad_speaker_std_is_rejected(float value)
    {
        var def = TestModels.SmallWithSpeaker();
        def.Speaker!.PopulationStd[4] = value;
        Assert.Equal($"{Name}: 'speaker.std'[4] is {value}; every std must be a finite number > 0 and at most 1e18", Rejects(ModelFileWriter.Encode(def).Bytes).Message);
        Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(def));
    }

    [Fact]
    public void Random_corruption_only_ever_gives_model_format_exception()
    {
        byte[] good = ModelFileWriter.Serialize(TestModels.SmallWithSpeaker());
        var rng = new Random(12);
        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] bytes = (byte[])good.Clone();
            bytes[rng.Next(32, bytes.Length)] = (byte)rng.Next(256);
            ModelFileWriter.SealChecksum(bytes);
            try
            {
                var model = EmotionModel.Load(bytes, Name);
                model.Predict(new float[model.InputLength], new SpeakerProfile(model.InputLength));
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith($"{Name}: ", e.Message);
            }
        }
    }
}
