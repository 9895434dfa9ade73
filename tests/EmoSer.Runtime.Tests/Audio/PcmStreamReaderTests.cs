using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class PcmStreamReaderTests
{
    private static float[] Signal(int samples, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, samples).Select(_ => (float)Math.Round((rng.NextDouble() * 2 - 1) * 30000) / 32768f).ToArray();
    }

    private static float[] ReadAllMono(PcmStreamReader reader, int chunk)
    {
        var result = new List<float>();
        var buffer = new float[chunk];
        int n;
        while ((n = reader.ReadMono(buffer)) > 0)
            result.AddRange(buffer.AsSpan(0, n));
        Assert.Equal(0, reader.ReadMono(buffer));
        return [.. result];
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, 1, 100, 7)]
    [InlineData(WavSampleFormat.Pcm16, 2, 333, 1)]
    [InlineData(WavSampleFormat.Float32, 3, 5000, 4096)]
    [InlineData(WavSampleFormat.Float32, 2, 1, 13)]
    public void Wav_stream_yields_the_same_mono_as_the_whole_file_reader(WavSampleFormat format, int channels, int chunk, int maxRead)
    {
        float[] interleaved = Signal(12_000 * channels, channels);
        var ms = new MemoryStream();
        WavWriter.Write(ms, interleaved, 22050, channels, format);
        byte[] bytes = ms.ToArray();

        float[] expected = WavReader.Read(new MemoryStream(bytes), "file").ToMono();
        using var reader = PcmStreamReader.OpenWav(new NonSeekableStream(bytes, maxRead), "stdin");
        Assert.Equal(22050, reader.SampleRate);
        Assert.Equal(channels, reader.Channels);
        Assert.Equal(expected, ReadAllMono(reader, chunk));
        Assert.Equal(12_000, reader.FramesRead);
    }

    [Fact]
    public void Raw_stream_drops_a_partial_final_frame()
    {
        byte[] bytes = WavFileBuilder.S16(100, 300, -200, 0, 5); // 2 stereo frames + half a frame
        using var reader = PcmStreamReader.OpenRaw(new NonSeekableStream(bytes, 3), RawPcmFormat.S16Le, 16000, 2, "stdin");
        Assert.Equal(new[] { (100f / 32768f + 300f / 32768f) / 2f, (-200f / 32768f + 0f) / 2f }, ReadAllMono(reader, 10));
    }

    [Fact]
    public void Wav_with_placeholder_data_size_streams_to_end()
    {
        byte[] bytes = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(WavFileBuilder.S16(1, 2, 3), 0xFFFFFFFF).RiffSize(0xFFFFFFFF).ToArray();
        using var reader = PcmStreamReader.OpenWav(new NonSeekableStream(bytes), "stdin");
        Assert.Equal(new[] { 1f / 32768f, 2f / 32768f, 3f / 32768f }, ReadAllMono(reader, 2));
    }

    [Fact]
    public void Wav_whose_data_ends_early_throws_truncated_data_after_delivering_what_arrived()
    {
        byte[] bytes = new WavFileBuilder().Fmt(1, 1, 16000, 16).Data(WavFileBuilder.S16(1, 2, 3), 100).ToArray();
        using var reader = PcmStreamReader.OpenWav(new NonSeekableStream(bytes), "stdin");
        var buffer = new float[16];
        Assert.Equal(3, reader.ReadMono(buffer));
        var ex = Assert.Throws<AudioFormatException>(() => reader.ReadMono(buffer));
        Assert.Equal("stdin: truncated data: stream ended 94 bytes before the end of the declared data chunk", ex.Message);
    }

    [Fact]
    public void Bad_header_throws_at_open()
    {
        var ex = Assert.Throws<AudioFormatException>(() => PcmStreamReader.OpenWav(new NonSeekableStream("ID3\u0003xxxxxxxxx"u8.ToArray()), "stdin"));
        Assert.Equal("stdin: not a WAV file: looks like an MP3 file (ID3 tag)", ex.Message);
    }

    [Fact]
    public void Reading_allocates_nothing_after_open()
    {
        byte[] bytes = new byte[2 * 2 * 200_000];
        new Random(3).NextBytes(bytes);
        var stream = new NonSeekableStream(bytes, 1000);
        using var reader = PcmStreamReader.OpenRaw(stream, RawPcmFormat.S16Le, 16000, 2, "stdin");
        var buffer = new float[512];
        reader.ReadMono(buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long frames = 0;
        int n;
        while ((n = reader.ReadMono(buffer)) > 0)
            frames += n;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(frames > 190_000);
    }

    [Fact]
    public void Disposed_reader_throws()
    {
        var reader = PcmStreamReader.OpenRaw(new MemoryStream(new byte[8]), RawPcmFormat.S16Le, 16000, 1, "x");
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadMono(new float[4]));
    }
}
