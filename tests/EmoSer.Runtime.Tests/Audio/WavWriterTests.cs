using System.Buffers.Binary;
using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class WavWriterTests
{
    [Fact]
    public void Pcm16_header_is_canonical_44_bytes()
    {
        var ms = new MemoryStream();
        WavWriter.Write(ms, [0f, 0.5f, -0.5f, 1f], 16000, 2, WavSampleFormat.Pcm16);
        byte[] b = ms.ToArray();
        Assert.Equal(44 + 8, b.Length);
        Assert.Equal("RIFF"u8.ToArray(), b[..4]);
        Assert.Equal((uint)(b.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(20)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(22)));
        Assert.Equal(16000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(24)));
        Assert.Equal(64000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(28)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(32)));
        Assert.Equal("data"u8.ToArray(), b[36..40]);
        Assert.Equal(8u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(40)));
        Assert.Equal(new short[] { 0, 16384, -16384, 32767 }, Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(44 + 2 * i))).ToArray());
    }

    [Fact]
    public void Pcm16_rounds_and_clamps()
    {
        var ms = new MemoryStream();
        WavWriter.Write(ms, [2f, -2f, float.NaN, 1.4f / 32768f, -1.6f / 32768f, -1f], 8000, 1, WavSampleFormat.Pcm16);
        var clip = WavReader.Read(new MemoryStream(ms.ToArray()), "w");
        Assert.Equal(new[] { 32767f / 32768f, -1f, 0f, 1f / 32768f, -2f / 32768f, -1f }, clip.Interleaved);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Pcm16_values_read_back_exactly(int channels)
    {
        var rng = new Random(channels);
        float[] samples = Enumerable.Range(0, 999 * channels).Select(_ => rng.Next(-32768, 32768) / 32768f).ToArray();
        var ms = new MemoryStream();
        WavWriter.Write(ms, samples, 44100, channels, WavSampleFormat.Pcm16);
        var clip = WavReader.Read(new MemoryStream(ms.ToArray()), "w");
        Assert.Equal(samples, clip.Interleaved);
        Assert.Equal(channels, clip.Channels);
    }

    [Fact]
    public void Float32_round_trips_bit_exactly_and_has_a_fact_chunk()
    {
        var rng = new Random(5);
        float[] samples = Enumerable.Range(0, 3000).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var ms = new MemoryStream();
        WavWriter.Write(ms, samples, 96000, 3, WavSampleFormat.Float32);
        byte[] b = ms.ToArray();
        Assert.Equal("fact"u8.ToArray(), b[38..42]);
        Assert.Equal(1000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(46)));
        var clip = WavReader.Read(new MemoryStream(b), "w");
        Assert.Equal(samples, clip.Interleaved);
        Assert.Equal(96000, clip.SampleRate);
    }

    [Fact]
    public void WriteFile_replaces_atomically_and_leaves_no_temp_files()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-wav-").FullName;
        try
        {
            string path = Path.Combine(dir, "out.wav");
            WavWriter.WriteFile(path, [0.25f, -0.25f], 16000, 1, WavSampleFormat.Pcm16);
            WavWriter.WriteFile(path, [0.5f], 8000, 1, WavSampleFormat.Float32);
            var clip = WavReader.ReadFile(path);
            Assert.Equal(new[] { 0.5f }, clip.Interleaved);
            Assert.Equal(8000, clip.SampleRate);
            Assert.Equal(new[] { path }, Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WriteFile_failure_keeps_the_old_file_and_removes_the_temp()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-wav-").FullName;
        try
        {
            string path = Path.Combine(dir, "keep.wav");
            WavWriter.WriteFile(path, [0.25f], 16000, 1, WavSampleFormat.Pcm16);
            Assert.Throws<ArgumentException>(() => WavWriter.WriteFile(path, [0.1f, 0.2f, 0.3f], 16000, 2, WavSampleFormat.Pcm16));
            Assert.Equal(new[] { 0.25f }, WavReader.ReadFile(path).Interleaved);
            Assert.Equal(new[] { path }, Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Invalid_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(new MemoryStream(), [0f], 0, 1, WavSampleFormat.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(new MemoryStream(), [0f], 16000, 0, WavSampleFormat.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavWriter.Write(new MemoryStream(), [0f], 16000, 1, (WavSampleFormat)9));
    }
}
