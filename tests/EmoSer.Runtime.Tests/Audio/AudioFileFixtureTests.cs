using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>
/// The AIFF and FLAC decoders against files made by SoX, flac and ffmpeg: each decodes to exactly the floats of the
/// WAV the same tool wrote from it (tests/fixtures/audio, made by its make-fixtures.sh; more variants are generated
/// by <see cref="AudioToolTests"/> when the tools are installed).
/// </summary>
[Trait("Category", "unit")]
public sealed class AudioFileFixtureTests
{
    private static string FixtureDir => Path.Combine(TestData.Fixtures, "audio");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Path.Combine(TestData.Fixtures, "audio")).Where(f => !f.EndsWith(".wav", StringComparison.Ordinal) && !f.EndsWith(".sh", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decodes_bit_exactly_to_the_tools_own_wav(string name)
    {
        string path = Path.Combine(FixtureDir, name);
        AudioClip reference = WavReader.ReadFile(Path.ChangeExtension(path, ".ref.wav"));
        AudioClip clip = AudioFile.Read(path);
        AssertSameSamples(reference, clip);
        // The same bytes through a pipe-like stream and from memory.
        byte[] bytes = File.ReadAllBytes(path);
        AssertSameSamples(reference, AudioFile.Read(new NonSeekableStream(bytes, 7), name));
        AssertSameSamples(reference, AudioFile.Decode(bytes, name));
    }

    [Fact]
    public void Fixtures_cover_both_decoders()
    {
        var names = Fixtures().Select(row => (string)row.Data).ToList();
        Assert.Contains(names, n => n.EndsWith(".aiff", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith(".aifc", StringComparison.Ordinal));
        Assert.True(names.Count(n => n.EndsWith(".flac", StringComparison.Ordinal)) >= 5);
    }

    [Fact]
    public void An_aiff_named_wav_is_read_as_aiff()
    {
        // TESS ships AIFF files named .wav: the bytes decide.
        using var dir = new TempFolder();
        string named = Path.Combine(dir.Path, "OAF_back_angry.wav");
        File.Copy(Path.Combine(FixtureDir, "aiff-16-mono.aiff"), named);
        AudioClip clip = AudioFile.Read(named);
        AssertSameSamples(WavReader.ReadFile(Path.Combine(FixtureDir, "aiff-16-mono.ref.wav")), clip);
    }

    [Fact]
    public void A_flac_behind_an_id3_tag_is_flac()
    {
        byte[] flac = File.ReadAllBytes(Path.Combine(FixtureDir, "flac-16-mono.flac"));
        // ID3v2.4 header with a 20-byte (syncsafe) body of padding.
        byte[] tagged = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 20, .. new byte[20], .. flac];
        AudioClip reference = WavReader.ReadFile(Path.Combine(FixtureDir, "flac-16-mono.ref.wav"));
        AssertSameSamples(reference, AudioFile.Decode(tagged, "tagged.flac"));
        using var dir = new TempFolder();
        string path = Path.Combine(dir.Path, "tagged.mp3");
        File.WriteAllBytes(path, tagged);
        AssertSameSamples(reference, AudioFile.Read(path));
    }

    [Fact]
    public void Wav_still_goes_through_the_wav_reader_with_its_messages()
    {
        // A file that declares more data than it holds keeps the WAV reader's specific error.
        byte[] wav = File.ReadAllBytes(Path.Combine(FixtureDir, "flac-16-mono.ref.wav"));
        using var dir = new TempFolder();
        string cut = Path.Combine(dir.Path, "cut.wav");
        File.WriteAllBytes(cut, wav[..(wav.Length / 2)]);
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Read(cut));
        Assert.Contains("data chunk larger than the file", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(cut + ": ", e.Message, StringComparison.Ordinal);
    }

    internal static void AssertSameSamples(AudioClip expected, AudioClip actual)
    {
        Assert.Equal(expected.SampleRate, actual.SampleRate);
        Assert.Equal(expected.Channels, actual.Channels);
        Assert.Equal(expected.Interleaved.Length, actual.Interleaved.Length);
        for (int i = 0; i < expected.Interleaved.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected.Interleaved[i]) != BitConverter.SingleToInt32Bits(actual.Interleaved[i]))
                Assert.Fail($"sample {i} (frame {i / expected.Channels}): expected {expected.Interleaved[i]:R}, got {actual.Interleaved[i]:R}");
        }
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("emoser-test-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
