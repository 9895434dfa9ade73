using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>Corrupted and cut-off files must give AudioFormatException (or a valid clip), never anything else.</summary>
[Trait("Category", "unit")]
public sealed class WavReaderRobustnessTests
{
    private static byte[] ValidFile() => new WavFileBuilder()
        .Chunk("LIST", "INFOISFT\u0005\0\0\0Lavf\0"u8.ToArray())
        .FmtExtensible(1, 2, 44100, 24, 24)
        .Chunk("fact", [50, 0, 0, 0])
        .Data(WavFileBuilder.S24(Enumerable.Range(0, 100).Select(i => (i - 50) * 100_000).ToArray()))
        .ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_prefix_of_a_valid_file_is_rejected_with_a_format_error(bool seekable)
    {
        byte[] full = ValidFile();
        for (int length = 0; length < full.Length; length++)
        {
            byte[] prefix = full[..length];
            Stream s = seekable ? new MemoryStream(prefix) : new NonSeekableStream(prefix, 11);
            var ex = Assert.Throws<AudioFormatException>(() => WavReader.Read(s, "cut.wav"));
            Assert.StartsWith("cut.wav: ", ex.Message, StringComparison.Ordinal);
        }
        Assert.Equal(100, WavReader.Read(new MemoryStream(full), "full.wav").Interleaved.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Random_header_corruption_gives_a_clip_or_AudioFormatException(bool seekable)
    {
        byte[] valid = ValidFile();
        var rng = new Random(seekable ? 11 : 12);
        int clips = 0, errors = 0;
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            byte[] bytes = (byte[])valid.Clone();
            int edits = rng.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                // Mostly the header region (first 100 bytes), where the sizes and format live.
                int at = rng.Next(0, Math.Min(bytes.Length, 100));
                bytes[at] = rng.Next(4) == 0 ? (byte)0xFF : (byte)rng.Next(256);
            }
            Stream s = seekable ? new MemoryStream(bytes) : new NonSeekableStream(bytes, 13);
            try
            {
                var clip = WavReader.Read(s, "fuzz.wav");
                Assert.True(clip.Interleaved.Length <= bytes.Length, "more samples than input bytes");
                clips++;
            }
            catch (AudioFormatException ex)
            {
                Assert.StartsWith("fuzz.wav: ", ex.Message, StringComparison.Ordinal);
                errors++;
            }
        }
        Assert.True(errors > 0 && clips > 0, $"clips {clips}, errors {errors}");
    }
}
