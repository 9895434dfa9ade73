using System.Numerics;
using System.Runtime.CompilerServices;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads a FLAC bitstream most significant bit first from a span, through a 64-bit cache. Every read checks the
/// bits are there: running past the end sets <see cref="Overrun"/> and returns zeros, so a caller checks once
/// per frame instead of after every read (and a truncated frame never reads outside the span).
/// </summary>
internal ref struct FlacBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _next;          // next byte of _data to load into the cache
    private ulong _cache;       // valid bits left-aligned
    private int _cacheBits;

    public FlacBitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>True once a read needed bits beyond the end of the data.</summary>
    public bool Overrun { get; private set; }

    /// <summary>Bytes consumed, counting a partly read byte as consumed.</summary>
    public readonly int BytePosition => _next - _cacheBits / 8;

    /// <summary>Reads <paramref name="count"/> (0..32) bits as an unsigned value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(int count)
    {
        if (count == 0)
            return 0;
        if (_cacheBits < count)
        {
            Refill();
            if (_cacheBits < count)
                return Fail();
        }
        uint value = (uint)(_cache >> (64 - count));
        _cache <<= count;
        _cacheBits -= count;
        return value;
    }

    /// <summary>Reads a two's complement value of <paramref name="count"/> (0..33) bits.</summary>
    public long ReadSigned(int count)
    {
        if (count == 0)
            return 0;
        if (count <= 32)
        {
            uint raw = ReadBits(count);
            return ((long)raw << (64 - count)) >> (64 - count);
        }
        long high = ReadBits(count - 32);
        long value = (high << 32) | ReadBits(32);
        return (value << (64 - count)) >> (64 - count);
    }

    /// <summary>Counts zero bits up to and including the next one bit; returns the zeros (bounded by the data).</summary>
    public uint ReadUnary()
    {
        uint zeros = 0;
        while (true)
        {
            if (_cacheBits == 0)
            {
                Refill();
                if (_cacheBits == 0)
                    return Fail();
            }
            if (_cache == 0)
            {
                // Every cached bit is zero (the bits below the valid ones are zero too).
                zeros += (uint)_cacheBits;
                _cacheBits = 0;
                continue;
            }
            int lead = BitOperations.LeadingZeroCount(_cache);
            zeros += (uint)lead;
            _cache <<= lead + 1;
            _cacheBits -= lead + 1;
            return zeros;
        }
    }

    /// <summary>Skips to the next byte boundary.</summary>
    public void AlignToByte()
    {
        int drop = _cacheBits & 7;
        _cache <<= drop;
        _cacheBits -= drop;
    }

    private void Refill()
    {
        while (_cacheBits <= 56 && _next < _data.Length)
        {
            _cache |= (ulong)_data[_next++] << (56 - _cacheBits);
            _cacheBits += 8;
        }
    }

    private uint Fail()
    {
        Overrun = true;
        _cache = 0;
        _cacheBits = 0;
        return 0;
    }
}
