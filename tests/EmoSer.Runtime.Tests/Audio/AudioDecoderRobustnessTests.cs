using System.Diagnostics;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>
/// Hostile input to the AIFF and FLAC decoders: cut, corrupted and lying files give a clip or an
/// <see cref="AudioFormatException"/> naming the input, never another exception or a hang; header values never size an
/// allocation beyond the input, and a few bytes of FLAC cannot decode to more than the compressed-audio bound.
/// </summary>
[Trait("Category", "unit")]
public sealed class AudioDecoderRobustnessTests
{
    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(TestData.Fixtures, "audio", name));

    [Theory]
    [InlineData("aiff-24-stereo.aiff")]
    [InlineData("aifc-fl32.aifc")]
    [InlineData("flac-16-stereo-lpc32.flac")]
    [InlineData("flac-24-stereo.flac")]
    public void Every_cut_of_a_valid_file_is_a_format_error(string name)
    {
        byte[] full = Fixture(name);
        var lengths = Enumerable.Range(0, 300).Concat(Enumerable.Range(0, full.Length / 37).Select(i => i * 37)).Where(n => n < full.Length).Distinct();
        foreach (int length in lengths)
        {
            var e = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(full.AsSpan(0, length), "cut"));
            Assert.StartsWith("cut: ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Theory]
    [InlineData("aiff-16-mono.aiff", 1)]
    [InlineData("aifc-sowt.aifc", 2)]
    [InlineData("flac-16-mono.flac", 3)]
    [InlineData("flac-16-stereo-fixed.flac", 4)]
    [InlineData("flac-24-stereo.flac", 5)]
    public void Random_corruption_gives_a_clip_or_a_format_error(string name, int seed)
    {
        byte[] valid = Fixture(name);
        var rng = new Random(seed);
        var clock = Stopwatch.StartNew();
        int clips = 0, errors = 0;
        for (int iteration = 0; iteration < 1500; iteration++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int flips = rng.Next(1, 9);
            for (int f = 0; f < flips; f++)
            {
                // Half the damage in the headers (the first 8 KiB of a FLAC are its metadata and first frames).
                int at = rng.Next(2) == 0 ? rng.Next(Math.Min(bytes.Length, 200)) : rng.Next(bytes.Length);
                bytes[at] = rng.Next(3) switch { 0 => (byte)rng.Next(256), 1 => (byte)(bytes[at] ^ (1 << rng.Next(8))), _ => 0xFF };
            }
            try
            {
                AudioClip clip = AudioFile.Decode(bytes, "fuzz");
                Assert.True(clip.Interleaved.Length <= 64L * bytes.Length, "a clip far larger than its file");
                clips++;
            }
            catch (AudioFormatException e)
            {
                Assert.StartsWith("fuzz: ", e.Message, StringComparison.Ordinal);
                errors++;
            }
        }
        Assert.True(errors > 0 && clips + errors == 1500);
        // Bounded work: 1500 decodes of a few KB each take well under a second; a hang would not end.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Aiff_that_declares_four_billion_frames_of_64_channels_allocates_nothing_for_them()
    {
        byte[] aiff = Fixture("aiff-16-mono.aiff");
        int comm = IndexOf(aiff, "COMM"u8) + 8;
        aiff[comm] = 0; aiff[comm + 1] = 64;                                  // 64 channels
        aiff[comm + 2] = aiff[comm + 3] = aiff[comm + 4] = aiff[comm + 5] = 0xFF; // 2^32 - 1 frames
        long before = GC.GetAllocatedBytesForCurrentThread();
        // Refused from the declared length, before any sample (docs/limits.md); with a limit it fits, the truncation.
        var e = Assert.Throws<AudioTooLongException>(() => AudioFile.Decode(aiff, "liar.aiff"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.StartsWith("liar.aiff: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(" of audio is longer than the 600 s limit", e.Message, StringComparison.Ordinal);
        aiff[comm + 2] = aiff[comm + 3] = 0;                                   // 2^16 - 1 frames
        var truncated = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(aiff, "liar.aiff"));
        Assert.Equal("liar.aiff: truncated sound data: COMM declares 65535 frames (8388480 bytes), SSND holds 12800 bytes", truncated.Message);
    }

    [Fact]
    public void Aiff_errors_name_the_problem()
    {
        byte[] aiff = Fixture("aifc-fl32.aifc");
        int comm = IndexOf(aiff, "COMM"u8) + 8;
        byte[] ulaw = (byte[])aiff.Clone();
        "ulaw"u8.CopyTo(ulaw.AsSpan(comm + 18));
        Assert.Equal("x.aifc: unsupported AIFF-C compression 'ulaw' (supported: NONE, twos, sowt, raw, in24, in32, fl32, fl64; convert other files to WAV or FLAC)",
            Assert.Throws<AudioFormatException>(() => AudioFile.Decode(ulaw, "x.aifc")).Message);
        byte[] rate = (byte[])aiff.Clone();
        rate[comm + 8] = 0xC0; // negative extended value
        Assert.StartsWith("x.aifc: invalid sample rate in COMM chunk", Assert.Throws<AudioFormatException>(() => AudioFile.Decode(rate, "x.aifc")).Message, StringComparison.Ordinal);
        byte[] noComm = (byte[])aiff.Clone();
        "XXXX"u8.CopyTo(noComm.AsSpan(comm - 8));
        Assert.Equal("x.aifc: no COMM chunk", Assert.Throws<AudioFormatException>(() => AudioFile.Decode(noComm, "x.aifc")).Message);
        byte[] svx = [.. "FORM"u8, 0, 0, 0, 4, .. "8SVX"u8];
        Assert.Equal("x.iff: not an AIFF file: an IFF '8SVX' form, not AIFF or AIFC", Assert.Throws<AudioFormatException>(() => AudioFile.Decode(svx, "x.iff")).Message);
    }

    [Fact]
    public void Flac_streaminfo_that_declares_2_pow_36_frames_does_not_size_the_buffer()
    {
        byte[] flac = new FlacStreamBuilder(16000, 16, totalFrames: (1L << 36) - 1).Constant(4096, 1000).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<AudioTooLongException>(() => AudioFile.Decode(flac, "liar.flac"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Equal("liar.flac: 1193 h (4294967 s) of audio is longer than the 600 s limit", e.Message);
        // Within the limit, a short stream is still found truncated, with a buffer sized by what decodes.
        flac = new FlacStreamBuilder(16000, 16, totalFrames: 16000 * 500).Constant(4096, 1000).ToArray();
        var truncated = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(flac, "liar.flac"));
        Assert.Equal("liar.flac: truncated: STREAMINFO declares 8000000 frames, the stream holds 4096", truncated.Message);
    }

    [Fact]
    public void A_flac_bomb_stops_at_the_maximum_duration()
    {
        // 2000 constant frames of 65535 samples: 131 M frames (2.3 hours at 16 kHz) from 24 KB.
        var builder = new FlacStreamBuilder(16000, 16, totalFrames: 0);
        for (int i = 0; i < 2000; i++)
            builder.Constant(65535, 7);
        byte[] flac = builder.ToArray();
        Assert.True(flac.Length < 32 * 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<AudioTooLongException>(() => AudioFile.Decode(flac, "bomb.flac", new AudioFileOptions { MaxDurationSeconds = 60 }));
        Assert.Equal("bomb.flac: the audio is longer than the 60 s limit (reading stopped there)", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
    }

    [Fact]
    public void A_hand_made_flac_of_constant_frames_decodes_exactly()
    {
        byte[] flac = new FlacStreamBuilder(8000, 16, totalFrames: 300).Constant(100, -32768).Constant(100, 32767).Constant(100, 5).ToArray();
        AudioClip clip = AudioFile.Decode(flac, "c.flac");
        Assert.Equal(8000, clip.SampleRate);
        Assert.Equal(300, clip.FrameCount);
        Assert.Equal(-1f, clip.Interleaved[0]);
        Assert.Equal(32767 / 32768f, clip.Interleaved[150]);
        Assert.Equal(5 / 32768f, clip.Interleaved[299]);
        // One bit of the second frame's body changed: the CRC-16 catches it.
        byte[] damaged = (byte[])flac.Clone();
        int second = IndexOf(damaged.AsSpan(50), [0xFF, 0xF8]) + 50;
        damaged[second + 8] ^= 0x01;
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(damaged, "c.flac"));
        Assert.Matches("^c.flac: corrupt frame 1 at byte [0-9]+: CRC-16 mismatch$", e.Message);
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);
}

/// <summary>Writes FLAC streams of constant subframes (mono), with real CRCs, for tests of hostile input.</summary>
internal sealed class FlacStreamBuilder
{
    private readonly MemoryStream _out = new();
    private readonly int _bits;
    private int _frame;

    public FlacStreamBuilder(int sampleRate, int bits, long totalFrames)
    {
        _bits = bits;
        _out.Write("fLaC"u8);
        _out.Write([0x80, 0, 0, 34]); // last block, STREAMINFO, 34 bytes
        var info = new byte[34];
        info[0] = 0x10; info[1] = 0; info[2] = 0xFF; info[3] = 0xFF; // block sizes 4096..65535
        ulong packed = (ulong)sampleRate << 44 | 0UL << 41 | (ulong)(bits - 1) << 36 | (ulong)totalFrames;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(info.AsSpan(10), packed);
        _out.Write(info);
    }

    /// <summary>Appends a frame of <paramref name="blockSize"/> samples all equal to <paramref name="value"/>.</summary>
    public FlacStreamBuilder Constant(int blockSize, int value)
    {
        var frame = new List<byte> { 0xFF, 0xF8, 0x70, 0x00 }; // fixed blocking; 16-bit block size; rate, bits from STREAMINFO; mono
        frame.AddRange(CodedNumber(_frame++));
        frame.Add((byte)((blockSize - 1) >> 8));
        frame.Add((byte)(blockSize - 1));
        frame.Add(FlacCrc.Crc8(frame.ToArray()));
        frame.Add(0x00); // constant subframe, no wasted bits
        for (int shift = _bits - 8; shift >= 0; shift -= 8)
            frame.Add((byte)(value >> shift));
        ushort crc = FlacCrc.Crc16(frame.ToArray());
        frame.Add((byte)(crc >> 8));
        frame.Add((byte)crc);
        _out.Write(frame.ToArray());
        return this;
    }

    public byte[] ToArray() => _out.ToArray();

    private static byte[] CodedNumber(int n) => n switch
    {
        < 0x80 => [(byte)n],
        < 0x800 => [(byte)(0xC0 | n >> 6), (byte)(0x80 | (n & 0x3F))],
        _ => [(byte)(0xE0 | n >> 12), (byte)(0x80 | ((n >> 6) & 0x3F)), (byte)(0x80 | (n & 0x3F))],
    };
}
