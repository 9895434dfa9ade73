using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class RawPcmReaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void S16le_stereo_reads_exact_values(bool seekable)
    {
        byte[] bytes = WavFileBuilder.S16(-32768, 32767, 1, -1);
        Stream s = seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes, 3);
        var clip = RawPcmReader.Read(s, RawPcmFormat.S16Le, 8000, 2, "raw");
        Assert.Equal(2, clip.FrameCount);
        Assert.Equal(8000, clip.SampleRate);
        Assert.Equal(new[] { -1f, 32767f / 32768f, 1f / 32768f, -1f / 32768f }, clip.Interleaved);
    }

    [Fact]
    public void F32le_mono_is_passed_through()
    {
        float[] values = [0.25f, -0.5f, 1.25f];
        var clip = RawPcmReader.Read(new NonSeekableStream(WavFileBuilder.F32(values), 5), RawPcmFormat.F32Le, 16000, 1, "raw");
        Assert.Equal(values, clip.Interleaved);
    }

    [Fact]
    public void Partial_trailing_frame_is_an_error()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            RawPcmReader.Read(new MemoryStream(new byte[10]), RawPcmFormat.S16Le, 16000, 2, "stdin"));
        Assert.Equal("stdin: 10 bytes are not a whole number of 4-byte frames (2 left over): wrong raw format or channel count?", ex.Message);
    }

    [Fact]
    public void Empty_input_is_an_error()
    {
        var ex = Assert.Throws<AudioFormatException>(() => RawPcmReader.Read(new MemoryStream(), RawPcmFormat.F32Le, 16000, 1, "stdin"));
        Assert.Equal("stdin: empty input (0 bytes)", ex.Message);
    }

    [Fact]
    public void Non_finite_f32_is_an_error()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            RawPcmReader.Read(new MemoryStream(WavFileBuilder.F32(0f, float.NaN)), RawPcmFormat.F32Le, 16000, 1, "stdin"));
        Assert.Contains("non-finite sample (NaN) at frame 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(800_000, 1)]
    [InlineData(16000, 0)]
    [InlineData(16000, 65)]
    public void Bad_layout_arguments_throw(int rate, int channels)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RawPcmReader.Read(new MemoryStream(new byte[4]), RawPcmFormat.S16Le, rate, channels, "x"));
    }

    [Fact]
    public void Unknown_format_value_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RawPcmReader.Read(new MemoryStream(new byte[4]), (RawPcmFormat)7, 16000, 1, "x"));
    }
}
