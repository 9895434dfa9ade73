using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime.IO;

namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// Writes a <see cref="ModelDefinition"/> as a weights file (docs/weights-format.md). The definition is
/// validated with the loader's rules first, so a file this writer produces always loads.
/// </summary>
public static class ModelFileWriter
{
    /// <summary>
    /// Writes the weights file atomically: to a temporary file in the same folder, flushed to disk, then renamed
    /// over <paramref name="path"/>. On failure the temporary file is removed and an existing file is untouched.
    /// </summary>
    /// <param name="definition">The model to write.</param>
    /// <param name="path">Destination file.</param>
    /// <exception cref="ArgumentException">The definition breaks a rule of the format (the message says which).</exception>
    public static void Write(ModelDefinition definition, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, Serialize(definition));
    }

    /// <summary>Writes the weights file to <paramref name="stream"/> (which is not closed).</summary>
    /// <param name="definition">The model to write.</param>
    /// <param name="stream">Destination.</param>
    /// <exception cref="ArgumentException">The definition breaks a rule of the format.</exception>
    public static void WriteTo(ModelDefinition definition, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Serialize(definition));
    }

    /// <summary>The complete weights file as bytes.</summary>
    /// <param name="definition">The model to write.</param>
    /// <exception cref="ArgumentException">The definition breaks a rule of the format.</exception>
    public static byte[] Serialize(ModelDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        try
        {
            ModelValidator.Validate(definition, "model definition");
        }
        catch (ModelFormatException e)
        {
            throw new ArgumentException(e.Message, nameof(definition), e);
        }
        return Encode(definition).Bytes;
    }

    /// <summary>
    /// Encodes without validating (tests use it to build malformed files). Returns the bytes plus where each
    /// tensor descriptor's fields are, so a test can patch one field and re-seal the CRC.
    /// </summary>
    internal static EncodedModelFile Encode(ModelDefinition definition)
    {
        var tensors = new List<TensorDefinition>();
        var names = new List<string>();
        bool standardize = definition.InputMean is not null || definition.InputStd is not null;
        if (standardize)
        {
            float[] mean = definition.InputMean ?? [], std = definition.InputStd ?? [];
            tensors.Add(new TensorDefinition(ModelFileFormat.MeanTensorName, [Math.Max(1, mean.Length)], mean.Length == 0 ? [0f] : mean));
            names.Add(ModelFileFormat.MeanTensorName);
            tensors.Add(new TensorDefinition(ModelFileFormat.StdTensorName, [Math.Max(1, std.Length)], std.Length == 0 ? [0f] : std));
            names.Add(ModelFileFormat.StdTensorName);
        }
        if (definition.Speaker is { } speaker)
        {
            float[] mean = speaker.PopulationMean ?? [], std = speaker.PopulationStd ?? [];
            tensors.Add(new TensorDefinition(ModelFileFormat.SpeakerMeanTensorName, [Math.Max(1, mean.Length)], mean.Length == 0 ? [0f] : mean));
            names.Add(ModelFileFormat.SpeakerMeanTensorName);
            tensors.Add(new TensorDefinition(ModelFileFormat.SpeakerStdTensorName, [Math.Max(1, std.Length)], std.Length == 0 ? [0f] : std));
            names.Add(ModelFileFormat.SpeakerStdTensorName);
        }

        var header = new ArrayBufferWriter<byte>(4096);
        header.Write(new byte[ModelFileFormat.FixedHeaderBytes]);
        WriteString(header, definition.Kind);
        WriteString(header, definition.Name);
        WriteU32(header, (uint)definition.SampleRate);
        WriteString(header, definition.FeatureSetId);
        WriteU32(header, (uint)definition.ExtractorVersion);
        WriteU32(header, (uint)definition.InputLength);
        WriteU32(header, (uint)definition.InputChannels);
        WriteU32(header, (uint)definition.Labels.Count);
        foreach (string label in definition.Labels)
            WriteString(header, label);
        if (definition.Speaker is not null)
        {
            WriteU32(header, ModelFileFormat.NormalizationSpeakerStandardize);
            WriteU32(header, BitConverter.SingleToUInt32Bits(definition.Speaker.PriorWeight));
        }
        else
        {
            WriteU32(header, standardize ? ModelFileFormat.NormalizationStandardize : ModelFileFormat.NormalizationNone);
        }
        // Factors need version 2, a front end or a temperature version 3; without them the file stays version 1,
        // byte for byte what older writers produced.
        IReadOnlyList<float> speedFactors = definition.TestTimeSpeedFactors ?? [];
        bool withSpeedFactors = speedFactors.Count > 0;
        bool withFrontEnd = definition.FrontEnd is not null || definition.Temperature != 1;
        uint version = withFrontEnd ? ModelFileFormat.VersionWithFrontEnd
            : withSpeedFactors ? ModelFileFormat.VersionWithSpeedFactors : ModelFileFormat.VersionWithoutSpeedFactors;
        if (version >= ModelFileFormat.VersionWithSpeedFactors)
        {
            WriteU32(header, (uint)speedFactors.Count);
            foreach (float factor in speedFactors)
                WriteU32(header, BitConverter.SingleToUInt32Bits(factor));
        }
        if (version >= ModelFileFormat.VersionWithFrontEnd)
        {
            var fe = definition.FrontEnd;
            uint flags = fe is null ? 0 : ModelFileFormat.FrontEndPresent
                | (fe.RemoveDc ? ModelFileFormat.FrontEndRemoveDc : 0)
                | (fe.TrimSilence ? ModelFileFormat.FrontEndTrim : 0)
                | (fe.NormalizeLevel ? ModelFileFormat.FrontEndLevel : 0);
            WriteU32(header, flags);
            fe ??= new Audio.FrontEndSettings();
            foreach (float v in new[] { fe.ThresholdDb, fe.FloorDbfs, fe.MarginSeconds, fe.TargetDbfs, fe.MaxGainDb, fe.NoiseFloorDb, definition.Temperature })
                WriteU32(header, BitConverter.SingleToUInt32Bits(v));
        }
        byte[] card = definition.ModelCardJson is null ? [] : Encoding.UTF8.GetBytes(definition.ModelCardJson);
        WriteU32(header, (uint)card.Length);
        header.Write(card);
        WriteU32(header, (uint)definition.Members.Count);
        for (int m = 0; m < definition.Members.Count; m++)
        {
            var layers = definition.Members[m].Layers;
            WriteU32(header, (uint)layers.Count);
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l];
                WriteU32(header, (uint)layer.Type);
                WriteU32(header, (uint)layer.Parameters.Count);
                foreach (uint p in layer.Parameters)
                    WriteU32(header, p);
                WriteU32(header, (uint)layer.Tensors.Count);
                foreach (var t in layer.Tensors)
                {
                    WriteU32(header, (uint)tensors.Count);
                    tensors.Add(t);
                    names.Add(t.Name.Contains('.', StringComparison.Ordinal) ? t.Name : $"m{m}.l{l}.{t.Name}");
                }
            }
        }
        WriteU32(header, (uint)tensors.Count);
        var offsetFields = new int[tensors.Count];
        var dimFields = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            WriteString(header, names[i]);
            WriteU32(header, ModelFileFormat.DTypeFloat32);
            WriteU32(header, (uint)tensors[i].Shape.Count);
            dimFields[i] = header.WrittenCount;
            foreach (int d in tensors[i].Shape)
                WriteU32(header, (uint)d);
            offsetFields[i] = header.WrittenCount;
            WriteU64(header, 0);
        }

        int headerLength = header.WrittenCount;
        var offsets = new long[tensors.Count];
        long end = headerLength;
        for (int i = 0; i < tensors.Count; i++)
        {
            offsets[i] = ModelFileFormat.AlignUp(end);
            end = offsets[i] + (4L * tensors[i].Data.Length);
        }
        if (end > ModelFileFormat.MaxFileBytes)
            throw new ArgumentException($"The weights file would be {end} bytes, more than the limit of {ModelFileFormat.MaxFileBytes}.", nameof(definition));

        byte[] bytes = new byte[end];
        header.WrittenSpan.CopyTo(bytes);
        for (int i = 0; i < tensors.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offsetFields[i]), (ulong)offsets[i]);
            var data = tensors[i].Data;
            var dest = bytes.AsSpan((int)offsets[i], 4 * data.Length);
            for (int j = 0; j < data.Length; j++)
                BinaryPrimitives.WriteSingleLittleEndian(dest[(4 * j)..], data[j]);
        }
        ModelFileFormat.Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)headerLength);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), (ulong)bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), 0);
        SealChecksum(bytes);
        return new EncodedModelFile(bytes, headerLength, offsetFields, dimFields, offsets);
    }

    /// <summary>Recomputes and stores the CRC-32 of bytes [32, end).</summary>
    internal static void SealChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), Crc32.Compute(bytes.AsSpan(ModelFileFormat.FixedHeaderBytes)));

    private static void WriteString(ArrayBufferWriter<byte> w, string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s ?? string.Empty);
        if (b.Length > ushort.MaxValue)
            throw new ArgumentException($"String '{s![..40]}...' is longer than {ushort.MaxValue} UTF-8 bytes.");
        BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), (ushort)b.Length);
        w.Advance(2);
        w.Write(b);
    }

    private static void WriteU32(ArrayBufferWriter<byte> w, uint v)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), v);
        w.Advance(4);
    }

    private static void WriteU64(ArrayBufferWriter<byte> w, ulong v)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), v);
        w.Advance(8);
    }
}

/// <summary>An encoded weights file and where each tensor descriptor's dims and offset fields are (for tests).</summary>
internal sealed record EncodedModelFile(byte[] Bytes, int HeaderLength, int[] OffsetFieldPositions, int[] DimsFieldPositions, long[] TensorOffsets);
