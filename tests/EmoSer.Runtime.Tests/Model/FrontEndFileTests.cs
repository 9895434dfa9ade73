using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Runtime.Tests.Model;

/// <summary>Weights files with a front end and a temperature (format version 3): layout, round trip, older versions kept, rejections.</summary>
[Trait("Category", "unit")]
public class FrontEndFileTests
{
    private const string Name = "m.emow";

    private static readonly FrontEndSettings Shipped = new()
    {
        RemoveDc = true, TrimSilence = true, NormalizeLevel = true, ThresholdDb = 40, FloorDbfs = -70, MarginSeconds = 0.05f,
        TargetDbfs = -20, MaxGainDb = 50, NoiseFloorDb = 45,
    };

    /// <summary>Offset of the u32 front end flags: after the speed factor block of <paramref name="d"/>.</summary>
    private static int FlagsOffset(ModelDefinition d)
    {
        static int Str(string s) => 2 + Encoding.UTF8.GetByteCount(s);
        int at = 32 + Str(d.Kind) + Str(d.Name) + 4 + Str(d.FeatureSetId) + 4 + 4 + 4 + 4;
        foreach (string label in d.Labels)
            at += Str(label);
        at += 4 + (d.Speaker is null ? 0 : 4);
        return at + 4 + (4 * d.TestTimeSpeedFactors.Count);
    }

    private static byte[] Patch(ModelDefinition d, int offsetFromFlags, uint value)
    {
        byte[] bytes = ModelFileWriter.Encode(d).Bytes;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FlagsOffset(d) + offsetFromFlags), value);
        ModelFileWriter.SealChecksum(bytes);
        return bytes;
    }

    [Fact]
    public void Round_trip_keeps_front_end_and_temperature()
    {
        var def = ModelDefinitions.WithFrontEnd(ModelDefinitions.WithSpeedFactors(TestModels.SmallWithSpeaker(), 0.9f, 1.1f), Shipped, 1.75f);
        byte[] bytes = ModelFileWriter.Serialize(def);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var back = ModelFileReader.Read(bytes, Name);
        Assert.Equal(Shipped, back.FrontEnd);
        Assert.Equal(1.75f, back.Temperature);
        Assert.Equal([0.9f, 1.1f], back.TestTimeSpeedFactors);
        Assert.Equal(bytes, ModelFileWriter.Serialize(back));
        var model = EmotionModel.Load(bytes, Name);
        Assert.Equal(Shipped, model.FrontEnd);
        Assert.Equal(1.75f, model.Temperature);
    }

    [Fact]
    public void Layout_follows_the_spec()
    {
        var def = ModelDefinitions.WithFrontEnd(TestModels.Small(), Shipped with { RemoveDc = false }, 2f);
        byte[] bytes = ModelFileWriter.Encode(def).Bytes;
        int at = FlagsOffset(def);
        // Version 3 always holds the speed factor count (0 here) right before the flags.
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at - 4)));
        Assert.Equal(8u | 2u | 4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));
        float[] values = [40, -70, 0.05f, -20, 50, 45, 2];
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(values[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at + 4 + (4 * i))));
        string card = def.ModelCardJson!;
        Assert.Equal((uint)card.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 32)));
    }

    [Fact]
    public void Older_versions_are_written_when_nothing_needs_version_three()
    {
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(ModelFileWriter.Serialize(TestModels.Small()).AsSpan(8)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(ModelFileWriter.Serialize(ModelDefinitions.WithSpeedFactors(TestModels.Small(), 1.1f)).AsSpan(8)));
        // A temperature alone needs version 3, with no front end (flags 0).
        byte[] tempered = ModelFileWriter.Serialize(ModelDefinitions.WithFrontEnd(TestModels.Small(), null, 0.5f));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(tempered.AsSpan(8)));
        var back = ModelFileReader.Read(tempered, Name);
        Assert.Null(back.FrontEnd);
        Assert.Equal(0.5f, back.Temperature);
        // Version 1 and 2 files read as "no front end, temperature 1".
        var v1 = ModelFileReader.Read(ModelFileWriter.Serialize(TestModels.Small()), Name);
        Assert.Null(v1.FrontEnd);
        Assert.Equal(1f, v1.Temperature);
    }

    [Fact]
    public void The_shipped_EmoDb_model_still_loads_without_a_front_end()
    {
        string path = Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");
        byte[] original = File.ReadAllBytes(path);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(original.AsSpan(8)));
        var model = EmotionModel.Load(original, path);
        Assert.Null(model.FrontEnd);
        Assert.Equal(1f, model.Temperature);
    }

    [Fact]
    public void Temperature_divides_the_logits()
    {
        // softmax(z / T): log-probability differences shrink by T, the arg-max stays.
        var plain = TestModels.Small();
        var cold = EmotionModel.FromDefinition(plain);
        var warm = EmotionModel.Load(ModelFileWriter.Serialize(ModelDefinitions.WithFrontEnd(plain, null, 2.5f)), Name);
        var rng = new Random(11);
        for (int n = 0; n < 5; n++)
        {
            float[] x = TestModels.Random(rng, 20, 2);
            float[] p = cold.Predict(x), q = warm.Predict(x);
            for (int i = 1; i < p.Length; i++)
                Assert.Equal(Math.Log(p[i] / p[0]) / 2.5, Math.Log(q[i] / q[0]), 4);
            Assert.Equal(Array.IndexOf(p, p.Max()), Array.IndexOf(q, q.Max()));
        }
    }

    [Theory]
    [InlineData(0, 16u, "unknown front end flags 0x00000010 (known: 0xF)")]
    [InlineData(0, 2u, "front end flags 0x00000002 set steps without the 'present' bit 0x8")]
    [InlineData(4, 0x7FC00000u, "front end threshold NaN dB is outside (0, 120]")]
    [InlineData(8, 0x42C80000u, "front end floor 100 dBFS is outside [-150, 0]")]
    [InlineData(12, 0x40000000u, "front end margin 2 s is outside [0, 1]")]
    [InlineData(16, 0x3F800000u, "front end target level 1 dBFS is outside [-60, 0]")]
    [InlineData(20, 0xC0000000u, "front end maximum gain -2 dB is outside [0, 100]")]
    [InlineData(24, 0x40A00000u, "front end noise floor 5 dB is neither 0 (off) nor in [10, 120]")]
    [InlineData(28, 0u, "temperature 0 is outside [0.05, 20]")]
    [InlineData(28, 0x7F800000u, "temperature Infinity is outside [0.05, 20]")]
    public void Bad_front_end_fields_are_rejected(int offsetFromFlags, uint value, string problem)
    {
        var def = ModelDefinitions.WithFrontEnd(TestModels.Small(), Shipped, 1.5f);
        Assert.Equal($"{Name}: {problem}", Assert.Throws<ModelFormatException>(() => EmotionModel.Load(Patch(def, offsetFromFlags, value), Name)).Message);
    }

    [Fact]
    public void The_writer_refuses_bad_settings()
    {
        var bad = ModelDefinitions.WithFrontEnd(TestModels.Small(), Shipped with { ThresholdDb = -3 });
        Assert.StartsWith("model definition: front end threshold -3 dB is outside (0, 120]",
            Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(bad)).Message);
        var hot = ModelDefinitions.WithFrontEnd(TestModels.Small(), null, 21);
        Assert.StartsWith("model definition: temperature 21 is outside [0.05, 20]",
            Assert.Throws<ArgumentException>(() => ModelFileWriter.Serialize(hot)).Message);
    }
}
