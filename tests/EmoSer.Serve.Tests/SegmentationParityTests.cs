using System.Net.Http.Headers;
using System.Text.Json;
using EmoSer.Edge;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// One segmentation: <c>emoser classify --segment</c> and <c>POST /predict?segment=</c> give the runtime's timeline
/// (<see cref="EmotionClassifier.ClassifySegments(AudioClip, double, EmoSer.Runtime.Speakers.SpeakerProfile?)"/>) for a
/// 44.1 kHz stereo upload: the same bounds and the same probabilities, bit for bit. The C API's
/// <c>emoser_classify_segments_f32</c> is checked on the same file in EmoSer.Native.Tests' <c>SegmentationTests</c>
/// (against this runtime timeline and the AOT CLI of the same build).
/// </summary>
[Trait("Category", "golden")]
public sealed class SegmentationParityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cli_and_http_give_the_runtime_timeline_of_a_44k_stereo_file()
    {
        TestData.RequireEmoDb();
        // Three utterances of different speakers and emotions, about 7 s, at 44.1 kHz in two unequal channels.
        string[] files = TestData.EmoDbFiles();
        string[] picks = [.. new[] { "03a01Wa", "08a02Tb", "10a04Fd" }.Select(id => files.First(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)))];
        float[] joined = [.. picks.SelectMany(f => AudioFile.Read(f).ToMono())];
        byte[] wav = TestAudio.Convert(joined, 44100, 2);
        string path = Path.Combine(Path.GetTempPath(), $"emoser-segments-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, wav);
        try
        {
            const double Segment = 2;
            AudioClip clip = AudioFile.Read(path);
            Assert.Equal((44100, 2), (clip.SampleRate, clip.Channels));
            var model = EmotionModel.Load(RealModel.Weights(), "model-a.emow");
            IReadOnlyList<SegmentClassification> expected = new EmotionClassifier(model).ClassifySegments(clip, Segment);
            Assert.True(expected.Count >= 3, $"{expected.Count} segments");

            // The CLI, in process, with the served weights.
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            int code = Cli.Run(["classify", path, "--segment", "2", "--json", "--model", RealModel.Path],
                new CliContext(new MemoryStream(), stdout, stderr));
            Assert.True(code == 0, stderr.ToString());
            JsonElement cli = JsonDocument.Parse(stdout.ToString().Trim()).RootElement.GetProperty("segments");

            // The server.
            await using var server = await StartRealAsync();
            var content = new ByteArrayContent(wav);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
            JsonElement http = (await JsonAsync(await server.Client.PostAsync("/predict?segment=2", content, Ct))).GetProperty("timeline");

            Assert.Equal(expected.Count, cli.GetArrayLength());
            Assert.Equal(expected.Count, http.GetArrayLength());
            for (int i = 0; i < expected.Count; i++)
            {
                SegmentClassification want = expected[i];
                JsonElement c = cli[i], h = http[i];
                Assert.Equal((want.Start, want.End), (c.GetProperty("start").GetDouble(), c.GetProperty("end").GetDouble()));
                Assert.Equal((want.Start, want.End), (h.GetProperty("start").GetDouble(), h.GetProperty("end").GetDouble()));
                Assert.Equal(want.Classification.Emotion, c.GetProperty("emotion").GetString());
                Assert.Equal(want.Classification.Emotion, h.GetProperty("predicted_emotion").GetString());
                for (int k = 0; k < model.Labels.Count; k++)
                {
                    string label = model.Labels[k];
                    float p = want.Classification.Probabilities[k];
                    Assert.Equal(p, c.GetProperty("probabilities").GetProperty(label).GetSingle());
                    Assert.Equal(p, h.GetProperty("probabilities").GetProperty(label).GetSingle());
                }
            }
            // Cut at the model's rate: the last segment ends where the resampled audio does, not at the upload's last frame.
            Assert.Equal(Resampler.Resample(clip.ToMono(), 44100, 16000).Length / 16000.0, expected[^1].End);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
