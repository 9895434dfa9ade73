using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class WavReaderFormatTests
{
    private static AudioClip ReadBytes(byte[] bytes, bool seekable = true, int maxRead = int.MaxValue) =>
        WavReader.Read(seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes, maxRead), "test.wav");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pcm8_is_unsigned_with_offset_128(bool seekable)
    {
        var clip = ReadBytes(WavFileBuilder.Simple(1, 1, 8000, 8, [0, 128, 255, 1, 127]), seekable);
        Assert.Equal(new[] { -1f, 0f, 127f / 128f, -127f / 128f, -1f / 128f }, clip.Interleaved);
        Assert.Equal(8000, clip.SampleRate);
    }

    [Fact]
    public void Pcm16_divides_by_32768()
    {
        var clip = ReadBytes(WavFileBuilder.Simple(1, 1, 16000, 16, WavFileBuilder.S16(short.MinValue, 0, short.MaxValue, 1, -1, 12345)));
        Assert.Equal(new[] { -1f, 0f, 32767f / 32768f, 1f / 32768f, -1f / 32768f, 12345f / 32768f }, clip.Interleaved);
    }

    [Fact]
    public void Pcm24_divides_by_8388608_and_sign_extends()
    {
        int[] values = [-8388608, 8388607, 1, -1, 0, 0x123456, -0x123456];
        var clip = ReadBytes(WavFileBuilder.Simple(1, 1, 48000, 24, WavFileBuilder.S24(values)));
        Assert.Equal(values.Select(v => v / 8388608f).ToArray(), clip.Interleaved);
        Assert.Equal(-1f, clip.Interleaved[0]);
        Assert.Equal(-1f / 8388608f, clip.Interleaved[3]);
    }

    [Fact]
    public void Pcm32_rounds_to_float_then_divides_by_2147483648_like_libsndfile()
    {
        int[] values = [int.MinValue, int.MaxValue, 1, -1, 123456789];
        var clip = ReadBytes(WavFileBuilder.Simple(1, 1, 44100, 32, WavFileBuilder.S32(values)));
        Assert.Equal(-1f, clip.Interleaved[0]);
        Assert.Equal(1f, clip.Interleaved[1]); // (float)int.MaxValue rounds up to 2^31
        Assert.Equal(MathF.ScaleB(1f, -31), clip.Interleaved[2]);
        Assert.Equal(-MathF.ScaleB(1f, -31), clip.Interleaved[3]);
        Assert.Equal(123456792f / 2147483648f, clip.Interleaved[4]); // 123456789 -> nearest float 123456792
    }

    [Fact]
    public void Float32_is_passed_through_unchanged_including_values_beyond_one()
    {
        float[] values = [0.1f, -0.75f, 1.5f, -2f, float.Epsilon, 0f];
        var clip = ReadBytes(WavFileBuilder.Simple(3, 1, 22050, 32, WavFileBuilder.F32(values)));
        Assert.Equal(values, clip.Interleaved);
    }

    [Fact]
    public void Float64_rounds_to_nearest_float32()
    {
        double[] values = [0.1, -1.0 / 3.0, 0.999999999, 1e-40];
        var clip = ReadBytes(WavFileBuilder.Simple(3, 1, 16000, 64, WavFileBuilder.F64(values)));
        Assert.Equal(values.Select(v => (float)v).ToArray(), clip.Interleaved);
    }

    public static TheoryData<int, int, bool> FormatsAndChannels()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (int format in new[] { 8, 16, 24, 32, -32, -64 }) // negative: IEEE float
            foreach (int channels in new[] { 1, 2, 3, 6 })
                foreach (bool seekable in new[] { true, false })
                    data.Add(format, channels, seekable);
        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsAndChannels))]
    public void Every_bit_depth_and_channel_count_round_trips(int format, int channels, bool seekable)
    {
        const int frames = 1000;
        int bits = Math.Abs(format);
        ushort tag = format < 0 ? (ushort)3 : (ushort)1;
        var expected = new float[frames * channels];
        var rng = new Random(format * 31 + channels);
        byte[] data = new byte[expected.Length * bits / 8];
        for (int i = 0; i < expected.Length; i++)
        {
            switch (format)
            {
                case 8: data[i] = (byte)rng.Next(256); expected[i] = (data[i] - 128) / 128f; break;
                case 16: { short v = (short)rng.Next(short.MinValue, short.MaxValue + 1); WavFileBuilder.S16(v).CopyTo(data, 2 * i); expected[i] = v / 32768f; break; }
                case 24: { int v = rng.Next(-8388608, 8388608); WavFileBuilder.S24(v).CopyTo(data, 3 * i); expected[i] = v / 8388608f; break; }
                case 32: { int v = rng.Next(int.MinValue, int.MaxValue); WavFileBuilder.S32(v).CopyTo(data, 4 * i); expected[i] = (float)v / 2147483648f; break; }
                case -32: { float v = (float)(rng.NextDouble() * 2 - 1); WavFileBuilder.F32(v).CopyTo(data, 4 * i); expected[i] = v; break; }
                default: { double v = rng.NextDouble() * 2 - 1; WavFileBuilder.F64(v).CopyTo(data, 8 * i); expected[i] = (float)v; break; }
            }
        }
        // Short reads of 7 bytes split samples and frames across reads.
        var clip = ReadBytes(WavFileBuilder.Simple(tag, channels, 11025, bits, data), seekable, maxRead: seekable ? int.MaxValue : 7);
        Assert.Equal(channels, clip.Channels);
        Assert.Equal(11025, clip.SampleRate);
        Assert.Equal(frames, clip.FrameCount);
        Assert.Equal(expected, clip.Interleaved);
    }

    [Theory]
    [InlineData(1, 16, 16)]
    [InlineData(1, 24, 24)]
    [InlineData(1, 24, 20)]
    [InlineData(1, 32, 32)]
    [InlineData(3, 32, 32)]
    [InlineData(3, 64, 64)]
    public void Extensible_with_pcm_or_float_subformat_reads_like_the_plain_tag(ushort subFormat, int bits, int validBits)
    {
        var rng = new Random(bits);
        byte[] data = new byte[2 * 50 * bits / 8];
        rng.NextBytes(data);
        if (subFormat == 3)
        {
            // Random bytes may be NaN as floats; use real values instead.
            data = bits == 32
                ? WavFileBuilder.F32(Enumerable.Range(0, 100).Select(i => MathF.Sin(i)).ToArray())
                : WavFileBuilder.F64(Enumerable.Range(0, 100).Select(i => Math.Sin(i)).ToArray());
        }
        var plain = ReadBytes(WavFileBuilder.Simple(subFormat, 2, 48000, bits, data));
        var extensible = ReadBytes(new WavFileBuilder().FmtExtensible(subFormat, 2, 48000, bits, validBits).Data(data).ToArray());
        Assert.Equal(2, extensible.Channels);
        Assert.Equal(50, extensible.FrameCount);
        Assert.Equal(plain.Interleaved, extensible.Interleaved);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Unknown_chunks_with_odd_sizes_are_skipped_with_their_pad_byte(bool seekable)
    {
        byte[] data = WavFileBuilder.S16(1000, -1000, 2000);
        byte[] bytes = new WavFileBuilder()
            .Chunk("LIST", "INFOabc"u8.ToArray())          // 7 bytes + pad
            .Fmt(1, 1, 16000, 16, extraBytes: 2)              // fmt with cbSize, 18 bytes
            .Chunk("fact", [1, 0, 0, 0])
            .Chunk("FLLR", new byte[4001])                    // odd filler + pad
            .Chunk("id3 ", [1, 2, 3])
            .Data(data)
            .Chunk("LIST", new byte[9])                       // trailing chunk after data is ignored
            .ToArray();
        var clip = ReadBytes(bytes, seekable, maxRead: 5);
        Assert.Equal(new[] { 1000f / 32768f, -1000f / 32768f, 2000f / 32768f }, clip.Interleaved);
    }

    [Theory]
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu, true)]
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu, false)]
    [InlineData(0u, 0u, true)]
    [InlineData(0u, 0u, false)]
    [InlineData(0xFFFFFFFFu, 0u, false)]
    [InlineData(100u, 0xFFFFFFFFu, true)]
    [InlineData(0u, 1_000_000u, true)]
    public void Streaming_writer_placeholder_sizes_read_to_end_of_input(uint riffSize, uint dataSize, bool seekable)
    {
        byte[] data = WavFileBuilder.S16(1, 2, 3, 4, 5, 6);
        byte[] bytes = new WavFileBuilder().Fmt(1, 2, 16000, 16).Data(data, dataSize).RiffSize(riffSize).ToArray();
        var clip = ReadBytes(bytes, seekable);
        Assert.Equal(3, clip.FrameCount);
        Assert.Equal(6f / 32768f, clip.Interleaved[5]);
    }

    [Fact]
    public void Less_than_one_frame_of_data_is_no_audio()
    {
        // A data chunk of length 0, or only part of one frame: nothing to classify, the file's error.
        foreach (byte[] data in new[] { Array.Empty<byte>(), WavFileBuilder.S16(1) })
        {
            var e = Assert.Throws<AudioFormatException>(() => ReadBytes(WavFileBuilder.Simple(1, 2, 16000, 16, data)));
            Assert.EndsWith(": no audio samples (0 frames)", e.Message);
        }
    }

    [Fact]
    public void Trailing_partial_frame_is_dropped_like_libsndfile()
    {
        // 2 channels x 16-bit: 10 bytes = 2 whole frames + 2 bytes.
        var clip = ReadBytes(WavFileBuilder.Simple(1, 2, 16000, 16, WavFileBuilder.S16(1, 2, 3, 4, 5)));
        Assert.Equal(2, clip.FrameCount);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }.Select(v => v / 32768f).ToArray(), clip.Interleaved);
    }

    [Fact]
    public void Stream_is_left_after_the_data_chunk()
    {
        byte[] wav = WavFileBuilder.Simple(1, 1, 16000, 16, WavFileBuilder.S16(7, 8));
        var ms = new MemoryStream([.. wav, .. "tail"u8.ToArray()]);
        WavReader.Read(ms, "x");
        Assert.Equal(wav.Length, ms.Position);
    }

    [Theory]
    [InlineData(new[] { 0.5f, -0.25f }, 2, new[] { 0.125f })]
    [InlineData(new[] { 0.1f, 0.2f, 0.3f, 1f, 1f, 1f }, 3, new[] { (0.1f + 0.2f + 0.3f) / 3f, 1f })]
    public void ToMono_averages_channels_in_float32(float[] interleaved, int channels, float[] expected)
    {
        Assert.Equal(expected, new AudioClip(interleaved, 16000, channels).ToMono());
    }

    [Fact]
    public void ToMono_of_a_mono_clip_returns_the_same_array()
    {
        float[] samples = [1f, 2f];
        Assert.Same(samples, new AudioClip(samples, 8000, 1).ToMono());
    }

    [Fact]
    public void AudioClip_rejects_a_partial_frame()
    {
        Assert.Throws<ArgumentException>(() => new AudioClip(new float[5], 16000, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioClip(new float[4], 0, 2));
    }
}
