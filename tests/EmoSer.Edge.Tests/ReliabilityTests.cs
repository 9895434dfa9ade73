using System.Globalization;
using System.Text;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Edge.Tests;

/// <summary>
/// The CLI side of issue 19's reproductions: every hostile input gives exit code 1 and one line of ours naming the
/// file and the problem, before the work it would have caused; long input points to <c>emoser stream</c>, which
/// takes any length.
/// </summary>
[Trait("Category", "unit")]
public sealed class ReliabilityTests
{
    private static string Shipped => Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");

    private static float[] Voice(double seconds, int rate = 16000) =>
        [.. TestSignals.Chirp16(rate, seconds).Select(s => s / 32768f)];

    private static byte[] FloatWav(float[] samples, int rate = 16000)
    {
        using var ms = new MemoryStream();
        WavWriter.Write(ms, samples, rate, 1, WavSampleFormat.Float32);
        return ms.ToArray();
    }

    private static void AssertRefused(CliResult r, string expected)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.Stdout);
        Assert.Equal(expected + "\n", r.Stderr);
    }

    [Theory]
    [InlineData(1e20f)]
    [InlineData(3e38f)]
    public void A_float_wav_with_one_huge_sample_is_bad_input(float huge)
    {
        float[] voice = Voice(1.0);
        voice[4000] = huge;
        using TempFile file = CliRunner.TempFile(FloatWav(voice));
        string value = huge.ToString("R", CultureInfo.InvariantCulture);
        AssertRefused(CliRunner.Run("classify", "--model", Shipped, file.Path),
            $"emoser: {file.Path}: sample {value} at frame 4000 is beyond ±65536 (96 dB above full scale): the features would overflow");
        // JSON output: the batch's error line in the result's place on stdout, nothing else.
        CliResult json = CliRunner.Run("classify", "--json", "--model", Shipped, file.Path);
        Assert.True(json.ExitCode == 1, json.ToString());
        Assert.Equal("", json.Stderr);
        System.Text.Json.JsonElement line = Assert.Single(json.JsonLines);
        Assert.Equal(file.Path, line.GetProperty("file").GetString());
        Assert.Equal($"sample {value} at frame 4000 is beyond ±65536 (96 dB above full scale): the features would overflow", line.GetProperty("error").GetString());
    }

    [Fact]
    public void Raw_f32_with_one_huge_sample_is_bad_input()
    {
        float[] voice = Voice(1.0);
        voice[100] = 1e20f;
        byte[] raw = new byte[voice.Length * 4];
        Buffer.BlockCopy(voice, 0, raw, 0, raw.Length);
        AssertRefused(CliRunner.Run(raw, "classify", "--model", Shipped, "--raw", "--sample-format", "f32le", "--rate", "16000", "-"),
            "emoser: <stdin>: sample 1E+20 at frame 100 is beyond ±65536 (96 dB above full scale): the features would overflow: is the input really f32le?");
    }

    [Fact]
    public void A_weights_file_with_a_weight_of_1e38_is_refused_at_load()
    {
        ModelDefinition d = ModelFileReader.Read(Shipped);
        d.Members[0].Layers[0].Tensors[0].Data[3] = 1e38f;
        using TempFile model = CliRunner.TempFile(ModelFileWriter.Encode(d).Bytes, ".emow");
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        AssertRefused(CliRunner.Run("classify", "--model", model.Path, wav.Path),
            $"emoser: {model.Path}: member 0 layer 0 (Conv1D): tensor 'm0.l0.weight' holds 1E+38 at index 3; weights must be finite numbers within ±1e6");
    }

    [Fact]
    public void A_model_of_another_extractor_version_is_bad_input_not_an_internal_error()
    {
        using TempFile model = CliRunner.TempFile(ModelFileWriter.Serialize(ModelDefinitions.WithExtractorVersion(ModelFileReader.Read(Shipped), 99)), ".emow");
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        AssertRefused(CliRunner.Run("classify", "--model", model.Path, wav.Path),
            $"emoser: {model.Path}: model 'model-a' was trained with feature extractor version 99; this runtime has version 1");
    }

    [Fact]
    public void A_speaker_profile_with_a_mean_of_1e308_is_refused_at_load()
    {
        using TempFile profile = CliRunner.TempFile(Encoding.UTF8.GetBytes(HostileInputs.ProfileWithMean1e308()), ".json");
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        AssertRefused(CliRunner.Run("classify", "--model", Shipped, "--speaker", profile.Path, wav.Path),
            $"emoser: {profile.Path}: \"mean\"[0] is 1E+308; every mean must be a finite number within ±1e18");
    }

    [Fact]
    public void A_rate_field_of_16_hz_is_refused_before_the_samples_are_read()
    {
        byte[] wav = TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000);
        BitConverter.GetBytes(16).CopyTo(wav, 24);
        BitConverter.GetBytes(32).CopyTo(wav, 28);
        using TempFile file = CliRunner.TempFile(wav);
        AssertRefused(CliRunner.Run("classify", "--model", Shipped, file.Path), $"emoser: {file.Path}: sample rate 16 Hz is below the minimum of 8000 Hz");
    }

    [Fact]
    public void Endless_raw_stdin_stops_at_the_limit_and_points_to_stream()
    {
        var zeros = new GeneratedStream([], long.MaxValue, seekable: false);
        AssertRefused(CliRunner.Run(zeros, "classify", "--model", Shipped, "--raw", "--rate", "16000", "--max-duration", "3", "-"),
            "emoser: <stdin>: the audio is longer than the 3 s limit (reading stopped there): 'emoser stream' classifies recordings of any length window by window (or raise --max-duration)");
        Assert.InRange(zeros.BytesRead, 3 * 16000 * 2, (3 * 16000 * 2) + (128 * 1024));
    }

    [Fact]
    public void A_streaming_wav_header_with_endless_data_stops_at_the_default_limit()
    {
        byte[] head = TestAudio.Wav16([], 16000);
        BitConverter.GetBytes(uint.MaxValue).CopyTo(head, 4);
        BitConverter.GetBytes(uint.MaxValue).CopyTo(head, 40);
        var input = new GeneratedStream(head, long.MaxValue, seekable: false);
        AssertRefused(CliRunner.Run(input, "classify", "--model", Shipped, "-"),
            "emoser: <stdin>: the audio is longer than the 600 s limit (reading stopped there): 'emoser stream' classifies recordings of any length window by window (or raise --max-duration)");
        Assert.InRange(input.BytesRead, 600L * 16000 * 2, (600L * 16000 * 2) + (128 * 1024));
    }

    [Fact]
    public void A_valid_two_gib_wav_is_refused_from_its_header()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emoser-edge-{Guid.NewGuid():N}.wav");
        try
        {
            const long DataBytes = (2L << 30) - 44;
            byte[] head = TestAudio.Wav16([], 16000);
            BitConverter.GetBytes((uint)(DataBytes + 36)).CopyTo(head, 4);
            BitConverter.GetBytes((uint)DataBytes).CopyTo(head, 40);
            using (var f = new FileStream(path, FileMode.CreateNew))
            {
                f.Write(head);
                f.SetLength(head.Length + DataBytes); // sparse: no disk used
            }
            AssertRefused(CliRunner.Run("classify", "--model", Shipped, path),
                $"emoser: {path}: 18.6 h (67109 s) of audio is longer than the 600 s limit: 'emoser stream' classifies recordings of any length window by window (or raise --max-duration)");
            AssertRefused(CliRunner.Run("enroll", "--model", Shipped, "--out", path + ".json", path),
                $"emoser: {path}: 18.6 h (67109 s) of audio is longer than the 600 s limit: enroll utterances, not whole recordings (or raise --max-duration)\n"
                + $"emoser: {path}.json: not written: the input could not be read");
            Assert.False(File.Exists(path + ".json"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Stream_takes_what_classify_refuses()
    {
        // 12 minutes of a streaming header's endless kind (here it ends): classify refuses it, stream reads it all.
        const int Seconds = 720;
        byte[] head = TestAudio.Wav16([], 16000);
        BitConverter.GetBytes(uint.MaxValue).CopyTo(head, 4);
        BitConverter.GetBytes(uint.MaxValue).CopyTo(head, 40);
        long length = head.Length + (Seconds * 16000L * 2);
        CliResult refused = CliRunner.Run(new GeneratedStream(head, length, seekable: false), "classify", "--model", Shipped, "-");
        Assert.Equal(1, refused.ExitCode);
        CliResult streamed = CliRunner.Run(new GeneratedStream(head, length, seekable: false), "stream", "--model", Shipped, "-");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        // Silence throughout: one line per hop from the first full window to the end.
        Assert.Equal(Seconds - 2, streamed.Lines.Length);
        Assert.Equal(Seconds, streamed.JsonLines[^1].GetProperty("end").GetDouble(), 1);
    }

    [Fact]
    public void A_malformed_model_card_is_one_short_line_of_ours()
    {
        using TempFile model = CliRunner.TempFile(HostileInputs.WithMalformedCard(ModelFileReader.Read(Shipped)), ".emow");
        AssertRefused(CliRunner.Run("info", "--model", model.Path), $"emoser: {model.Path}: the model card is not valid JSON: unexpected 'p' at line 1, column 12");
    }

    [Fact]
    public void File_system_errors_are_described_in_our_words()
    {
        using TempFile wav = CliRunner.TempFile(TestAudio.Wav16(TestSignals.Chirp16(16000, 1.0), 16000));
        string missing = Path.Combine(Path.GetTempPath(), $"emoser-no-such-folder-{Guid.NewGuid():N}", "p.json");
        AssertRefused(CliRunner.Run("enroll", "--model", Shipped, "--out", missing, wav.Path), $"emoser: {missing}: cannot write: no such file or folder");
    }
}
