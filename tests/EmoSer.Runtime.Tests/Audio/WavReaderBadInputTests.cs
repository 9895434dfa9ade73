using System.Text;
using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class WavReaderBadInputTests
{
    private const string Name = "input/bad.wav";

    private static AudioFormatException Fails(byte[] bytes, string expectedProblem, bool seekable = true)
    {
        Stream stream = seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes, 3);
        var ex = Assert.Throws<AudioFormatException>(() => WavReader.Read(stream, Name));
        Assert.Equal(Name, ex.InputName);
        Assert.StartsWith(Name + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedProblem, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        return ex;
    }

    private static byte[] Pcm16Fmt(WavFileBuilder b) => b.ToArray();

    [Fact]
    public void Empty_input() => Fails([], "empty input (0 bytes)");

    [Theory]
    [InlineData("RIF")]
    [InlineData("RIFF")]
    [InlineData("RIFF\u0010\0\0\0WAV")]
    public void Truncated_riff_header(string head) => Fails(Encoding.Latin1.GetBytes(head), "truncated header");

    [Fact]
    public void Aiff_renamed_to_wav() => Fails("FORM\0\0\0\u0020AIFFCOMM"u8.ToArray(), "looks like an AIFF/IFF file");

    [Fact]
    public void Mp3_with_id3_tag_renamed_to_wav() => Fails("ID3\u0004\0\0\0\0\0\0"u8.ToArray(), "looks like an MP3 file (ID3 tag)");

    [Fact]
    public void Mp3_frame_sync_renamed_to_wav() => Fails([0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0], "looks like MP3/MPEG audio");

    [Theory]
    [InlineData("fLaC\0\0\0\"", "looks like a FLAC file")]
    [InlineData("OggS\0\u0002\0\0", "looks like an Ogg file")]
    [InlineData("\0\0\0\u0020ftypM4A ", "looks like an MP4/M4A file")]
    [InlineData("RIFX\0\0\0\0WAVE", "big-endian RIFX")]
    [InlineData("RF64\u00FF\u00FF\u00FF\u00FFWAVE", "RF64/BW64")]
    [InlineData("hello, world", "no RIFF header (starts with 68 65 6C 6C)")]
    public void Other_formats_are_named(string head, string expected) => Fails(Encoding.Latin1.GetBytes(head), expected);

    [Fact]
    public void Riff_that_is_not_wave() => Fails("RIFF\u0004\0\0\0AVI "u8.ToArray(), "a RIFF 'AVI ' file, not RIFF 'WAVE'");

    [Fact]
    public void Data_chunk_larger_than_the_file()
    {
        byte[] bytes = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(new byte[100], 1_000_000).ToArray();
        Fails(bytes, "data chunk larger than the file: declares 1000000 bytes, only 100 follow");
    }

    [Fact]
    public void Arecord_placeholder_in_a_shorter_file_reads_to_its_end_as_on_a_pipe()
    {
        // arecord's "length unknown" data size (0x7FFFFF00), saved to a file by tee or cut short: the samples that are there.
        byte[] pcm = new byte[200];
        for (int i = 0; i < pcm.Length; i += 2)
            BitConverter.GetBytes((short)(i * 50)).CopyTo(pcm, i);
        byte[] bytes = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(pcm, 0x7FFFFF00).ToArray();
        AudioClip file = WavReader.Read(new MemoryStream(bytes), "tee.wav");
        AudioClip pipe = WavReader.Read(new NonSeekableStream(bytes, 7), "stdin");
        Assert.Equal(100, file.Interleaved.Length);
        Assert.Equal(pipe.Interleaved, file.Interleaved);
        Assert.Equal(49 * 100 / 32768f, file.Interleaved[49]);
    }

    [Fact]
    public void Data_chunk_larger_than_the_file_names_the_path_via_ReadFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emoser-bad-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(new byte[10], 4000).ToArray());
        try
        {
            var ex = Assert.Throws<AudioFormatException>(() => WavReader.ReadFile(path));
            Assert.Equal($"{path}: data chunk larger than the file: declares 4000 bytes, only 10 follow", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Short_data_on_a_non_seekable_stream_is_truncated_data()
    {
        byte[] bytes = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(new byte[100], 1000).ToArray();
        Fails(bytes, "truncated data: data chunk declares 1000 bytes, input ends after 100", seekable: false);
    }

    [Fact]
    public void Huge_declared_data_on_a_non_seekable_stream_allocates_by_what_arrives()
    {
        // 768 kHz stereo float64: the 4 GiB declared are 350 s, within the duration limit, so only what arrives counts.
        byte[] bytes = new WavFileBuilder().Fmt(3, 2, 768_000, 64).Data(new byte[64], 0xFFFFFFF0).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(bytes, "truncated data: data chunk declares 4294967280 bytes, input ends after 64", seekable: false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 8 * 1024 * 1024, $"allocated {allocated} bytes for a 108-byte input");
    }

    [Fact]
    public void Zero_channels() => Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 0, 16000, 16, blockAlign: 2).Data(new byte[4])), "zero channels");

    [Fact]
    public void Too_many_channels() => Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 65, 16000, 16).Data(new byte[130])), "too many channels (65, limit 64)");

    [Fact]
    public void Zero_sample_rate() => Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 1, 0, 16).Data(new byte[4])), "zero sample rate");

    [Fact]
    public void Absurd_sample_rate() => Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 1, 96_000_000, 16).Data(new byte[4])), "sample rate 96000000 Hz is above the maximum of 768000 Hz");

    [Fact]
    public void Sample_rate_below_the_minimum() => Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 1, 7999, 16).Data(new byte[4])), "sample rate 7999 Hz is below the minimum of 8000 Hz");

    [Fact]
    public void Fmt_chunk_larger_than_64_KiB_is_rejected_before_allocating()
    {
        byte[] bytes = new WavFileBuilder().Chunk("fmt ", new byte[16], 0x7FFFFFFF).Data(new byte[4]).ToArray();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(bytes, "fmt chunk too large (2147483647 bytes, limit 65536)");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void Fmt_chunk_too_small() => Fails(new WavFileBuilder().Chunk("fmt ", new byte[14]).Data(new byte[4]).ToArray(), "fmt chunk too small (14 bytes, need at least 16)");

    [Fact]
    public void Truncated_fmt_chunk() => Fails(new WavFileBuilder().Chunk("fmt ", new byte[8], 16).ToArray(), "truncated fmt chunk (8 of 16 bytes)", seekable: false);

    [Fact]
    public void Block_align_mismatch() =>
        Fails(Pcm16Fmt(new WavFileBuilder().Fmt(1, 2, 16000, 16, blockAlign: 2).Data(new byte[8])), "block align mismatch: fmt says 2 bytes per frame, 2 channel(s) of 16-bit need 4");

    [Theory]
    [InlineData(0x0055, 16, "unsupported format tag 0x0055 (MPEG Layer 3)")]
    [InlineData(0x0002, 4, "unsupported format tag 0x0002 (Microsoft ADPCM)")]
    [InlineData(0x0007, 8, "unsupported format tag 0x0007 (mu-law)")]
    [InlineData(0x1234, 16, "unsupported format tag 0x1234 (supported: PCM, IEEE float, extensible PCM/float)")]
    [InlineData(1, 12, "unsupported PCM bit depth 12")]
    [InlineData(3, 16, "unsupported IEEE float bit depth 16")]
    public void Unsupported_encodings(int tag, int bits, string expected) =>
        Fails(Pcm16Fmt(new WavFileBuilder().Fmt((ushort)tag, 1, 16000, bits, blockAlign: Math.Max(1, bits / 8)).Data(new byte[8])), expected);

    [Fact]
    public void Extensible_with_unknown_subformat_guid()
    {
        byte[] tail = (byte[])WavFileBuilder.PcmSubFormatTail.Clone();
        tail[^1] ^= 0xFF;
        Fails(new WavFileBuilder().FmtExtensible(1, 1, 16000, 16, 16, tail).Data(new byte[4]).ToArray(), "unsupported WAVE_FORMAT_EXTENSIBLE subformat");
    }

    [Fact]
    public void Extensible_fmt_chunk_too_small()
    {
        byte[] bytes = new WavFileBuilder().Fmt(0xFFFE, 1, 16000, 16, extraBytes: 2).Data(new byte[4]).ToArray();
        Fails(bytes, "WAVE_FORMAT_EXTENSIBLE fmt chunk too small (18 bytes, need 40)");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void No_data_chunk(bool seekable) =>
        Fails(new WavFileBuilder().Fmt(1, 1, 16000, 16).Chunk("LIST", new byte[6]).ToArray(), "no data chunk (input ends after 50 bytes)", seekable);

    [Fact]
    public void No_fmt_chunk() => Fails(new WavFileBuilder().Chunk("LIST", new byte[4]).ToArray(), "no fmt chunk");

    [Fact]
    public void Data_before_fmt() =>
        Fails(new WavFileBuilder().Data(new byte[4]).Fmt(1, 1, 16000, 16).ToArray(), "data chunk at byte 12 comes before the fmt chunk");

    [Fact]
    public void Second_fmt_chunk() =>
        Fails(new WavFileBuilder().Fmt(1, 1, 16000, 16).Fmt(1, 2, 16000, 16).Data(new byte[4]).ToArray(), "second fmt chunk at byte 36");

    [Fact]
    public void Truncated_chunk_header() => Fails([.. new WavFileBuilder().Fmt(1, 1, 16000, 16).ToArray(), .. "dat"u8.ToArray()], "truncated chunk header at byte 36");

    [Fact]
    public void Unknown_chunk_larger_than_the_file_when_seekable() =>
        Fails(new WavFileBuilder().Fmt(1, 1, 16000, 16).Chunk("LIST", new byte[10], 50_000).ToArray(), "chunk 'LIST' at byte 36 larger than the file: declares 50000 bytes, only 10 follow");

    [Fact]
    public void Unknown_chunk_running_past_the_end_of_a_pipe() =>
        Fails(new WavFileBuilder().Fmt(1, 1, 16000, 16).Chunk("LIST", new byte[10], 50_000).ToArray(), "no data chunk (input ends inside chunk 'LIST' after 54 bytes)", seekable: false);

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_float_samples(float bad) =>
        Fails(WavFileBuilder.Simple(3, 2, 16000, 32, WavFileBuilder.F32(0f, 0f, 0.5f, bad)), "non-finite sample");

    [Fact]
    public void Missing_file_is_a_FileNotFoundException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emoser-missing-{Guid.NewGuid():N}.wav");
        Assert.Throws<FileNotFoundException>(() => WavReader.ReadFile(path));
    }
}
