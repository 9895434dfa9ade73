using System.Text.Json;
using EmoSer.Runtime.Model;
using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Torch;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Cli;

/// <summary>Several corpora in one run: leave one corpus out, per-corpus reports, the shipped recipe as the default, licences in the card.</summary>
[Trait("Category", "unit")]
public class MultiCorpusFitTests
{
    /// <summary>A manifest of 3 speakers × labels × 2 clips of tones (each label its own pitch), in its own folder.</summary>
    private static string Manifest(TempDir dir, string name, string[] labels, int rate)
    {
        var lines = new List<string> { "path,label,speaker" };
        for (int s = 0; s < 3; s++)
            for (int l = 0; l < labels.Length; l++)
                for (int i = 0; i < 2; i++)
                {
                    string wav = $"{name}/s{s}-{l}-{i}.wav";
                    dir.Wav(wav, sampleRate: rate, seconds: 0.4, seed: l * 3 + i);
                    lines.Add($"{wav},{labels[l]},s{s}");
                }
        return dir.Text($"{name}.csv", string.Join('\n', lines) + "\n");
    }

    private static (int Code, string Err) Cli(string[] args) => FitEndToEndTests.Cli(args);

    [Fact]
    public void Loco_reports_every_corpus_over_its_shared_labels_with_and_without_profiles()
    {
        LibTorchSharpCompat.EnsureLoadable();
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha", ["anger", "joy", "sadness", "boredom"], 16000);
        string b = Manifest(dir, "beta", ["rabbia", "gioia", "tristezza", "calma"], 22050);
        string outDir = Path.Combine(dir.Path, "out"), dump = Path.Combine(dir.Path, "features.jsonl");
        var options = new FitOptions
        {
            Data = [a, b], Protocol = Protocol.Loco, Out = outDir, Threads = 1, Cache = Path.Combine(dir.Path, "cache"), DumpFeatures = dump,
            Recipe = RecipePresets.Default with { Epochs = 1, BatchSize = 8 }, RecipeName = "default",
        };
        Assert.Equal(0, TrainCommands.RunFit(options));
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "report.json")));
        var r = report.RootElement;
        Assert.Equal("loco", r.GetProperty("protocol").GetString());
        Assert.Equal("default", r.GetProperty("recipe_name").GetString());
        Assert.Equal(["alpha", "beta"], r.GetProperty("corpus").GetProperty("corpora").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.StartsWith("dc,trim(", r.GetProperty("features").GetProperty("front_end").GetString());
        Assert.InRange(r.GetProperty("ece").GetDouble(), 0, 1);
        var byCorpus = r.GetProperty("by_corpus").EnumerateArray().ToArray();
        Assert.Equal(["alpha", "beta"], byCorpus.Select(c => c.GetProperty("corpus").GetString()));
        foreach (var c in byCorpus)
        {
            // The labels both corpora have; boredom and calm are in one each.
            Assert.Equal(["angry", "happy", "sad"], c.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(18, c.GetProperty("n").GetInt32());
            foreach (string cond in new[] { "with_speaker_profile", "without_speaker_profile", "single_pass" })
            {
                var m = c.GetProperty(cond);
                Assert.Equal(18, m.GetProperty("n").GetInt32());
                Assert.Equal(3, m.GetProperty("confusion").GetProperty("matrix").GetArrayLength());
                Assert.InRange(m.GetProperty("ua").GetDouble(), 0, 1);
            }
            // The four-class subset (angry, happy, neutral, sad) of the shared labels: neutral is in neither corpus.
            Assert.Equal(["angry", "happy", "sad"], c.GetProperty("four_class").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(18, c.GetProperty("four_class").GetProperty("with_speaker_profile").GetProperty("n").GetInt32());
            Assert.True(File.Exists(Path.Combine(outDir, $"confusion-{c.GetProperty("corpus").GetString()}.png")));
        }
        foreach (var f in r.GetProperty("folds").EnumerateArray())
        {
            Assert.Equal(["angry", "happy", "sad"], f.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.InRange(f.GetProperty("temperature").GetDouble(), Calibration.MinTemperature - 1e-6, Calibration.MaxTemperature);
            Assert.True(f.GetProperty("calibration_utterances").GetInt32() > 0);
            // Every row names its corpus; a fold tests one corpus, trained on the other.
            var rows = f.GetProperty("rows").EnumerateArray().ToArray();
            Assert.Equal(18, rows.Length);
            Assert.All(rows, row => Assert.Equal(f.GetProperty("name").GetString(), row.GetProperty("corpus").GetString()));
            Assert.All(rows, row => Assert.StartsWith(row.GetProperty("corpus").GetString() + ":", row.GetProperty("id").GetString()));
        }
        // The dump holds every utterance of both corpora (boredom and calm too), with its corpus and canonical label.
        var dumped = File.ReadAllLines(dump).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(48, dumped.Length);
        Assert.Contains(dumped, d => d.GetProperty("label").GetString() == "calm" && d.GetProperty("corpus").GetString() == "beta");
        Assert.All(dumped, d => Assert.Equal(193, d.GetProperty("features").GetArrayLength()));
    }

    [Fact]
    public void With_no_other_flag_fit_trains_the_shipped_recipe()
    {
        LibTorchSharpCompat.EnsureLoadable();
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha", ["angry", "happy"], 16000);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, err) = Cli(["fit", "--data", a, "--protocol", "loso", "--out", outDir, "--cache", Path.Combine(dir.Path, "cache"), "--threads", "1"]);
        Assert.True(code == 0, err);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "report.json")));
        var recipe = report.RootElement.GetProperty("recipe");
        Assert.Equal("default", report.RootElement.GetProperty("recipe_name").GetString());
        Assert.Equal(5, recipe.GetProperty("max_epochs").GetInt32());
        Assert.Equal(0, recipe.GetProperty("patience").GetInt32());
        Assert.True(recipe.GetProperty("class_weights").GetBoolean());
        Assert.True(recipe.GetProperty("speaker_normalization").GetBoolean());
        Assert.Equal("speed", recipe.GetProperty("augmentation").GetString());
        Assert.Equal([0.8, 0.9, 1.1, 1.2], recipe.GetProperty("speed_factors").EnumerateArray().Select(f => f.GetDouble()));
        Assert.True(recipe.GetProperty("test_time_speeds").GetBoolean());
        Assert.Equal(RecipePresets.DefaultFrontEnd.ToString(), recipe.GetProperty("front_end").GetString());
        Assert.Equal("held-out", recipe.GetProperty("calibration").GetString());
        Assert.Equal("adam", recipe.GetProperty("optimizer").GetString());
    }

    [Fact]
    public void The_seed_and_EmoDb_recipes_are_there_by_name()
    {
        var seed = RecipePresets.Get("seed");
        Assert.Equal(OptimizerKind.RmsProp, seed.Optimizer);
        Assert.Equal(1e-5, seed.EffectiveLearningRate);
        Assert.False(seed.Standardize || seed.PreciseBatchNorm || seed.SpeakerNormalization || seed.Calibration);
        Assert.Equal(AugmentationKind.Seed, seed.Augmentation);
        Assert.Null(seed.FrontEnd);
        var emodb = RecipePresets.Get("emodb");
        Assert.Null(emodb.FrontEnd);
        Assert.False(emodb.Calibration);
        Assert.True(emodb.TestTimeSpeeds && emodb.ClassWeights && emodb.SpeakerNormalization);
        Assert.Equal(10, emodb.Epochs);
        Assert.Equal([0.9, 1.1], emodb.SpeedFactors);
    }

    [Fact]
    public void Full_on_two_corpora_writes_a_version_three_model_with_licences_in_its_card()
    {
        LibTorchSharpCompat.EnsureLoadable();
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha", ["anger", "joy"], 16000);
        string b = Manifest(dir, "beta", ["angry", "happy", "sad"], 16000);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, err) = Cli(["fit", "--data", a, "--data", b, "--protocol", "full", "--epochs", "1", "--out", outDir, "--threads", "1",
            "--cache", Path.Combine(dir.Path, "cache"), "--license", "alpha=free for research", "--licence", "beta=CC BY-NC-SA 4.0",
            "--weights-license", "CC BY-NC-SA 4.0", "--model-name", "model-a-test"]);
        Assert.True(code == 0, err);
        var model = EmotionModel.Load(Path.Combine(outDir, "model-a.emow"));
        Assert.Equal("model-a-test", model.Name);
        // A corpus that lacks a class still trains: sad comes from beta alone.
        Assert.Equal(["angry", "happy", "sad"], model.Labels);
        Assert.Equal(RecipePresets.DefaultFrontEnd, model.FrontEnd);
        Assert.InRange(model.Temperature, Calibration.MinTemperature, Calibration.MaxTemperature);
        using var card = JsonDocument.Parse(model.ModelCardJson!);
        Assert.Equal("CC BY-NC-SA 4.0", card.RootElement.GetProperty("license").GetString());
        var corpora = card.RootElement.GetProperty("training_data").GetProperty("corpora").EnumerateArray().ToArray();
        Assert.Equal(["alpha", "beta"], corpora.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(["free for research", "CC BY-NC-SA 4.0"], corpora.Select(c => c.GetProperty("license").GetString()));
        Assert.Equal(6, corpora[0].GetProperty("labels").GetProperty("angry").GetInt32());
    }

    [Fact]
    public void Mixed_corpora_with_unknown_labels_stop_before_any_work()
    {
        using var dir = new TempDir();
        string a = Manifest(dir, "alpha", ["angry", "exc"], 16000);
        string b = Manifest(dir, "beta", ["angry", "happy"], 16000);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, err) = Cli(["fit", "--data", a, "--data", b, "--protocol", "loco", "--out", outDir]);
        Assert.Equal(1, code);
        Assert.Equal("emoser-train: 2 corpora are mixed and 1 label(s) are not canonical: 'exc' (alpha, 6); map them with --label-map FILE.csv (docs/labels.md)", err.Split('\n')[^1]);
        Assert.False(Directory.Exists(outDir));
    }
}
