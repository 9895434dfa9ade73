using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320, init and final xor 0xFFFFFFFF), as zlib's
/// <c>crc32</c>. Slicing-by-8: eight table lookups per 8 input bytes, so a 1.3 MB model checks in well under a millisecond.
/// </summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;
    private static readonly uint[] s_table = BuildTable();

    /// <summary>CRC-32 of <paramref name="data"/>.</summary>
    /// <param name="data">Bytes to check.</param>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a running (non-finalized) CRC state over more bytes.</summary>
    internal static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        // Table lookups through a ref without bounds checks: every index is masked to 0..255 within its slice.
        ref uint t = ref MemoryMarshal.GetArrayDataReference(s_table);
        ref byte p = ref MemoryMarshal.GetReference(data);
        uint crc = state;
        nint n = data.Length, i = 0;
        for (; i <= n - 8; i += 8)
        {
            uint lo = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            uint hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            if (!BitConverter.IsLittleEndian)
            {
                lo = BinaryPrimitives.ReverseEndianness(lo);
                hi = BinaryPrimitives.ReverseEndianness(hi);
            }
            lo ^= crc;
            crc = Unsafe.Add(ref t, (7 * 256) + (nint)(lo & 0xFF)) ^ Unsafe.Add(ref t, (6 * 256) + (nint)((lo >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, (5 * 256) + (nint)((lo >> 16) & 0xFF)) ^ Unsafe.Add(ref t, (4 * 256) + (nint)(lo >> 24))
                ^ Unsafe.Add(ref t, (3 * 256) + (nint)(hi & 0xFF)) ^ Unsafe.Add(ref t, (2 * 256) + (nint)((hi >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, 256 + (nint)((hi >> 16) & 0xFF)) ^ Unsafe.Add(ref t, (nint)(hi >> 24));
        }
        for (; i < n; i++)
            crc = Unsafe.Add(ref t, (nint)((crc ^ Unsafe.Add(ref p, i)) & 0xFF)) ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        for (int s = 1; s < 8; s++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint prev = table[((s - 1) * 256) + i];
                table[(s * 256) + i] = table[(int)(prev & 0xFF)] ^ (prev >> 8);
            }
        }
        return table;
    }
}
