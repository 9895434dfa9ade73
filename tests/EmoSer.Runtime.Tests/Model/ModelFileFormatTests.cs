using System.Buffers.Binary;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Audio;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Runtime.Tests.Model;

[Trait("Category", "unit")]
public class ModelFileFormatTests
{
    private const string Name = "m.emow";

    private static ModelFormatException Rejects(byte[] bytes) =>
        Assert.Throws<ModelFormatException>(() => EmotionModel.Load(bytes, Name));

    private static void Patch32(EncodedModelFile file, int at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.Bytes.AsSpan(at), value);
        ModelFileWriter.SealChecksum(file.Bytes);
    }

    private static void Patch64(EncodedModelFile file, int at, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(file.Bytes.AsSpan(at), value);
        ModelFileWriter.SealChecksum(file.Bytes);
    }

    private static ModelDefinition WithLayers(ModelDefinition d, IReadOnlyList<LayerDefinition> layers) => new()
    {
        Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
        InputLength = d.InputLength, Labels = d.Labels, InputMean = d.InputMean, InputStd = d.InputStd,
        ModelCardJson = d.ModelCardJson, Members = [new NetworkDefinition(layers)],
    };

    [Fact]
    public void Round_trip_keeps_every_field_and_is_byte_stable()
    {
        var def = TestModels.Small();
        byte[] bytes = ModelFileWriter.Serialize(def);
        var back = ModelFileReader.Read(bytes, Name);

        Assert.Equal(def.Kind, back.Kind);
        Assert.Equal(def.Name, back.Name);
        Assert.Equal(def.SampleRate, back.SampleRate);
        Assert.Equal(def.FeatureSetId, back.FeatureSetId);
        Assert.Equal(def.ExtractorVersion, back.ExtractorVersion);
        Assert.Equal(def.InputLength, back.InputLength);
        Assert.Equal(def.InputChannels, back.InputChannels);
        Assert.Equal(def.Labels, back.Labels);
        Assert.Equal(def.InputMean, back.InputMean);
        Assert.Equal(def.InputStd, back.InputStd);
        Assert.Equal(def.ModelCardJson, back.ModelCardJson);
        var a = def.Members[0].Layers;
        var b = Assert.Single(back.Members).Layers;
        Assert.Equal(a.Count, b.Count);
        for (int l = 0; l < a.Count; l++)
        {
            Assert.Equal(a[l].Type, b[l].Type);
            Assert.Equal(a[l].Parameters, b[l].Parameters);
            Assert.Equal(a[l].Tensors.Count, b[l].Tensors.Count);
            for (int t = 0; t < a[l].Tensors.Count; t++)
            {
                Assert.Equal($"m0.l{l}.{a[l].Tensors[t].Name}", b[l].Tensors[t].Name);
                Assert.Equal(a[l].Tensors[t].Shape, b[l].Tensors[t].Shape);
                Assert.Equal(a[l].Tensors[t].Data, b[l].Tensors[t].Data);
            }
        }
        Assert.Equal(bytes, ModelFileWriter.Serialize(back));
    }

    [Fact]
    public void Layout_follows_the_spec()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        byte[] bytes = file.Bytes;
        Assert.Equal("EMOSERWF"u8.ToArray(), bytes[..8]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal((uint)file.HeaderLength, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal((ulong)bytes.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(Crc32.Compute(bytes.AsSpan(32)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.All(file.TensorOffsets, o => Assert.Equal(0, o % 64));
        Assert.True(file.TensorOffsets[0] >= file.HeaderLength);
        // input.mean comes first: its 20 floats are the standardization mean.
        var mean = TestModels.Small().InputMean!;
        Assert.Equal(mean[3], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)file.TensorOffsets[0] + 12)));
    }

    [Fact]
    public void Crc32_matches_zlib()
    {
        // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value; longer input exercises slicing-by-8.
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        Assert.Equal(0x414FA339u, Crc32.Compute("The quick brown fox jumps over the lazy dog"u8));
    }

    [Fact]
    public void Loads_from_path_stream_and_span_alike()
    {
        var def = TestModels.Small();
        string dir = Directory.CreateTempSubdirectory("emoser-model-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.emow");
            ModelFileWriter.Write(def, path);
            Assert.Equal(["m.emow"], Directory.GetFiles(dir).Select(Path.GetFileName));
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal(ModelFileWriter.Serialize(def), bytes);

            var features = TestModels.Random(new Random(3), 20, 2);
            var fromPath = EmotionModel.Load(path);
            var fromStream = EmotionModel.Load(new NonSeekableStream(bytes), "resource");
            var fromSpan = EmotionModel.Load(bytes.AsSpan(), "span");
            Assert.Equal(fromPath.Predict(features), fromStream.Predict(features));
            Assert.Equal(fromPath.Predict(features), fromSpan.Predict(features));
            Assert.Equal("test-model", fromPath.Name);
            Assert.Equal(["a", "b", "c"], fromPath.Labels);
            Assert.Equal(16000, fromPath.SampleRate);
            Assert.Equal("librosa-seed-193", fromPath.FeatureSetId);
            Assert.Equal(1, fromPath.ExtractorVersion);
            Assert.Equal(20, fromPath.InputLength);
            Assert.Equal(1, fromPath.InputChannels);
            Assert.Equal("{\"name\":\"test\"}", fromPath.ModelCardJson);
            Assert.Equal(1, fromPath.MemberCount);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Streams_of_any_kind_load_the_same_model()
    {
        var def = TestModels.ModelA(seed: 4);
        byte[] bytes = ModelFileWriter.Serialize(def); // ~1 MB: the non-seekable buffer has to grow several times
        var x = TestModels.Random(new Random(2), 193, 2);
        var expected = EmotionModel.Load(bytes, "span").Predict(x);
        Assert.Equal(expected, EmotionModel.Load(new NonSeekableStream(bytes, maxRead: 999), "pipe").Predict(x));
        var seekable = new MemoryStream([.. "prefix"u8.ToArray(), .. bytes]) { Position = 6 };
        Assert.Equal(expected, EmotionModel.Load(seekable, "memory").Predict(x));
        using (var writer = new MemoryStream())
        {
            ModelFileWriter.WriteTo(def, writer);
            Assert.Equal(bytes, writer.ToArray());
        }
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(new NonSeekableStream(bytes[..5000], maxRead: 333), "pipe"));
        Assert.Equal($"pipe: truncated: the header declares {bytes.Length} bytes but there are only 5000", e.Message);
    }

    [Fact]
    public void Writer_refuses_an_invalid_definition_and_leaves_no_file()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.Where(l => l.Type != LayerType.Softmax).ToArray();
        string dir = Directory.CreateTempSubdirectory("emoser-model-").FullName;
        try
        {
            var e = Assert.Throws<ArgumentException>(() => ModelFileWriter.Write(WithLayers(def, layers), Path.Combine(dir, "x.emow")));
            Assert.StartsWith("model definition: member 0: the last layer is Dense, it must be Softmax", e.Message);
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Missing_file_is_a_model_format_exception()
    {
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.emow");
        var e = Assert.Throws<ModelFormatException>(() => EmotionModel.Load(path));
        Assert.StartsWith($"{path}: cannot read the file: ", e.Message);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        byte[] bytes = ModelFileWriter.Serialize(TestModels.Small());
        Assert.InRange(bytes.Length, 1000, 4000);
        for (int n = 0; n < bytes.Length; n++)
        {
            var e = Rejects(bytes[..n]);
            string expected = n < 32
                ? $"{Name}: truncated: {n} bytes, shorter than the 32-byte fixed header"
                : $"{Name}: truncated: the header declares {bytes.Length} bytes but there are only {n}";
            Assert.Equal(expected, e.Message);
        }
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        byte[] bytes = [.. ModelFileWriter.Serialize(TestModels.Small()), 0];
        Assert.Equal($"{Name}: 1 unexpected bytes after the declared end of the file at {bytes.Length - 1}", Rejects(bytes).Message);
    }

    [Fact]
    public void Wrong_magic_is_rejected()
    {
        Assert.Equal($"{Name}: not an EmoSer weights file (the magic is not 'EMOSERWF')", Rejects("RIFF\0\0\0\0WAVEfmt "u8.ToArray()).Message);
        byte[] bytes = ModelFileWriter.Serialize(TestModels.Small());
        bytes[7] = (byte)'X';
        Assert.Equal($"{Name}: not an EmoSer weights file (the magic is not 'EMOSERWF')", Rejects(bytes).Message);
    }

    [Fact]
    public void Wrong_version_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch32(file, 8, 4);
        Assert.Equal($"{Name}: unsupported format version 4 (this runtime reads versions 1 to 3)", Rejects(file.Bytes).Message);
        Patch32(file, 8, 0);
        Assert.Equal($"{Name}: unsupported format version 0 (this runtime reads versions 1 to 3)", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Wrong_checksum_is_rejected()
    {
        byte[] bytes = ModelFileWriter.Serialize(TestModels.Small());
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24));
        bytes[^5] ^= 0x10; // one bit of the last tensor
        uint computed = Crc32.Compute(bytes.AsSpan(32));
        Assert.NotEqual(stored, computed);
        Assert.Equal($"{Name}: CRC-32 mismatch: stored 0x{stored:X8}, computed 0x{computed:X8} (the file is corrupt)", Rejects(bytes).Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch32(file, 12, (uint)file.Bytes.Length + 1);
        Assert.Equal($"{Name}: header length {file.Bytes.Length + 1} is outside 32..{file.Bytes.Length}", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Shape_beyond_the_end_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        // Tensor 16 is the Dense weight (3, 20); make it (3, 2000000).
        Patch32(file, file.DimsFieldPositions[16] + 4, 2_000_000);
        Assert.Equal($"{Name}: tensor 16 'm0.l12.weight': shape (3, 2000000) needs 24000000 bytes, more than the whole file ({file.Bytes.Length})",
            Rejects(file.Bytes).Message);

        file = ModelFileWriter.Encode(TestModels.Small());
        // The last tensor, bias (3), as (4): fits in the file but runs past its end from where it lies.
        Patch32(file, file.DimsFieldPositions[17], 4);
        long offset = file.TensorOffsets[17];
        Assert.Equal($"{Name}: tensor 17 'm0.l12.bias': data at {offset}..{offset + 16} runs past the end of the file ({file.Bytes.Length})",
            Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Huge_dimensions_do_not_overflow()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch32(file, file.DimsFieldPositions[16], uint.MaxValue);
        Patch32(file, file.DimsFieldPositions[16] + 4, uint.MaxValue);
        Assert.StartsWith($"{Name}: tensor 16 'm0.l12.weight': shape (2147483647, 2147483647) needs ", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Offset_beyond_the_end_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        ulong beyond = (ulong)ModelFileFormatAlign(file.Bytes.Length);
        Patch64(file, file.OffsetFieldPositions[17], beyond);
        Assert.Equal($"{Name}: tensor 17 'm0.l12.bias': data at {beyond}..{beyond + 12} runs past the end of the file ({file.Bytes.Length})",
            Rejects(file.Bytes).Message);
    }

    private static long ModelFileFormatAlign(long v) => (v + 63) / 64 * 64;

    [Fact]
    public void Offset_inside_the_header_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch64(file, file.OffsetFieldPositions[2], 64);
        Assert.Equal($"{Name}: tensor 2 'm0.l0.weight': offset 64 lies inside the header (which ends at {file.HeaderLength})", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch64(file, file.OffsetFieldPositions[9], (ulong)file.TensorOffsets[8]);
        long o = file.TensorOffsets[8];
        Assert.Equal($"{Name}: tensor 9 'm0.l3.bias' at {o} overlaps tensor 8 'm0.l3.weight' ({o}..{o + (5 * 3 * 3 * 4)})", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Unaligned_offset_is_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        long o = file.TensorOffsets[5] + 4;
        Patch64(file, file.OffsetFieldPositions[5], (ulong)o);
        Assert.Equal($"{Name}: tensor 5 'm0.l1.beta': offset {o} is not a multiple of 64", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Unknown_dtype_and_rank_are_rejected()
    {
        var file = ModelFileWriter.Encode(TestModels.Small());
        Patch32(file, file.DimsFieldPositions[3] - 8, 2);
        Assert.Equal($"{Name}: tensor 3 'm0.l0.bias': unknown dtype 2 (1 = float32)", Rejects(file.Bytes).Message);
        file = ModelFileWriter.Encode(TestModels.Small());
        Patch32(file, file.DimsFieldPositions[3] - 4, 0);
        Assert.Equal($"{Name}: tensor 3 'm0.l0.bias': rank 0 is outside 1..4", Rejects(file.Bytes).Message);
    }

    [Fact]
    public void Batch_norm_not_after_conv_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        (layers[1], layers[2]) = (layers[2], layers[1]); // Conv, ReLU, BatchNorm
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 2 (BatchNorm): must directly follow a Conv1D (it is folded into it), but follows ReLU", e.Message);
    }

    [Fact]
    public void Softmax_not_last_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        (layers[^1], layers[^2]) = (layers[^2], layers[^1]); // ..., Flatten, Softmax, Dense
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 12 (Softmax): must be the last layer, but 1 layer(s) follow it", e.Message);
    }

    [Fact]
    public void Dense_before_flatten_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        (layers[11], layers[12]) = (layers[12], layers[11]); // ..., Dense, Flatten, Softmax
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 11 (Dense): needs a flattened input (add Flatten before it), got (5, 4)", e.Message);
    }

    [Fact]
    public void Wrong_last_dense_width_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        var rng = new Random(5);
        layers[12] = LayerDefinition.Dense(TestModels.Random(rng, 4 * 20), TestModels.Random(rng, 4), 20, 4);
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 12 (Dense): the last Dense has 4 outputs but the model has 3 labels", e.Message);
    }

    [Fact]
    public void Conv_channel_mismatch_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        var rng = new Random(5);
        layers[3] = LayerDefinition.Conv1D(TestModels.Random(rng, 5 * 4 * 3), TestModels.Random(rng, 5), 4, 5, 3);
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 3 (Conv1D): has 4 input channels but its input is (20, 3)", e.Message);
    }

    [Fact]
    public void Tensor_shape_not_matching_the_params_is_rejected()
    {
        var def = TestModels.Small();
        var layers = def.Members[0].Layers.ToList();
        var conv = layers[0];
        layers[0] = new LayerDefinition(LayerType.Conv1D, [1, 3, 3, 0, 1],
            [new TensorDefinition("weight", [3, 3, 1], conv.Tensors[0].Data), conv.Tensors[1]]);
        var e = Rejects(ModelFileWriter.Encode(WithLayers(def, layers)).Bytes);
        Assert.Equal($"{Name}: member 0 layer 0 (Conv1D): tensor 0 'm0.l0.weight' has shape (3, 3, 1), expected (3, 1, 3)", e.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Non_positive_std_is_rejected(float std)
    {
        var def = TestModels.Small();
        def.InputStd![5] = std;
        var e = Rejects(ModelFileWriter.Encode(def).Bytes);
        Assert.Equal($"{Name}: 'input.std'[5] is {std}; every std must be a finite number > 0 and at most 1e18", e.Message);
    }

    [Fact]
    public void Non_finite_weight_is_rejected()
    {
        var def = TestModels.Small();
        def.Members[0].Layers[3].Tensors[0].Data[7] = float.PositiveInfinity;
        var e = Rejects(ModelFileWriter.Encode(def).Bytes);
        Assert.Equal($"{Name}: member 0 layer 3 (Conv1D): tensor 'm0.l3.weight' holds Infinity at index 7; weights must be finite numbers within ±1e6", e.Message);
    }

    [Fact]
    public void Invalid_model_card_is_rejected()
    {
        var d = TestModels.Small();
        var def = new ModelDefinition
        {
            Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
            InputLength = d.InputLength, Labels = d.Labels, InputMean = d.InputMean, InputStd = d.InputStd,
            ModelCardJson = "{\"a\": ", Members = d.Members,
        };
        Assert.StartsWith($"{Name}: the model card is not valid JSON: ", Rejects(ModelFileWriter.Encode(def).Bytes).Message);
    }

    [Fact]
    public void Duplicate_labels_are_rejected()
    {
        var d = TestModels.Small();
        var def = new ModelDefinition
        {
            Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
            InputLength = d.InputLength, Labels = ["a", "b", "a"], InputMean = d.InputMean, InputStd = d.InputStd, Members = d.Members,
        };
        Assert.Equal($"{Name}: label 'a' appears twice", Rejects(ModelFileWriter.Encode(def).Bytes).Message);
    }

    [Fact]
    public void Random_corruption_only_ever_gives_model_format_exception()
    {
        byte[] good = ModelFileWriter.Serialize(TestModels.Small());
        var rng = new Random(11);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] bytes = (byte[])good.Clone();
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
                bytes[rng.Next(32, bytes.Length)] = (byte)rng.Next(256);
            ModelFileWriter.SealChecksum(bytes); // get past the CRC so the structural checks are exercised
            try
            {
                var model = EmotionModel.Load(bytes, Name);
                model.Predict(new float[model.InputLength * model.InputChannels]);
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith($"{Name}: ", e.Message);
            }
        }
    }
}
