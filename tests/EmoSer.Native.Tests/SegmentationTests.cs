using System.Runtime.InteropServices;
using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>
/// <c>emoser_classify_segments_f32/_s16</c> against the runtime's one segmentation
/// (<see cref="EmotionClassifier.ClassifySegments(AudioClip, double, EmoSer.Runtime.Speakers.SpeakerProfile?)"/>), the one
/// the CLI and the HTTP API use (EmoSer.Serve.Tests' SegmentationParityTests): the same timeline of a 44.1 kHz stereo
/// file, and specific errors for bad arguments.
/// </summary>
[Trait("Category", "native")]
public sealed class SegmentationTests
{
    /// <summary>The C layout of <c>emoser_segment</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Segment
    {
        public double Start;
        public double End;
        public int LabelIndex;
        public float Confidence;
    }

    private const int Labels = 7;
    private const int Capacity = 16;

    private static unsafe delegate* unmanaged<nint, float*, long, int, int, double, void*, Segment*, float*, long, long*, int> SegmentsF32 =>
        (delegate* unmanaged<nint, float*, long, int, int, double, void*, Segment*, float*, long, long*, int>)LibEmoser.Export("emoser_classify_segments_f32");

    private static unsafe delegate* unmanaged<nint, short*, long, int, int, double, void*, Segment*, float*, long, long*, int> SegmentsS16 =>
        (delegate* unmanaged<nint, short*, long, int, int, double, void*, Segment*, float*, long, long*, int>)LibEmoser.Export("emoser_classify_segments_s16");

    [Fact]
    public async Task C_timeline_of_a_44k_stereo_file_equals_the_runtime_and_the_cli_of_the_same_build()
    {
        nint library = LibEmoser.Library;
        Assert.NotEqual(0, library);
        TestData.RequireEmoDb();
        // The file of SegmentationParityTests: three utterances of different speakers and emotions, about 7 s, at
        // 44.1 kHz in two unequal channels (right at 0.8 gain), 16-bit.
        string[] files = TestData.EmoDbFiles();
        string[] picks = [.. new[] { "03a01Wa", "08a02Tb", "10a04Fd" }.Select(id => files.First(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)))];
        float[] mono = Resampler.Resample([.. picks.SelectMany(f => AudioFile.Read(f).ToMono())], 16000, 44100);
        var stereo = new float[2 * mono.Length];
        for (int i = 0; i < mono.Length; i++)
            (stereo[2 * i], stereo[2 * i + 1]) = (mono[i], mono[i] * 0.8f);
        string path = Path.Combine(Path.GetTempPath(), $"emoser-native-segments-{Guid.NewGuid():N}.wav");
        WavWriter.WriteFile(path, stereo, 44100, 2, WavSampleFormat.Pcm16);
        try
        {
            const double SegmentSeconds = 2;
            AudioClip clip = AudioFile.Read(path);
            Assert.Equal((44100, 2), (clip.SampleRate, clip.Channels));
            var model = EmotionModel.Load(TestData.EmoDbModelPath);
            IReadOnlyList<SegmentClassification> expected = new EmotionClassifier(model).ClassifySegments(clip, SegmentSeconds);
            Assert.True(expected.Count >= 3, $"{expected.Count} segments");

            nint m = LoadEmoDbModel();
            try
            {
                float[] f32 = clip.Interleaved.ToArray();
                short[] s16 = [.. f32.Select(s => (short)Math.Round(s * 32768f))];
                var (segF32, probsF32) = Timeline(m, f32, null, clip.Channels, clip.SampleRate, SegmentSeconds);
                var (segS16, probsS16) = Timeline(m, null, s16, clip.Channels, clip.SampleRate, SegmentSeconds);
                // The file is 16-bit: both entry points see the same samples, so they give the same bits.
                Assert.Equal(segF32, segS16);
                Assert.Equal(probsF32, probsS16);

                // The managed runtime (JIT): the same bounds and labels; the probabilities within 1e-5 (equal bits on an
                // AVX2 host, but a JIT on an AVX-512 host takes wider TensorPrimitives paths than the x86-64-v3 library).
                Assert.Equal(expected.Count, segF32.Length);
                for (int i = 0; i < expected.Count; i++)
                {
                    SegmentClassification want = expected[i];
                    Assert.Equal((want.Start, want.End), (segF32[i].Start, segF32[i].End));
                    Assert.Equal(want.Classification.TopIndex, segF32[i].LabelIndex);
                    Assert.Equal(probsF32[i][segF32[i].LabelIndex], segF32[i].Confidence);
                    for (int k = 0; k < Labels; k++)
                        Assert.True(Math.Abs(want.Classification.Probabilities[k] - probsF32[i][k]) <= 1e-5f,
                            $"segment {i} label {k}: C {probsF32[i][k]:R}, runtime {want.Classification.Probabilities[k]:R}");
                }

                // The AOT CLI of the same build (the runtime compiled as in the library): the same bits.
                string cli = Path.Combine(NativeTarget.X64.LibraryDir, "emoser");
                if (!File.Exists(cli))
                    Assert.Skip($"SKIPPED: {cli} not found; scripts/publish-native.sh linux-x64 publishes it beside libemoser.so.");
                ProcessResult run = await ProcessRunner.RunAsync([cli, "classify", path, "--segment", "2", "--json", "--model", TestData.EmoDbModelPath],
                    null, null, 300);
                Assert.True(run.ExitCode == 0, run.ToString());
                JsonElement segments = JsonDocument.Parse(run.StdOut.Trim()).RootElement.GetProperty("segments");
                Assert.Equal(segF32.Length, segments.GetArrayLength());
                for (int i = 0; i < segF32.Length; i++)
                {
                    JsonElement c = segments[i];
                    Assert.Equal((c.GetProperty("start").GetDouble(), c.GetProperty("end").GetDouble()), (segF32[i].Start, segF32[i].End));
                    Assert.Equal(c.GetProperty("emotion").GetString(), model.Labels[segF32[i].LabelIndex]);
                    for (int k = 0; k < Labels; k++)
                        Assert.Equal(c.GetProperty("probabilities").GetProperty(model.Labels[k]).GetSingle(), probsF32[i][k]);
                }
            }
            finally
            {
                Free(m);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-2.0, "-2")]
    [InlineData(0.05, "0.05")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public unsafe void A_segment_length_below_0_1_s_or_not_finite_is_invalid_argument(double seconds, string shown)
    {
        float[] tone = StereoTone(5);
        nint m = LoadEmoDbModel();
        try
        {
            var segments = new Segment[Capacity];
            long count = -7;
            fixed (float* samples = tone)
            fixed (Segment* seg = segments)
            {
                Assert.Equal(-2, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, seconds, null, seg, null, Capacity, &count));
            }
            Assert.Equal($"segment_s must be a finite number of seconds of at least 0.1, got {shown}", LibEmoser.LastError());
            Assert.Equal(-7, count);
            Assert.All(segments, s => Assert.Equal(default, s));
        }
        finally
        {
            Free(m);
        }
    }

    [Fact]
    public unsafe void A_capacity_below_the_segment_count_is_buffer_too_small_and_reports_the_count()
    {
        // 5 s in 2 s segments: [0, 2), [2, 4), [4, 5) (the 1 s remainder is half a segment: classified alone).
        float[] tone = StereoTone(5);
        nint m = LoadEmoDbModel();
        try
        {
            var segments = new Segment[Capacity];
            var probs = new float[Capacity * Labels];
            long count = -7;
            fixed (float* samples = tone)
            fixed (Segment* seg = segments)
            fixed (float* p = probs)
            {
                Assert.Equal(-4, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, seg, p, 2, &count));
                Assert.Equal("capacity is 2 but the audio gives 3 segments of 2 s", LibEmoser.LastError());
                Assert.Equal(3, count);
                Assert.All(segments, s => Assert.Equal(default, s));
                Assert.All(probs, v => Assert.Equal(0f, v));

                // A count query: no buffers, capacity 0.
                count = -7;
                Assert.Equal(-4, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, null, null, 0, &count));
                Assert.Equal(3, count);

                // Enough room: the timeline, with probabilities that sum to 1.
                Assert.Equal(0, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, seg, p, 3, &count));
                Assert.Equal(3, count);
                Assert.Equal(new[] { (0.0, 2.0), (2.0, 4.0), (4.0, 5.0) }, segments[..3].Select(s => (s.Start, s.End)));
                Assert.Equal(default, segments[3]);
                for (int i = 0; i < 3; i++)
                    Assert.Equal(1.0, probs.Skip(i * Labels).Take(Labels).Sum(), 1e-5);

                // Required pointers.
                Assert.Equal(-1, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, seg, p, 3, null));
                Assert.Equal("count_out is NULL", LibEmoser.LastError());
                Assert.Equal(-1, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, null, p, 3, &count));
                Assert.Equal("segments_out is NULL", LibEmoser.LastError());
                Assert.Equal(-2, SegmentsF32(m, samples, tone.Length / 2, 44100, 2, 2, null, seg, p, -1, &count));
                Assert.Equal("capacity must be >= 0, got -1", LibEmoser.LastError());
            }
        }
        finally
        {
            Free(m);
        }
    }

    /// <summary>A 220 Hz tone of <paramref name="seconds"/> at 44.1 kHz in two channels (deterministic: needs no corpus).</summary>
    private static float[] StereoTone(double seconds)
    {
        int frames = (int)(seconds * 44100);
        var interleaved = new float[2 * frames];
        for (int i = 0; i < frames; i++)
        {
            float v = 0.3f * MathF.Sin(2 * MathF.PI * 220 * i / 44100f);
            (interleaved[2 * i], interleaved[2 * i + 1]) = (v, 0.5f * v);
        }
        return interleaved;
    }

    private static unsafe (Segment[] Segments, float[][] Probabilities) Timeline(nint m, float[]? f32, short[]? s16, int channels, int rate, double seconds)
    {
        var segments = new Segment[Capacity];
        var probs = new float[Capacity * Labels];
        long count;
        int status;
        fixed (Segment* seg = segments)
        fixed (float* p = probs)
        {
            if (f32 is not null)
            {
                fixed (float* samples = f32)
                    status = SegmentsF32(m, samples, f32.Length / channels, rate, channels, seconds, null, seg, p, Capacity, &count);
            }
            else
            {
                fixed (short* samples = s16)
                    status = SegmentsS16(m, samples, s16!.Length / channels, rate, channels, seconds, null, seg, p, Capacity, &count);
            }
        }
        Assert.True(status == 0, $"status {status}: {LibEmoser.LastError()}");
        return (segments[..(int)count], [.. Enumerable.Range(0, (int)count).Select(i => probs[(i * Labels)..((i + 1) * Labels)])]);
    }

    private static unsafe nint LoadEmoDbModel()
    {
        var loadNamed = (delegate* unmanaged<byte*, nint*, int>)LibEmoser.Export("emoser_model_load_named");
        nint model;
        fixed (byte* name = "emodb\0"u8)
            Assert.Equal(0, loadNamed(name, &model));
        return model;
    }

    private static unsafe void Free(nint model) =>
        Assert.Equal(0, ((delegate* unmanaged<nint, int>)LibEmoser.Export("emoser_model_free"))(model));
}
