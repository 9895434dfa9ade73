using System.Buffers.Binary;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Tests.Shared;

/// <summary>The hostile files of issue 19's reproductions, for every test project that must refuse them.</summary>
public static class HostileInputs
{
    /// <summary>A speaker profile file of the seed features (count 3) whose <c>mean[index]</c> is 1e308.</summary>
    public static string ProfileWithMean1e308(int index = 0)
    {
        string mean = string.Join(",", Enumerable.Range(0, 193).Select(i => i == index ? "1e308" : "0.5"));
        string m2 = string.Join(",", Enumerable.Repeat("1", 193));
        return $$"""{"format":"emoser-speaker-profile","version":1,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000,"count":3,"mean":[{{mean}}],"m2":[{{m2}}]}""";
    }

    /// <summary>
    /// The weights file of <paramref name="d"/> with a model card that is not JSON: a misspelt literal on its first line
    /// (<c>tpue</c>, column 11) and 80 more lines, which the JSON reader's own message quoted in full. CRC re-sealed.
    /// </summary>
    public static byte[] WithMalformedCard(ModelDefinition d)
    {
        string card = "{\"notes\": true,\n" + string.Join("\n", Enumerable.Range(0, 80).Select(i => $"\"line {i}\": \"{new string('x', 60)}\",")) + "\n\"end\": 1}";
        byte[] bytes = ModelFileWriter.Serialize(ModelDefinitions.WithCard(d, card));
        "tpue"u8.CopyTo(bytes.AsSpan(bytes.AsSpan().IndexOf("true"u8)));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), Crc32.Compute(bytes.AsSpan(32)));
        return bytes;
    }
}
