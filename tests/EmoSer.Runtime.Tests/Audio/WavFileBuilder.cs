using System.Buffers.Binary;
using System.Text;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>Builds WAV byte images chunk by chunk, including deliberately malformed ones.</summary>
internal sealed class WavFileBuilder
{
    private readonly List<(string Id, byte[] Body, uint? DeclaredSize)> _chunks = [];
    private uint? _riffSize;

    public static readonly byte[] PcmSubFormatTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public WavFileBuilder Fmt(ushort tag, int channels, int rate, int bits, int? blockAlign = null, int extraBytes = 0)
    {
        byte[] body = new byte[16 + extraBytes];
        BinaryPrimitives.WriteUInt16LittleEndian(body, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)rate);
        int align = blockAlign ?? channels * bits / 8;
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), (ushort)bits);
        return Chunk("fmt ", body);
    }

    public WavFileBuilder FmtExtensible(ushort subFormat, int channels, int rate, int bits, int validBits, byte[]? guidTail = null)
    {
        byte[] body = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(body, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)rate);
        int align = channels * bits / 8;
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), (uint)(rate * align));
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), (ushort)align);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), (ushort)bits);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(18), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(20), channels == 2 ? 3u : 0u);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(24), subFormat);
        (guidTail ?? PcmSubFormatTail).CopyTo(body, 26);
        return Chunk("fmt ", body);
    }

    public WavFileBuilder Chunk(string id, byte[] body, uint? declaredSize = null)
    {
        _chunks.Add((id, body, declaredSize));
        return this;
    }

    public WavFileBuilder Data(byte[] body, uint? declaredSize = null) => Chunk("data", body, declaredSize);

    public WavFileBuilder RiffSize(uint size)
    {
        _riffSize = size;
        return this;
    }

    public byte[] ToArray()
    {
        var ms = new MemoryStream();
        Span<byte> u32 = stackalloc byte[4];
        ms.Write("RIFF"u8);
        ms.Write(u32); // patched below
        ms.Write("WAVE"u8);
        foreach (var (id, body, declared) in _chunks)
        {
            ms.Write(Encoding.Latin1.GetBytes(id));
            BinaryPrimitives.WriteUInt32LittleEndian(u32, declared ?? (uint)body.Length);
            ms.Write(u32);
            ms.Write(body);
            if ((body.Length & 1) != 0)
                ms.WriteByte(0);
        }
        byte[] bytes = ms.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), _riffSize ?? (uint)(bytes.Length - 8));
        return bytes;
    }

    /// <summary>A canonical PCM/float file around <paramref name="data"/>.</summary>
    public static byte[] Simple(ushort tag, int channels, int rate, int bits, byte[] data) =>
        new WavFileBuilder().Fmt(tag, channels, rate, bits).Data(data).ToArray();

    public static byte[] S16(params short[] values)
    {
        byte[] b = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(2 * i), values[i]);
        return b;
    }

    public static byte[] S24(params int[] values)
    {
        byte[] b = new byte[values.Length * 3];
        for (int i = 0; i < values.Length; i++)
        {
            b[3 * i] = (byte)values[i];
            b[3 * i + 1] = (byte)(values[i] >> 8);
            b[3 * i + 2] = (byte)(values[i] >> 16);
        }
        return b;
    }

    public static byte[] S32(params int[] values)
    {
        byte[] b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    public static byte[] F32(params float[] values)
    {
        byte[] b = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        return b;
    }

    public static byte[] F64(params double[] values)
    {
        byte[] b = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), values[i]);
        return b;
    }
}
