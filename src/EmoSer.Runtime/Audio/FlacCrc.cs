namespace EmoSer.Runtime.Audio;

/// <summary>The two checksums of a FLAC frame (RFC 9639): CRC-8 (polynomial 0x07) over the header, CRC-16
/// (polynomial 0x8005) over the whole frame; both MSB first, initial value 0.</summary>
internal static class FlacCrc
{
    private static readonly byte[] s_crc8 = BuildCrc8();
    private static readonly ushort[] s_crc16 = BuildCrc16();

    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (byte b in data)
            crc = s_crc8[crc ^ b];
        return crc;
    }

    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
            crc = (ushort)((crc << 8) ^ s_crc16[(crc >> 8) ^ b]);
        return crc;
    }

    private static byte[] BuildCrc8()
    {
        var table = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 0x80) != 0 ? (c << 1) ^ 0x07 : c << 1;
            table[i] = (byte)c;
        }
        return table;
    }

    private static ushort[] BuildCrc16()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i << 8;
            for (int k = 0; k < 8; k++)
                c = (c & 0x8000) != 0 ? (c << 1) ^ 0x8005 : c << 1;
            table[i] = (ushort)c;
        }
        return table;
    }
}
