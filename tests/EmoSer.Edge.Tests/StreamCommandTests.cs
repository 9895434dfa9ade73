using System.Text.Json;

namespace EmoSer.Edge.Tests;

/// <summary>
/// <c>emoser stream</c> on generated signals: line shape, window timing, the silence gate, WAV and raw input,
/// and bad input mid-stream.
/// </summary>
[Trait("Category", "unit")]
public sealed class StreamCommandTests
{
    private const int Rate = 16000;

    /// <summary>2 s digital silence, 4 s noise at -20 dBFS, 3 s digital silence.</summary>
    private static short[] SilenceNoiseSilence(int rate = Rate)
    {
        short[] noise = TestSignals.Noise16(4 * rate, -20);
        return [.. new short[2 * rate], .. noise, .. new short[3 * rate]];
    }

    [Fact]
    public void Lines_follow_the_window_and_hop_and_gate_silence()
    {
        short[] signal = SilenceNoiseSilence();
        CliResult r = CliRunner.Run(TestSignals.ToBytes(signal),
            "stream", "--raw", "--rate", "16000", "--window", "1", "--hop", "0.5", "--model", TestModelFile.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        JsonElement[] lines = r.JsonLines;
        AssertTiming(lines, window: 1, hop: 0.5, duration: 9);

        int silent = 0, classified = 0;
        foreach (JsonElement line in lines)
        {
            double start = line.GetProperty("start").GetDouble(), end = line.GetProperty("end").GetDouble();
            bool inSilence = end <= 2 || start >= 6;
            bool inNoise = start >= 2 && end <= 6;
            bool silence = line.GetProperty("silence").GetBoolean();
            if (inSilence)
            {
                Assert.True(silence, $"window {start}-{end} is digital silence");
                Assert.Equal(JsonValueKind.Null, line.GetProperty("emotion").ValueKind);
                Assert.Equal(JsonValueKind.Null, line.GetProperty("confidence").ValueKind);
                Assert.Equal(JsonValueKind.Null, line.GetProperty("probabilities").ValueKind);
                silent++;
            }
            if (inNoise)
            {
                Assert.False(silence, $"window {start}-{end} is noise at -20 dBFS");
                AssertClassified(line);
                classified++;
            }
        }
        Assert.True(silent >= 6 && classified >= 5, $"{silent} silent and {classified} classified windows checked");
    }

    [Fact]
    public void Silence_threshold_is_configurable()
    {
        // Noise at -40 dBFS: above the default -50 dBFS gate, below a -30 dBFS gate.
        byte[] pcm = TestSignals.ToBytes(TestSignals.Noise16(4 * Rate, -40));
        JsonElement[] gated = CliRunner.Run(pcm, "stream", "--raw", "--rate", "16000", "--silence-db", "-30", "--model", TestModelFile.Path).JsonLines;
        JsonElement[] open = CliRunner.Run(pcm, "stream", "--raw", "--rate", "16000", "--model", TestModelFile.Path).JsonLines;
        Assert.NotEmpty(gated);
        Assert.All(gated, l => Assert.True(l.GetProperty("silence").GetBoolean()));
        Assert.Equal(gated.Length, open.Length);
        Assert.All(open, l => AssertClassified(l));
    }

    [Fact]
    public void Wav_at_another_rate_reports_times_in_input_seconds()
    {
        const int rate = 44100;
        byte[] wav = TestAudio.Wav16(SilenceNoiseSilence(rate), rate);
        CliResult r = CliRunner.Run(wav, "stream", "--window", "2", "--hop", "1", "--model", TestModelFile.Path);
        Assert.True(r.ExitCode == 0, r.ToString());
        AssertTiming(r.JsonLines, window: 2, hop: 1, duration: 9);
        JsonElement[] inNoise = [.. r.JsonLines.Where(l => l.GetProperty("start").GetDouble() >= 2 && l.GetProperty("end").GetDouble() <= 6)];
        Assert.Equal(2, inNoise.Length);
        Assert.All(inNoise, l => AssertClassified(l));
    }

    [Fact]
    public void Stream_from_a_file_argument_equals_stdin()
    {
        byte[] wav = TestAudio.Wav16(SilenceNoiseSilence(), Rate);
        using TempFile file = CliRunner.TempFile(wav);
        CliResult fromFile = CliRunner.Run("stream", "--model", TestModelFile.Path, file.Path);
        CliResult fromStdin = CliRunner.Run(wav, "stream", "--model", TestModelFile.Path);
        Assert.Equal(0, fromFile.ExitCode);
        Assert.Equal(fromStdin.Stdout, fromFile.Stdout);
    }

    [Fact]
    public void Truncated_wav_stream_keeps_the_lines_then_fails()
    {
        byte[] wav = TestAudio.Wav16(TestSignals.Noise16(6 * Rate, -20), Rate);
        byte[] cut = wav[..(44 + 5 * Rate * 2)];
        CliResult r = CliRunner.Run(cut, "stream", "--model", TestModelFile.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.NotEmpty(r.Lines);
        Assert.Equal($"emoser: <stdin>: truncated data: stream ended {Rate * 2} bytes before the end of the declared data chunk\n", r.Stderr);
    }

    [Fact]
    public void Arecords_unknown_length_on_a_pipe_runs_to_the_end_of_the_input()
    {
        // `arecord -f S16_LE -r 16000 -c 1 | emoser stream -`: arecord cannot know the length and writes 0x7FFFFF00.
        byte[] wav = TestAudio.Wav16(TestSignals.Noise16(5 * Rate, -20), Rate);
        BitConverter.GetBytes(0x7FFFFF00u + 36).CopyTo(wav, 4);
        BitConverter.GetBytes(0x7FFFFF00u).CopyTo(wav, 40);
        CliResult live = CliRunner.Run(wav, "stream", "--model", TestModelFile.Path, "-");
        Assert.True(live.ExitCode == 0, live.ToString());
        Assert.Equal(CliRunner.Run(TestAudio.DataChunkOf(TestAudio.Wav16(TestSignals.Noise16(5 * Rate, -20), Rate)), "stream", "--model", TestModelFile.Path,
            "--raw", "--rate", "16000").Stdout, live.Stdout);
        // The same bytes saved to a file (`arecord | tee rec.wav`) read to the end of the file alike.
        using TempFile file = CliRunner.TempFile(wav);
        CliResult saved = CliRunner.Run("stream", "--model", TestModelFile.Path, file.Path);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.Equal(live.Stdout, saved.Stdout);
    }

    [Fact]
    public void Empty_and_non_audio_stdin_are_bad_input()
    {
        CliResult empty = CliRunner.Run("stream", "--model", TestModelFile.Path);
        Assert.Equal(1, empty.ExitCode);
        Assert.Equal("emoser: <stdin>: empty input (0 bytes)\n", empty.Stderr);
        CliResult text = CliRunner.Run("hello world, no audio"u8.ToArray(), "stream", "--model", TestModelFile.Path);
        Assert.Equal(1, text.ExitCode);
        Assert.Equal("emoser: <stdin>: not a WAV file: no RIFF header (starts with 68 65 6C 6C)\n", text.Stderr);
    }

    /// <summary>
    /// The documented timing (EmotionStream): the i-th line is due when window + i·hop seconds have arrived; its
    /// window is exactly <paramref name="window"/> long, aligned to the 512-sample frame grid of the 16 kHz model
    /// rate, so it ends at most 511 samples before that point. After the last hop, the end of the input gets one
    /// more line (the newest full window) unless a line just ended there.
    /// </summary>
    private static void AssertTiming(JsonElement[] lines, double window, double hop, double duration)
    {
        const double Grid = 512.0 / 16000;
        Assert.NotEmpty(lines);
        double previousEnd = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            JsonElement line = lines[i];
            Assert.Equal(["start", "end", "silence", "emotion", "confidence", "probabilities"], line.EnumerateObject().Select(p => p.Name));
            double start = line.GetProperty("start").GetDouble(), end = line.GetProperty("end").GetDouble();
            Assert.True(end > previousEnd, $"line {i}: end {end} not after {previousEnd}");
            Assert.Equal(window, end - start, 9);
            double due = window + i * hop;
            if (due <= duration + 1e-9)
                Assert.True(end <= due + 1e-9 && end > due - Grid, $"line {i}: window {start}-{end}, due at {due}");
            else
                Assert.Equal(lines.Length - 1, i);
            previousEnd = end;
        }
        Assert.True(previousEnd > duration - Grid - 1e-9, $"the last window ends at {previousEnd}, the input at {duration}");
        Assert.Equal((int)Math.Floor((duration - window) / hop + 1e-9) + 1 + (IsOnHop(duration, window, hop) ? 0 : 1), lines.Length);
    }

    private static bool IsOnHop(double duration, double window, double hop)
    {
        double k = (duration - window) / hop;
        return Math.Abs(k - Math.Round(k)) < 1e-9;
    }

    private static void AssertClassified(JsonElement line)
    {
        Assert.False(line.GetProperty("silence").GetBoolean());
        JsonProperty[] p = [.. line.GetProperty("probabilities").EnumerateObject()];
        Assert.Equal(TestModelFile.Labels, p.Select(x => x.Name));
        float[] values = [.. p.Select(x => x.Value.GetSingle())];
        Assert.InRange(values.Sum(), 1 - 1e-5, 1 + 1e-5);
        int top = Array.IndexOf(values, values.Max());
        Assert.Equal(TestModelFile.Labels[top], line.GetProperty("emotion").GetString());
        Assert.Equal(values[top], line.GetProperty("confidence").GetSingle());
    }
}
