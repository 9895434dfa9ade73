using EmoSer.Runtime.Model;
using EmoSer.Trainer.Export;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Training;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Trainer.Tests.Export;

[Trait("Category", "unit")]
public class ExportRoundTripTests
{
    private sealed class FixedSource(int count) : IFeatureSource
    {
        public string FeatureSetId => "librosa-seed-193";
        public int ExtractorVersion => 1;
        public int FeatureCount => count;
        public int SampleRate => 16000;
        public bool CanExtractAudio => false;
        public float[] Get(EmoSer.Trainer.Corpus.Utterance utterance) => throw new NotSupportedException();
        public float[] LoadAudio(EmoSer.Trainer.Corpus.Utterance utterance) => throw new NotSupportedException();
        public float[] Extract(ReadOnlySpan<float> mono, int sampleRate) => throw new NotSupportedException();
    }

    /// <summary>Features with class structure and a non-trivial scale, so the standardization and BN statistics matter.</summary>
    private static (List<float[]> Rows, int[] Y) Data(int n, int features, int classes, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<float[]>();
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            var r = new float[features];
            for (int j = 0; j < features; j++)
                r[j] = (float)(50 * Math.Sin(j * 0.1) + 10 * rng.NextDouble() + (j % classes == y[i] ? 8 : 0));
            rows.Add(r);
        }
        return (rows, y);
    }

    [Fact]
    public void Runtime_forward_equals_torch_eval_forward()
    {
        TorchSharp.torch.set_num_threads(1);
        const int features = 193, classes = 4;
        var (rows, y) = Data(64, features, classes, 5);
        var standardizer = Standardizer.Fit(rows);
        var x = standardizer.TransformFlat(rows);
        var recipe = new Recipe { Epochs = 2, BatchSize = 16 };
        var members = Enumerable.Range(0, 2)
            .Select(m => NetworkTrainer.Train(x, y, null, null, features, classes, recipe, EpochSelection.Last, 11 + m).Model).ToArray();
        var ensemble = new TrainedEnsemble(standardizer, members, ["a", "b", "c", "d"]);

        string card = "{\"name\":\"model-a\",\"test\":true}";
        var definition = ModelExport.ToDefinition(ensemble, new FixedSource(features), "model-a", card);
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "m.emow");
        ModelFileWriter.Write(definition, path);
        var model = EmotionModel.Load(path);

        Assert.Equal(["a", "b", "c", "d"], model.Labels);
        Assert.Equal(2, model.MemberCount);
        Assert.Equal(features, model.InputLength);
        Assert.Equal("librosa-seed-193", model.FeatureSetId);
        Assert.Equal(card, model.ModelCardJson);

        var (test, _) = Data(20, features, classes, 99);
        var torchProbs = ensemble.Probabilities(test);
        var ws = model.CreateWorkspace();
        var probs = new float[classes];
        double maxDiff = 0;
        for (int i = 0; i < test.Count; i++)
        {
            model.Predict(test[i], probs, ws);
            for (int c = 0; c < classes; c++)
                maxDiff = Math.Max(maxDiff, Math.Abs(probs[c] - torchProbs[i * classes + c]));
        }
        Assert.True(maxDiff <= 1e-5, $"runtime and TorchSharp differ by {maxDiff}");
        // Not a degenerate model: the test rows do not all get the same distribution.
        Assert.True(Enumerable.Range(0, test.Count).Select(i => torchProbs[i * classes]).Distinct().Count() > 1);
    }

    [Fact]
    public void Speaker_normalized_model_round_trips_with_and_without_profiles()
    {
        TorchSharp.torch.set_num_threads(1);
        const int features = 193, classes = 4;
        var (rows, y) = Data(60, features, classes, 8);
        // Three speakers, each with its own offset and scale, as voices shift utterance-level features.
        string[] speakerOf = rows.Select((_, i) => "s" + (i % 3)).ToArray();
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < features; j++)
                rows[i][j] = rows[i][j] * (1 + 0.3f * (i % 3)) + 20 * (i % 3);
        var speakers = SpeakerStandardizer.Fit(rows.Select((r, i) => (r, speakerOf[i])).ToArray(), priorWeight: 4);
        var normalized = rows.Select((r, i) => speakers.Apply(r, speakerOf[i])).ToArray();
        var standardizer = Standardizer.Fit(normalized);
        var net = NetworkTrainer.Train(standardizer.TransformFlat(normalized), y, null, null, features, classes,
            new Recipe { Epochs = 2, BatchSize = 16 }, EpochSelection.Last, 3, cancel: TestContext.Current.CancellationToken).Model;
        var ensemble = new TrainedEnsemble(standardizer, [net], ["a", "b", "c", "d"]) { Speaker = speakers };

        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "m.emow");
        ModelExport.Write(ensemble, new FixedSource(features), "model-a", null, path);
        var model = EmotionModel.Load(path);
        Assert.NotNull(model.SpeakerNormalization);
        Assert.Equal(4f, model.SpeakerNormalization!.PriorWeight);
        Assert.Equal(speakers.Normalization.PopulationMean, model.SpeakerNormalization.PopulationMean);

        // A new speaker: the trainer builds its profile from its utterances; the runtime gets the same profile.
        var (unseen, _) = Data(12, features, classes, 77);
        foreach (var r in unseen)
            for (int j = 0; j < features; j++) r[j] = r[j] * 1.7f - 35;
        speakers.AddUnseenSpeakers(unseen.Select(r => (r, "new")));
        var profile = new SpeakerProfile(features);
        foreach (var r in unseen) profile.Add(r);

        var withProfile = ensemble.Probabilities(unseen, unseen.Select(_ => (string?)"new").ToArray());
        var withoutProfile = ensemble.Probabilities(unseen);
        var probs = new float[classes];
        var ws = model.CreateWorkspace();
        double maxWith = 0, maxWithout = 0, changed = 0;
        for (int i = 0; i < unseen.Count; i++)
        {
            model.Predict(unseen[i], probs, ws, profile);
            for (int c = 0; c < classes; c++) maxWith = Math.Max(maxWith, Math.Abs(probs[c] - withProfile[i * classes + c]));
            model.Predict(unseen[i], probs, ws);
            for (int c = 0; c < classes; c++)
            {
                maxWithout = Math.Max(maxWithout, Math.Abs(probs[c] - withoutProfile[i * classes + c]));
                changed = Math.Max(changed, Math.Abs(withProfile[i * classes + c] - withoutProfile[i * classes + c]));
            }
        }
        Assert.True(maxWith <= 1e-5, $"with a profile, runtime and TorchSharp differ by {maxWith}");
        Assert.True(maxWithout <= 1e-5, $"without a profile, runtime and TorchSharp differ by {maxWithout}");
        // The profile matters: this speaker's statistics are far from the population's.
        Assert.True(changed > 1e-3, $"the profile changed the probabilities by only {changed}");
    }

    [Fact]
    public void Precise_batch_norm_sets_exact_statistics()
    {
        var (rows, _) = Data(16, 193, 3, 2);
        var x = Standardizer.Fit(rows).TransformFlat(rows);
        var m = new ModelA(193, 3);
        using var t = TorchSharp.torch.tensor(x, [16, 1, 193]);
        m.RecalibrateBatchNorm(t);
        using var a = m.conv1.forward(t);
        using var mean = a.mean([0L, 2L]);
        var expected = mean.data<float>().ToArray();
        var actual = m.bn1.running_mean!.data<float>().ToArray();
        for (int c = 0; c < expected.Length; c++)
            Assert.Equal(expected[c], actual[c], 5);
    }
}
