using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Runtime.Tests.Model;

/// <summary>Weights files with test-time speed factors (format version 2): layout, round trip, version 1 kept, every rejection.</summary>
[Trait("Category", "unit")]
public class SpeedFactorFileTests
{
    private const string Name = "m.emow";

    private static ModelFormatException Rejects(byte[] bytes) =>
        Assert.Throws<ModelFormatException>(() => EmotionModel.Load(bytes, Name));

    /// <summary>Offset of the u32 factor count: after the normalization code and, for normalization 2, the prior weight.</summary>
    private static int SpeedCountOffset(ModelDefinition d)
    {
        static int Str(string s) => 2 + Encoding.UTF8.GetByteCount(s);
        int at = 32 + Str(d.Kind) + Str(d.Name) + 4 + Str(d.FeatureSetId) + 4 + 4 + 4 + 4;
        foreach (string label in d.Labels)
            at += Str(label);
        return at + 4 + (d.Speaker is null ? 0 : 4);
    }

    /// <summary>The encoded <paramref name="d"/> with factor <paramref name="index"/> replaced and the CRC re-sealed.</summary>
    private static byte[] PatchFactor(ModelDefinition d, int index, float value)
    {
        byte[] bytes = ModelFileWriter.Encode(d).Bytes;
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(SpeedCountOffset(d) + 4 + (4 * index)), value);
        ModelFileWriter.SealChecksum(bytes);
        return bytes;
    }

    [Fact]
    public void Round_trip_keeps_the_factors_and_the_predictions()
    {
        var plain = TestModels.Small();
        var def = ModelDefinitions.WithSpeedFactors(plain, 0.9f, 1.1f);
        byte[] bytes = ModelFileWriter.Serialize(def);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var back = ModelFileReader.Read(bytes, Name);
        Assert.Equal([0.9f, 1.1f], back.TestTimeSpeedFactors);
        Assert.Equal(bytes, ModelFileWriter.Serialize(back));

        var model = EmotionModel.Load(bytes, Name);
        Assert.Equal([0.9f, 1.1f], model.TestTimeSpeedFactors);
        var reference = EmotionModel.Load(ModelFileWriter.Serialize(plain), Name);
        Assert.Empty(reference.TestTimeSpeedFactors);
        var rng = new Random(5);
        for (int i = 0; i < 4; i++)
        {
            float[] x = TestModels.Random(rng, 20, 2);
            float[] p = model.Predict(x);
            Assert.Equal(reference.Predict(x), p);
            Assert.Equal(EmotionModel.FromDefinition(def).Predict(x), p);
        }
    }

    [Fact]
    public void Layout_follows_the_spec()
    {
        foreach (var def in new[] { ModelDefinitions.WithSpeedFactors(TestModels.Small(), 1.1f, 0.9f, 0.8f), ModelDefinitions.WithSpeedFactors(TestModels.SmallWithSpeaker(priorWeight: 7.5f), 1.25f) })
        {
            byte[] bytes = ModelFileWriter.Encode(def).Bytes;
            int at = SpeedCountOffset(def);
            if (def.Speaker is not null)
                Assert.Equal(7.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at - 4)));
            int count = def.TestTimeSpeedFactors.Count;
            Assert.Equal((uint)count, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));
            for (int i = 0; i < count; i++)
                Assert.Equal(def.TestTimeSpeedFactors[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at + 4 + (4 * i))));
            // Then the model card: u32 length and the JSON.
            string card = def.ModelCardJson!;
            Assert.Equal((uint)card.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4 + (4 * count))));
            Assert.Equal(card, Encoding.UTF8.GetString(bytes, at + 8 + (4 * count), card.Length));
            Assert.Equal(def.TestTimeSpeedFactors, EmotionModel.Load(bytes, Name).TestTimeSpeedFactors);
        }
    }

    [Fact]
    public void Without_factors_the_writer_still_writes_version_one()
    {
        byte[] bytes = ModelFileWriter.Serialize(ModelDefinitions.WithSpeedFactors(TestModels.Small()));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(ModelFileWriter.Serialize(TestModels.Small()), bytes);
        Assert.Empty(EmotionModel.Load(bytes, Name).TestTimeSpeedFactors);

        // The shipped file (version 2, with factors) comes back byte for byte, and without its factors it is version 1.
        string shipped = Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");
        byte[] original = File.ReadAllBytes(shipped);
        var definition = ModelFileReader.Read(original, shipped);
        Assert.Equal([0.9f, 1.1f], definition.TestTimeSpeedFactors);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(original.AsSpan(8)));
        Assert.Equal(original, ModelFileWriter.Serialize(definition));
        byte[] plain = ModelFileWriter.Serialize(ModelDefinitions.WithSpeedFactors(definition));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(plain.AsSpan(8)));
        Assert.Equal(definition.Members.Count, ModelFileReader.Read(plain, shipped).Members.Count);
    }

    [Fact]
    public void A_version_two_file_without_factors_loads()
    {
        // The writer never produces it, but the layout allows S = 0: version 1's header with a zero count inserted,
        // taken from the padding before the first tensor so every tensor offset stays valid.
        var def = TestModels.Small();
        var v1 = ModelFileWriter.Encode(def);
        int header = v1.HeaderLength, at = SpeedCountOffset(def);
        Assert.True(v1.TensorOffsets[0] - header >= 4, "the test needs 4 bytes of padding after the header");
        byte[] v2 = [.. v1.Bytes[..at], 0, 0, 0, 0, .. v1.Bytes[at..header], .. v1.Bytes[(header + 4)..]];
        Assert.Equal(v1.Bytes.Length, v2.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(12), (uint)header + 4);
        ModelFileWriter.SealChecksum(v2);
        var model = EmotionModel.Load(v2, Name);
        Assert.Empty(model.TestTimeSpeedFactors);
        float[] x = TestModels.Random(new Random(3), 20, 2);
        Assert.Equal(EmotionModel.FromDefinition(def).Predict(x), model.Predict(x));
        // Re-written, it is version 1 again.
        Assert.Equal(v1.Bytes, ModelFileWriter.Serialize(ModelFileReader.Read(v2, Name)));
    }

    [Fact]
    public void Nine_factors_are_rejected()
    {
        var def = ModelDefinitions.WithSpeedFactors(TestModels.Small(), 0.9f, 1.1f);
        byte[] bytes = ModelFileWriter.Encode(def).Bytes;
        int at = SpeedCountOffset(def);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), 9);
        ModelFileWriter.SealChecksum(bytes);
        Assert.Equal($"{Name}: test-time speed factor count 9 at offset {at} is outside 0..8", Rejects(bytes).Message);

        var nine = ModelDefinitions.WithSpeedFactors(TestModels.Small(), 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.1f, 1.2f, 1.3f, 1.4f);
        Assert.Equal("model definition: test-time speed factor count 9 is outside 0..8",
            Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(nine)).Message.Split(" (Parameter")[0]);
        var eight = ModelDefinitions.WithSpeedFactors(TestModels.Small(), 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.1f, 1.2f, 2f);
        Assert.Equal(8, EmotionModel.Load(ModelFileWriter.Serialize(eight), Name).TestTimeSpeedFactors.Count);
    }

    [Theory]
    [InlineData(float.NaN, 0, "test-time speed factor 0 is NaN, outside [0.5, 2]")]
    [InlineData(float.PositiveInfinity, 1, "test-time speed factor 1 is Infinity, outside [0.5, 2]")]
    [InlineData(0.3f, 1, "test-time speed factor 1 is 0.3, outside [0.5, 2]")]
    [InlineData(2.01f, 0, "test-time speed factor 0 is 2.01, outside [0.5, 2]")]
    [InlineData(1f, 1, "test-time speed factor 1 is 1, the clip itself (which is always classified)")]
    [InlineData(0.9f, 1, "test-time speed factor 1 (0.9) repeats factor 0")]
    [InlineData(1.00001f, 1, "test-time speed factor 1 (1.00001) reads the clip at 16000 Hz, its own rate: the clip itself, which is always classified")]
    [InlineData(0.90001f, 1, "test-time speed factor 1 (0.90001) makes the same copy as factor 0 (both read the clip at 14400 Hz)")]
    public void Bad_factor_is_rejected(float value, int index, string problem)
    {
        var def = ModelDefinitions.WithSpeedFactors(TestModels.Small(), 0.9f, 1.1f);
        Assert.Equal($"{Name}: {problem}", Rejects(PatchFactor(def, index, value)).Message);
        float[] factors = [0.9f, 1.1f];
        factors[index] = value;
        var bad = ModelDefinitions.WithSpeedFactors(TestModels.Small(), factors);
        Assert.StartsWith($"model definition: {problem}", Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(bad)).Message);
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(2f)]
    public void Factors_at_the_limits_load(float factor)
    {
        var def = ModelDefinitions.WithSpeedFactors(TestModels.SmallWithSpeaker(), factor);
        Assert.Equal([factor], EmotionModel.Load(ModelFileWriter.Serialize(def), Name).TestTimeSpeedFactors);
    }

    [Fact]
    public void Random_corruption_only_ever_gives_model_format_exception()
    {
        byte[] good = ModelFileWriter.Serialize(ModelDefinitions.WithSpeedFactors(TestModels.SmallWithSpeaker(), 0.9f, 1.1f));
        var rng = new Random(11);
        int header = (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(12));
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] bytes = (byte[])good.Clone();
            bytes[rng.Next(32, header)] = (byte)rng.Next(256);
            ModelFileWriter.SealChecksum(bytes);
            try
            {
                EmotionModel.Load(bytes, Name);
            }
            catch (ModelFormatException)
            {
            }
        }
    }
}
