using System.Diagnostics;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>
/// Files generated at test time by Debian's sox, flac and ffmpeg from examples/audio/sample.wav (skipped, with a
/// message, when a tool is missing; scripts/ci/install-packages.sh installs them): AIFF and FLAC in many variants
/// decode bit-exactly to the tool's own WAV, and the compressed formats decode through ffmpeg.
/// </summary>
[Trait("Category", "unit")]
public sealed class AudioToolTests : IDisposable
{
    private readonly TempFolder _dir = new();

    private static string Sample => Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> FlacVariants() => new()
    {
        // name, then sox options making the source WAV | flac options
        { "16k-mono-level0", "-b 16|-0" },
        { "16k-mono-level8", "-b 16|-8" },
        { "16k-mono-blocksize192", "-b 16|--blocksize=192" },
        { "16k-mono-blocksize16384", "-b 16|--lax --blocksize=16384" },
        { "16k-mono-exhaustive", "-b 16|-e -p -l 12" },
        { "48k-stereo-16-nomidside", "-r 48000 -c 2 -b 16|-5 -m -M --no-mid-side" },
        { "48k-stereo-16-adaptive-midside", "-r 48000 -c 2 -b 16|-5 -M" },
        { "44k-stereo-24", "-r 44100 -c 2 -b 24|-8" },
        { "22k-mono-32", "-r 22050 -b 32|-5" },
        { "16k-6ch-16", "-c 6 -b 16|-5" },
        { "8k-mono-8", "-r 8000 -b 8|-5" },
    };

    [Theory]
    [MemberData(nameof(FlacVariants))]
    public void Flac_made_by_flac_decodes_to_flacs_own_wav(string name, string options)
    {
        Require("sox", "flac");
        string[] parts = options.Split('|');
        string source = Path.Combine(_dir.Path, name + ".src.wav");
        string flac = Path.Combine(_dir.Path, name + ".flac");
        string decoded = Path.Combine(_dir.Path, name + ".dec.wav");
        // Channels beyond the first are other mixes of the sample (remix), so stereo decorrelation has work to do.
        Run("sox", [Sample, "-D", .. Split(parts[0]), source, .. RemixFor(parts[0])]);
        Run("flac", ["-s", "-f", .. Split(parts[1]), "-o", flac, source]);
        Run("flac", ["-s", "-f", "-d", "-o", decoded, flac]);
        AudioFileFixtureTests.AssertSameSamples(WavReader.ReadFile(decoded), AudioFile.Read(flac));
    }

    public static TheoryData<string, string> AiffVariants() => new()
    {
        { "16k-mono-16.aiff", "-b 16" },
        { "44k-stereo-24.aiff", "-r 44100 -c 2 -b 24" },
        { "22k-mono-32.aiff", "-r 22050 -b 32" },
        { "11k-stereo-8.aiff", "-r 11025 -c 2 -b 8" },
        { "16k-mono-f32.aifc", "-e floating-point -b 32 -t aifc" },
        { "16k-stereo-f64.aifc", "-c 2 -e floating-point -b 64 -t aifc" },
        { "16k-mono-16.aifc", "-b 16 -t aifc" },
    };

    [Theory]
    [MemberData(nameof(AiffVariants))]
    public void Aiff_made_by_sox_decodes_to_soxs_own_wav(string name, string options)
    {
        Require("sox");
        string aiff = Path.Combine(_dir.Path, name);
        string wav = Path.Combine(_dir.Path, name + ".wav");
        Run("sox", [Sample, "-D", .. Split(options), aiff, .. RemixFor(options)]);
        Run("sox", [aiff, "-D", wav]);
        AudioFileFixtureTests.AssertSameSamples(WavReader.ReadFile(wav), AudioFile.Read(aiff));
    }

    public static TheoryData<string, string> CompressedVariants() => new()
    {
        { "sample.mp3", "-c:a libmp3lame -b:a 128k" },
        { "sample.ogg", "-c:a libvorbis -q:a 5" },
        { "sample.opus", "-c:a libopus -b:a 48k" },
        { "sample.m4a", "-c:a aac -b:a 128k" },
        { "sample.aac", "-c:a aac -b:a 128k -f adts" },
        { "sample.webm", "-c:a libopus -b:a 48k" },
    };

    [Theory]
    [MemberData(nameof(CompressedVariants))]
    public void Compressed_formats_decode_through_ffmpeg(string name, string options)
    {
        Require("ffmpeg");
        string file = Path.Combine(_dir.Path, name);
        Run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-i", Sample, .. Split(options), file]);
        AudioClip wav = WavReader.ReadFile(Sample);
        AudioClip clip = AudioFile.Read(file, AudioFileOptions.WithFfmpeg);
        // Lossy codecs pad and resample: the duration agrees within codec delay, and the signal is the same speech.
        Assert.InRange(clip.DurationSeconds, wav.DurationSeconds - 0.01, wav.DurationSeconds + 0.12);
        Assert.Equal(1, clip.Channels);
        double rms = Math.Sqrt(clip.Interleaved.Average(v => (double)v * v));
        double reference = Math.Sqrt(wav.Interleaved.Average(v => (double)v * v));
        Assert.InRange(rms, reference * 0.8, reference * 1.25);

        // Without ffmpeg the message names the format and how to enable it; the name of the file plays no part.
        string renamed = Path.Combine(_dir.Path, "renamed.wav");
        File.Copy(file, renamed);
        var off = Assert.Throws<AudioFormatException>(() => AudioFile.Read(renamed));
        Assert.Contains("audio is not decoded here (WAV, AIFF and FLAC are)", off.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<AudioFormatException>(() => AudioFile.Read(renamed, new AudioFileOptions { Ffmpeg = "/nonexistent/ffmpeg" }));
        Assert.Contains("audio needs ffmpeg, and '/nonexistent/ffmpeg' does not exist: install ffmpeg", missing.Message, StringComparison.Ordinal);
        // From memory (an upload): through a temporary file in the directory asked for, removed afterwards. A directory
        // of its own: /tmp is shared with the other test processes, which decode uploads at the same time.
        string spool = Directory.CreateDirectory(Path.Combine(_dir.Path, "spool")).FullName;
        AudioClip fromMemory = AudioFile.Decode(File.ReadAllBytes(file), "upload", AudioFileOptions.WithFfmpeg with { TemporaryDirectory = spool });
        Assert.Equal(clip.Interleaved.Length, fromMemory.Interleaved.Length);
        Assert.Empty(Directory.GetFileSystemEntries(spool));
        var unwritable = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(File.ReadAllBytes(file), "upload",
            AudioFileOptions.WithFfmpeg with { TemporaryDirectory = Path.Combine(spool, "absent") }));
        Assert.StartsWith("upload: cannot write a temporary file for ffmpeg: ", unwritable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ffmpeg_errors_are_one_line_naming_the_input_and_never_the_temporary_file()
    {
        Require("ffmpeg");
        byte[] mp3 = [0xFF, 0xFB, 0x90, 0x64, .. new byte[400]];
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Decode(mp3, "broken.mp3", AudioFileOptions.WithFfmpeg));
        Assert.StartsWith("broken.mp3: MP3 data could not be decoded (ffmpeg: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("emoser-", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Compressed_audio_longer_than_the_limit_is_refused()
    {
        Require("ffmpeg");
        string file = Path.Combine(_dir.Path, "long.mp3");
        Run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "30", "-c:a", "libmp3lame", file]);
        var e = Assert.Throws<AudioTooLongException>(() => AudioFile.Read(file, AudioFileOptions.WithFfmpeg with { MaxDurationSeconds = 5 }));
        Assert.Equal($"{file}: the audio is longer than the 5 s limit (reading stopped there)", e.Message);
        Assert.InRange(AudioFile.Read(file, AudioFileOptions.WithFfmpeg).DurationSeconds, 29.9, 30.2);
    }

    private static string[] RemixFor(string soxOptions)
    {
        string[] tokens = Split(soxOptions);
        int at = Array.IndexOf(tokens, "-c");
        int channels = at >= 0 ? int.Parse(tokens[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 1;
        if (channels == 1)
            return [];
        // Channel k: the sample scaled by a different gain and polarity, so no two channels are equal.
        return ["remix", .. Enumerable.Range(0, channels).Select(k => $"1v{(k % 2 == 0 ? "" : "-")}{1.0 / (k + 1):0.###}")];
    }

    private static string[] Split(string options) => options.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    internal static void Require(params string[] tools)
    {
        foreach (string tool in tools)
        {
            bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));
            if (!found)
                Assert.Skip($"SKIPPED: '{tool}' is not installed (scripts/ci/install-packages.sh installs it).");
        }
    }

    internal static void Run(string tool, string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        string stderr = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
    }
}
