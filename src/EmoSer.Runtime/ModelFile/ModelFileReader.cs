using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// Reads and validates a weights file (docs/weights-format.md) into a <see cref="ModelDefinition"/>. Every count,
/// string, shape and offset is checked against the header or file length before it is used, so a malformed file
/// gives a <see cref="ModelFormatException"/>, never an out-of-range read or an allocation larger than the file.
/// </summary>
public static class ModelFileReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a weights file from disk.</summary>
    /// <param name="path">The file; also the name used in error messages.</param>
    /// <exception cref="ModelFormatException">The file is malformed or unreadable.</exception>
    public static ModelDefinition Read(string path) => WithFileBytes(path, static (data, name) => Read(data, name));

    /// <summary>Reads a weights file held in memory.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="inputName">Name for error messages (e.g. a resource name).</param>
    /// <exception cref="ModelFormatException">The data is malformed.</exception>
    public static ModelDefinition Read(ReadOnlySpan<byte> data, string inputName) => ReadValidated(data, inputName).Definition;

    /// <summary>
    /// Calls <paramref name="use"/> with the whole file's bytes, held in native memory that is freed when it returns:
    /// the file is garbage as soon as it is parsed, and a megabyte-sized array would count against the GC's
    /// large-object budget and bring a full collection into a one-shot command's start-up. A file that is not a
    /// regular file of known length (a pipe, an empty file) is read to its end as <see cref="ReadAllBytes(Stream, string)"/> reads a stream.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is unreadable or beyond <see cref="ModelFileFormat.MaxFileBytes"/>; or what <paramref name="use"/> throws.</exception>
    internal static unsafe T WithFileBytes<T>(string path, Func<ReadOnlySpan<byte>, string, T> use)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(use);
        byte* buffer = null;
        int filled = 0;
        byte[]? unsized = null;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            long length = RandomAccess.GetLength(handle);
            if (length > ModelFileFormat.MaxFileBytes)
                throw new ModelFormatException(path, $"{length} bytes is larger than the {ModelFileFormat.MaxFileBytes}-byte limit for a weights file");
            if (length <= 0)
            {
                using var stream = new FileStream(handle, FileAccess.Read, 1);
                unsized = ReadAllBytes(stream, path);
            }
            else
            {
                buffer = (byte*)NativeMemory.Alloc((nuint)length);
                var span = new Span<byte>(buffer, (int)length);
                // A file that shrank while being read is parsed as far as it was read: its checks report the truncation.
                while (filled < span.Length)
                {
                    int n = RandomAccess.Read(handle, span[filled..], filled);
                    if (n == 0)
                        break;
                    filled += n;
                }
            }
        }
        catch (Exception e)
        {
            NativeMemory.Free(buffer);
            if (e is IOException or UnauthorizedAccessException)
                throw new ModelFormatException(path, $"cannot read the file: {ErrorText.Describe(e)}", e);
            throw;
        }
        try
        {
            return unsized is not null ? use(unsized, path) : use(new ReadOnlySpan<byte>(buffer, filled), path);
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>
    /// Reads a stream to its end. The buffer grows with the bytes actually read (never from a header value) and
    /// stops at <see cref="ModelFileFormat.MaxFileBytes"/>.
    /// </summary>
    internal static byte[] ReadAllBytes(Stream stream, string inputName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long known = -1;
        if (stream.CanSeek)
        {
            known = stream.Length - stream.Position;
            if (known > ModelFileFormat.MaxFileBytes)
                throw new ModelFormatException(inputName, $"{known} bytes is larger than the {ModelFileFormat.MaxFileBytes}-byte limit for a weights file");
        }
        byte[] buffer = new byte[known >= 0 ? Math.Max(known, 1) : 64 * 1024];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                // Full: probe one byte before growing, so an exactly sized buffer is not doubled at the end.
                int probe = stream.ReadByte();
                if (probe < 0)
                    break;
                if (buffer.Length >= ModelFileFormat.MaxFileBytes)
                    throw new ModelFormatException(inputName, $"the stream is larger than the {ModelFileFormat.MaxFileBytes}-byte limit for a weights file");
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, ModelFileFormat.MaxFileBytes));
                buffer[filled++] = (byte)probe;
                continue;
            }
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
                break;
            filled += n;
        }
        if (filled != buffer.Length)
            Array.Resize(ref buffer, filled);
        return buffer;
    }

    internal static (ModelDefinition Definition, ActivationShape[][] Shapes) ReadValidated(ReadOnlySpan<byte> data, string inputName)
    {
        ArgumentNullException.ThrowIfNull(inputName);
        var definition = Parse(data, inputName);
        return (definition, ModelValidator.Validate(definition, inputName));
    }

    private static ModelDefinition Parse(ReadOnlySpan<byte> data, string name)
    {
        void Fail(string problem) => throw new ModelFormatException(name, problem);

        var magic = ModelFileFormat.Magic;
        int magicBytes = Math.Min(magic.Length, data.Length);
        if (!data[..magicBytes].SequenceEqual(magic[..magicBytes]))
            Fail($"not an EmoSer weights file (the magic is not '{Encoding.ASCII.GetString(magic)}')");
        if (data.Length < ModelFileFormat.FixedHeaderBytes)
            Fail($"truncated: {data.Length} bytes, shorter than the {ModelFileFormat.FixedHeaderBytes}-byte fixed header");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (version is < ModelFileFormat.VersionWithoutSpeedFactors or > ModelFileFormat.VersionWithFrontEnd)
            Fail($"unsupported format version {version} (this runtime reads versions {ModelFileFormat.VersionWithoutSpeedFactors} to {ModelFileFormat.VersionWithFrontEnd})");
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        ulong fileLength = BinaryPrimitives.ReadUInt64LittleEndian(data[16..]);
        if (fileLength > (ulong)data.Length)
            Fail($"truncated: the header declares {fileLength} bytes but there are only {data.Length}");
        if (fileLength < (ulong)data.Length)
            Fail($"{(ulong)data.Length - fileLength} unexpected bytes after the declared end of the file at {fileLength}");
        if (headerLength < ModelFileFormat.FixedHeaderBytes || headerLength > (ulong)data.Length)
            Fail($"header length {headerLength} is outside {ModelFileFormat.FixedHeaderBytes}..{data.Length}");
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(data[24..]);
        uint crc = Crc32.Compute(data[ModelFileFormat.FixedHeaderBytes..]);
        if (crc != storedCrc)
            Fail($"CRC-32 mismatch: stored 0x{storedCrc:X8}, computed 0x{crc:X8} (the file is corrupt)");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(data[28..]);
        if (flags != 0)
            Fail($"unknown flags 0x{flags:X8} (versions 1 to 3 define none)");

        var r = new HeaderCursor(data[..(int)headerLength], ModelFileFormat.FixedHeaderBytes, name);
        string kind = r.String("model kind");
        string modelName = r.String("model name");
        uint sampleRate = r.U32("sample rate");
        string featureSet = r.String("feature set id");
        uint extractorVersion = r.U32("extractor version");
        uint inputLength = r.U32("input length");
        uint inputChannels = r.U32("input channels");
        int labelCount = r.Count("label count", 1, ModelFileFormat.MaxLabels, minBytesEach: 2);
        var labels = new string[labelCount];
        for (int i = 0; i < labelCount; i++)
            labels[i] = r.String($"label {i}");
        uint normalization = r.U32("input normalization");
        if (normalization > ModelFileFormat.NormalizationSpeakerStandardize)
            Fail($"unknown input normalization {normalization} (0 none, 1 standardize, 2 speaker standardize)");
        float priorWeight = normalization == ModelFileFormat.NormalizationSpeakerStandardize
            ? BitConverter.UInt32BitsToSingle(r.U32("speaker prior weight")) : 0f;
        var speedFactors = Array.Empty<float>();
        if (version >= ModelFileFormat.VersionWithSpeedFactors)
        {
            // Only the count is checked here (it sizes an array); the values are checked by ModelValidator, as the writer's are.
            int speedCount = r.Count("test-time speed factor count", 0, ModelFileFormat.MaxSpeedFactors, minBytesEach: 4);
            speedFactors = new float[speedCount];
            for (int i = 0; i < speedCount; i++)
                speedFactors[i] = BitConverter.UInt32BitsToSingle(r.U32($"test-time speed factor {i}"));
        }
        EmoSer.Runtime.Audio.FrontEndSettings? frontEnd = null;
        float temperature = 1;
        if (version >= ModelFileFormat.VersionWithFrontEnd)
        {
            uint frontEndFlags = r.U32("front end flags");
            if ((frontEndFlags & ~ModelFileFormat.FrontEndKnownFlags) != 0)
                Fail($"unknown front end flags 0x{frontEndFlags:X8} (known: 0x{ModelFileFormat.FrontEndKnownFlags:X})");
            var values = new float[7];
            string[] names = ["front end threshold", "front end floor", "front end margin", "front end target level", "front end maximum gain", "front end noise floor", "temperature"];
            for (int i = 0; i < values.Length; i++)
                values[i] = BitConverter.UInt32BitsToSingle(r.U32(names[i]));
            // The values are checked by ModelValidator, as the writer's are.
            if ((frontEndFlags & ModelFileFormat.FrontEndPresent) != 0)
            {
                frontEnd = new EmoSer.Runtime.Audio.FrontEndSettings
                {
                    RemoveDc = (frontEndFlags & ModelFileFormat.FrontEndRemoveDc) != 0,
                    TrimSilence = (frontEndFlags & ModelFileFormat.FrontEndTrim) != 0,
                    NormalizeLevel = (frontEndFlags & ModelFileFormat.FrontEndLevel) != 0,
                    ThresholdDb = values[0], FloorDbfs = values[1], MarginSeconds = values[2], TargetDbfs = values[3], MaxGainDb = values[4], NoiseFloorDb = values[5],
                };
            }
            else if (frontEndFlags != 0)
            {
                Fail($"front end flags 0x{frontEndFlags:X8} set steps without the 'present' bit 0x{ModelFileFormat.FrontEndPresent:X}");
            }
            temperature = values[6];
        }
        int cardBytes = r.Count("model card length", 0, ModelFileFormat.MaxModelCardBytes, minBytesEach: 1);
        string? card = cardBytes == 0 ? null : r.Utf8(cardBytes, "model card");

        int memberCount = r.Count("member count", 1, ModelFileFormat.MaxMembers, minBytesEach: 4);
        var rawMembers = new RawLayer[memberCount][];
        for (int m = 0; m < memberCount; m++)
        {
            int layerCount = r.Count($"member {m} layer count", 1, ModelFileFormat.MaxLayers, minBytesEach: 12);
            rawMembers[m] = new RawLayer[layerCount];
            for (int l = 0; l < layerCount; l++)
            {
                string at = $"member {m} layer {l}";
                uint type = r.U32($"{at} type");
                int pCount = r.Count($"{at} param count", 0, ModelFileFormat.MaxLayerParams, minBytesEach: 4);
                var parameters = new uint[pCount];
                for (int p = 0; p < pCount; p++)
                    parameters[p] = r.U32($"{at} param {p}");
                int tCount = r.Count($"{at} tensor count", 0, ModelFileFormat.MaxLayerTensors, minBytesEach: 4);
                var indices = new uint[tCount];
                for (int t = 0; t < tCount; t++)
                    indices[t] = r.U32($"{at} tensor index {t}");
                rawMembers[m][l] = new RawLayer((LayerType)type, parameters, indices);
            }
        }

        const int MinDescriptorBytes = 2 + 4 + 4 + 4 + 8;
        int tensorCount = r.Count("tensor count", 0, ModelFileFormat.MaxTensors, minBytesEach: MinDescriptorBytes);
        var descriptors = new RawTensor[tensorCount];
        var namesSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensorCount; i++)
        {
            string tName = r.String($"tensor {i} name");
            string at = $"tensor {i} '{tName}'";
            if (tName.Length == 0)
                Fail($"tensor {i} has an empty name");
            if (!namesSeen.Add(tName))
                Fail($"{at}: the name appears twice in the tensor table");
            uint dtype = r.U32($"{at} dtype");
            if (dtype != ModelFileFormat.DTypeFloat32)
                Fail($"{at}: unknown dtype {dtype} (1 = float32)");
            uint rank = r.U32($"{at} rank");
            if (rank is < 1 or > ModelFileFormat.MaxRank)
                Fail($"{at}: rank {rank} is outside 1..{ModelFileFormat.MaxRank}");
            var dims = new int[rank];
            long count = 1;
            for (int d = 0; d < rank; d++)
            {
                uint dim = r.U32($"{at} dim {d}");
                if (dim == 0)
                    Fail($"{at}: dimension {d} is 0");
                // Saturate instead of overflowing: any count beyond the file is rejected just below.
                const long Saturated = long.MaxValue / 8;
                count = count > Saturated / dim ? Saturated : Math.Min(count * dim, Saturated);
                dims[d] = (int)Math.Min(dim, int.MaxValue);
            }
            ulong offset = r.U64($"{at} offset");
            string shapeText = "(" + string.Join(", ", dims) + ")";
            long bytes = count * 4;
            if (bytes > data.Length)
                Fail($"{at}: shape {shapeText} needs {bytes} bytes, more than the whole file ({data.Length})");
            if (offset % ModelFileFormat.Alignment != 0)
                Fail($"{at}: offset {offset} is not a multiple of {ModelFileFormat.Alignment}");
            if (offset < headerLength)
                Fail($"{at}: offset {offset} lies inside the header (which ends at {headerLength})");
            if (offset > (ulong)data.Length || (ulong)bytes > (ulong)data.Length - offset)
                Fail($"{at}: data at {offset}..{offset + (ulong)bytes} runs past the end of the file ({data.Length})");
            descriptors[i] = new RawTensor(tName, dims, (long)offset, bytes);
        }
        if (r.Remaining != 0)
            Fail($"{r.Remaining} unexpected bytes between the tensor table and the declared header end at {headerLength}");

        // Overlap and trailing data: sort by offset and walk once.
        var order = new int[tensorCount];
        for (int i = 0; i < tensorCount; i++)
            order[i] = i;
        Array.Sort(order, (a, b) => descriptors[a].Offset != descriptors[b].Offset ? descriptors[a].Offset.CompareTo(descriptors[b].Offset) : a.CompareTo(b));
        long end = headerLength;
        for (int k = 0; k < tensorCount; k++)
        {
            var t = descriptors[order[k]];
            if (k > 0 && t.Offset < end)
            {
                var prev = descriptors[order[k - 1]];
                Fail($"tensor {order[k]} '{t.Name}' at {t.Offset} overlaps tensor {order[k - 1]} '{prev.Name}' ({prev.Offset}..{prev.Offset + prev.Bytes})");
            }
            end = Math.Max(end, t.Offset + t.Bytes);
        }
        if (end != data.Length)
            Fail($"{data.Length - end} unexpected bytes after the end of the last tensor at {end}");

        var tensors = new TensorDefinition[tensorCount];
        for (int i = 0; i < tensorCount; i++)
        {
            var t = descriptors[i];
            var values = new float[t.Bytes / 4];
            var src = data.Slice((int)t.Offset, (int)t.Bytes);
            if (BitConverter.IsLittleEndian)
            {
                src.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            }
            else
            {
                for (int j = 0; j < values.Length; j++)
                    values[j] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * j)..]);
            }
            tensors[i] = new TensorDefinition(t.Name, t.Dims, values);
        }

        var members = new NetworkDefinition[memberCount];
        for (int m = 0; m < memberCount; m++)
        {
            var layers = new LayerDefinition[rawMembers[m].Length];
            for (int l = 0; l < layers.Length; l++)
            {
                var raw = rawMembers[m][l];
                var layerTensors = new TensorDefinition[raw.TensorIndices.Length];
                for (int t = 0; t < layerTensors.Length; t++)
                {
                    uint index = raw.TensorIndices[t];
                    if (index >= (uint)tensorCount)
                        Fail($"member {m} layer {l}: tensor index {index} is beyond the tensor table ({tensorCount} tensors)");
                    layerTensors[t] = tensors[index];
                }
                layers[l] = new LayerDefinition(raw.Type, raw.Parameters, layerTensors);
            }
            members[m] = new NetworkDefinition(layers);
        }

        float[]? mean = null, std = null;
        SpeakerNormalization? speaker = null;
        if (normalization != ModelFileFormat.NormalizationNone)
        {
            mean = Array.Find(tensors, t => t.Name == ModelFileFormat.MeanTensorName)?.Data;
            std = Array.Find(tensors, t => t.Name == ModelFileFormat.StdTensorName)?.Data;
            if (mean is null)
                Fail($"input normalization {normalization} needs the tensor '{ModelFileFormat.MeanTensorName}', which is missing");
            if (std is null)
                Fail($"input normalization {normalization} needs the tensor '{ModelFileFormat.StdTensorName}', which is missing");
        }
        if (normalization == ModelFileFormat.NormalizationSpeakerStandardize)
        {
            var speakerMean = Array.Find(tensors, t => t.Name == ModelFileFormat.SpeakerMeanTensorName)?.Data;
            var speakerStd = Array.Find(tensors, t => t.Name == ModelFileFormat.SpeakerStdTensorName)?.Data;
            if (speakerMean is null)
                Fail($"input normalization 2 needs the tensor '{ModelFileFormat.SpeakerMeanTensorName}', which is missing");
            if (speakerStd is null)
                Fail($"input normalization 2 needs the tensor '{ModelFileFormat.SpeakerStdTensorName}', which is missing");
            speaker = new SpeakerNormalization(priorWeight, speakerMean!, speakerStd!);
        }

        return new ModelDefinition
        {
            Kind = kind,
            Name = modelName,
            SampleRate = (int)Math.Min(sampleRate, int.MaxValue),
            FeatureSetId = featureSet,
            ExtractorVersion = (int)Math.Min(extractorVersion, int.MaxValue),
            InputLength = (int)Math.Min(inputLength, int.MaxValue),
            InputChannels = (int)Math.Min(inputChannels, int.MaxValue),
            Labels = labels,
            InputMean = mean,
            InputStd = std,
            Speaker = speaker,
            ModelCardJson = card,
            TestTimeSpeedFactors = speedFactors,
            FrontEnd = frontEnd,
            Temperature = temperature,
            Members = members,
        };
    }

    private sealed record RawLayer(LayerType Type, uint[] Parameters, uint[] TensorIndices);

    private readonly record struct RawTensor(string Name, int[] Dims, long Offset, long Bytes);

    /// <summary>Bounds-checked little-endian reads within the header.</summary>
    private ref struct HeaderCursor(ReadOnlySpan<byte> header, int position, string inputName)
    {
        private readonly ReadOnlySpan<byte> _header = header;
        private int _position = position;

        public readonly int Remaining => _header.Length - _position;

        public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

        public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

        /// <summary>A u32 count within [min, max] whose records (at least minBytesEach each) fit in the rest of the header.</summary>
        public int Count(string what, int min, int max, int minBytesEach)
        {
            int at = _position;
            uint v = U32(what);
            if (v < min || v > max)
                throw new ModelFormatException(inputName, $"{what} {v} at offset {at} is outside {min}..{max}");
            if ((long)v * minBytesEach > Remaining)
                throw new ModelFormatException(inputName, $"{what} {v} at offset {at} needs more bytes than the {Remaining} left in the header");
            return (int)v;
        }

        public string String(string what)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));
            return Utf8(length, what);
        }

        public string Utf8(int length, string what)
        {
            var bytes = Take(length, what);
            try
            {
                return s_strictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new ModelFormatException(inputName, $"{what} is not valid UTF-8", e);
            }
        }

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > Remaining)
                throw new ModelFormatException(inputName, $"{what} at offset {_position} runs past the end of the header ({_header.Length})");
            var span = _header.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
