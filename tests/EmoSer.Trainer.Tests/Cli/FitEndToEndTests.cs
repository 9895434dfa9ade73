using System.Text.Json;
using EmoSer.Runtime.Model;
using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Cli;

[Trait("Category", "unit")]
public class FitEndToEndTests
{
    /// <summary>A manifest corpus with free label names, 3 speakers and 44.1 kHz audio: nothing Emo-DB about it.</summary>
    private static string Corpus(TempDir dir)
    {
        var lines = new List<string> { "speaker,path,label" };
        int seed = 0;
        foreach (string spk in new[] { "ann", "bob", "cyd" })
            foreach (string label in new[] { "calm", "elated" })
                for (int i = 0; i < 2; i++)
                {
                    dir.Wav($"clips/{spk}-{label}-{i}.wav", sampleRate: 44100, seconds: 0.4, seed: label == "calm" ? seed % 3 : 5 + seed % 3);
                    lines.Add($"{spk},clips/{spk}-{label}-{i}.wav,{label}");
                    seed++;
                }
        return dir.Text("manifest.csv", string.Join('\n', lines) + "\n");
    }

    private static (int Code, string[] Events) Fit(FitOptions o)
    {
        var saved = Console.Out;
        var sw = new StringWriter();
        Console.SetOut(sw);
        try
        {
            return (TrainCommands.RunFit(o), sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Console.SetOut(saved);
        }
    }

    /// <summary>Runs the emoser-train command line; its exit code and what it wrote to stderr (trimmed).</summary>
    internal static (int Code, string Err) Cli(string[] args)
    {
        var saved = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        try
        {
            return (TrainCommands.Build().Parse(args).Invoke(), err.ToString().Trim());
        }
        finally
        {
            Console.SetError(saved);
        }
    }

    [Fact]
    public void Loso_on_a_manifest_writes_report_plots_and_events()
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, events) = Fit(new FitOptions
        {
            Data = [manifest], Protocol = Protocol.Loso, Out = outDir, Events = true, Threads = 1,
            Cache = Path.Combine(dir.Path, "cache"), Recipe = new Recipe { Epochs = 2, Patience = 2, BatchSize = 4 },
        });
        Assert.Equal(0, code);
        var types = events.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()).ToArray();
        Assert.Equal("done", types[^1]);
        Assert.Contains("epoch", types);
        var epoch = JsonDocument.Parse(events.First(e => e.Contains("\"epoch\"", StringComparison.Ordinal) && e.Contains("\"type\":\"epoch\"", StringComparison.Ordinal))).RootElement;
        foreach (string key in new[] { "fold", "epoch", "loss", "acc", "val_loss", "val_acc" })
            Assert.True(epoch.TryGetProperty(key, out _), key);

        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "report.json")));
        var r = report.RootElement;
        Assert.Equal("loso", r.GetProperty("protocol").GetString());
        Assert.Equal(["ann", "bob", "cyd"], r.GetProperty("folds").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(12, r.GetProperty("pooled").GetProperty("n").GetInt32());
        Assert.Equal(44100, r.GetProperty("features").GetProperty("sample_rate").GetInt32());
        Assert.Equal(["calm", "elated"], r.GetProperty("corpus").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.InRange(r.GetProperty("wa").GetDouble(), 0, 1);
        // Every utterance has a speaker, so the default recipe standardizes per speaker and reports the lone-file
        // figure and the enrollment curve (the test speaker is new to each fold's model).
        Assert.True(r.GetProperty("recipe").GetProperty("speaker_normalization").GetBoolean());
        Assert.Equal(12, r.GetProperty("pooled_without_speaker_profile").GetProperty("n").GetInt32());
        Assert.Equal([1, 3, 5, 10, 20], r.GetProperty("pooled_by_enrollment").EnumerateArray().Select(e => e.GetProperty("utterances").GetInt32()));
        // Each fold names its test utterances: exactly its speaker's four clips.
        foreach (var f in r.GetProperty("folds").EnumerateArray())
        {
            var ids = f.GetProperty("test_ids").EnumerateArray().Select(t => t.GetString()!).ToArray();
            Assert.Equal(4, ids.Length);
            Assert.All(ids, id => Assert.StartsWith("clips/" + f.GetProperty("name").GetString() + "-", id));
        }
        foreach (string png in new[] { "training-loss.png", "training-accuracy.png", "confusion.png" })
            Assert.True(new FileInfo(Path.Combine(outDir, png)).Length > 1000, png);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp*"));
    }

    [Fact]
    public void Full_writes_a_weights_file_the_runtime_loads()
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, events) = Fit(new FitOptions
        {
            Data = [manifest], Protocol = Protocol.Full, Out = outDir, Events = true, Threads = 1,
            Cache = Path.Combine(dir.Path, "cache"), Recipe = new Recipe { Epochs = 2, Patience = 2, BatchSize = 4, Members = 2 },
        });
        Assert.Equal(0, code);
        var done = JsonDocument.Parse(events[^1]).RootElement;
        string weights = done.GetProperty("weights").GetString()!;
        var model = EmotionModel.Load(weights);
        Assert.Equal(["calm", "elated"], model.Labels);
        Assert.Equal(44100, model.SampleRate);
        Assert.Equal(2, model.MemberCount);
        // Trained with per-speaker standardization: the file carries the population statistics of the 3 speakers.
        Assert.True(model.HasSpeakerNormalization);
        Assert.Equal(4f, model.SpeakerNormalization!.PriorWeight);
        using var card = JsonDocument.Parse(model.ModelCardJson!);
        Assert.Equal("manifest", card.RootElement.GetProperty("training_data").GetProperty("corpus").GetString());
        Assert.True(File.Exists(Path.Combine(outDir, "model-card.json")));
    }

    [Fact]
    public void No_speaker_norm_writes_a_globally_standardized_model()
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, events) = Fit(new FitOptions
        {
            Data = [manifest], Protocol = Protocol.Full, Out = outDir, Events = true, Threads = 1, Cache = Path.Combine(dir.Path, "cache"),
            Recipe = new Recipe { Epochs = 1, Patience = 0, BatchSize = 4, SpeakerNormalization = false },
        });
        Assert.Equal(0, code);
        var model = EmotionModel.Load(JsonDocument.Parse(events[^1]).RootElement.GetProperty("weights").GetString()!);
        Assert.False(model.HasSpeakerNormalization);
        Assert.True(model.IsStandardized);
    }

    [Fact]
    public void Speed_perturb_trains_on_one_cached_copy_per_factor_and_records_it()
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "out"), cache = Path.Combine(dir.Path, "cache");
        var recipe = new Recipe
        {
            Epochs = 1, Patience = 0, BatchSize = 4,
            Augmentations = 2, Augmentation = AugmentationKind.Speed, SpeedFactors = [0.9, 1.1],
        };
        var (code, events) = Fit(new FitOptions { Data = [manifest], Protocol = Protocol.Full, Out = outDir, Events = true, Threads = 1, Cache = cache, Recipe = recipe });
        Assert.Equal(0, code);
        // The cache is keyed by audio content: each distinct clip once, plus its two speed copies.
        int distinct = Directory.GetFiles(Path.Combine(dir.Path, "clips"), "*.wav")
            .Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))).Distinct().Count();
        Assert.Equal(6, distinct);
        Assert.Equal(3 * distinct, Directory.GetFiles(cache, "*.f32", SearchOption.AllDirectories).Length);
        var model = EmotionModel.Load(JsonDocument.Parse(events[^1]).RootElement.GetProperty("weights").GetString()!);
        using var card = JsonDocument.Parse(model.ModelCardJson!);
        var r = card.RootElement.GetProperty("recipe");
        Assert.Equal("speed", r.GetProperty("augmentation").GetString());
        Assert.Equal(2, r.GetProperty("augmentations_per_utterance").GetInt32());
        Assert.Equal([0.9, 1.1], r.GetProperty("speed_factors").EnumerateArray().Select(f => f.GetDouble()));
    }

    [Fact]
    public void Test_time_speeds_are_scored_reported_with_the_single_pass_and_exported_through_the_card_update()
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string cache = Path.Combine(dir.Path, "cache"), loso = Path.Combine(dir.Path, "loso"), full = Path.Combine(dir.Path, "full");
        var recipe = new Recipe
        {
            Epochs = 1, Patience = 0, BatchSize = 4,
            Augmentations = 2, Augmentation = AugmentationKind.Speed, SpeedFactors = [0.9, 1.1], TestTimeSpeeds = true,
        };
        Assert.Equal(0, Fit(new FitOptions { Data = [manifest], Protocol = Protocol.Loso, Out = loso, Threads = 1, Cache = cache, Recipe = recipe }).Code);
        // A test utterance's copies are the cached copies other folds trained on: nothing else is extracted.
        int distinct = Directory.GetFiles(Path.Combine(dir.Path, "clips"), "*.wav")
            .Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))).Distinct().Count();
        Assert.Equal(3 * distinct, Directory.GetFiles(cache, "*.f32", SearchOption.AllDirectories).Length);
        using (var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(loso, "report.json"))))
        {
            var r = report.RootElement;
            Assert.True(r.GetProperty("recipe").GetProperty("test_time_speeds").GetBoolean());
            Assert.Equal(12, r.GetProperty("pooled_single_pass").GetProperty("n").GetInt32());
            Assert.All(r.GetProperty("folds").EnumerateArray(), f => Assert.Equal(4, f.GetProperty("metrics_single_pass").GetProperty("n").GetInt32()));
            // Originals only in a loso test part: no copy numbers to give.
            Assert.All(r.GetProperty("folds").EnumerateArray(), f => Assert.False(f.TryGetProperty("test_copies", out _)));
        }

        var (code, events) = Fit(new FitOptions { Data = [manifest], Protocol = Protocol.Full, Out = full, Events = true, Threads = 1, Cache = cache, Recipe = recipe });
        Assert.Equal(0, code);
        string weights = JsonDocument.Parse(events[^1]).RootElement.GetProperty("weights").GetString()!;
        Assert.Equal([0.9f, 1.1f], EmotionModel.Load(weights).TestTimeSpeedFactors);
        // `emoser-train card` rewrites the file with the reports' figures; the factors must survive it.
        File.Copy(Path.Combine(loso, "report.json"), Path.Combine(full, "report-loso.json"));
        var card = EmoSer.Trainer.Export.ModelCardUpdate.Run(weights, full);
        var model = EmotionModel.Load(weights);
        Assert.Equal([0.9f, 1.1f], model.TestTimeSpeedFactors);
        Assert.NotNull(card["metrics"]!["loso"]!["single_pass"]!["wa"]);
    }

    [Fact]
    public void Seed_protocol_reports_the_accuracy_of_the_epoch_it_kept_on_its_own_test_items()
    {
        // The seed protocol monitors its test part, so the reported accuracy is the kept epoch's monitor accuracy:
        // the test items are classified as they are (noisy, shifted, stretched copies among them), not swapped for
        // their originals.
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "seed");
        var recipe = new Recipe { Epochs = 4, BatchSize = 4, Augmentations = 3, Augmentation = AugmentationKind.Seed };
        Assert.Equal(0, Fit(new FitOptions { Data = [manifest], Protocol = Protocol.Seed, Out = outDir, Threads = 1, Recipe = recipe }).Code);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "report.json")));
        var fold = Assert.Single(report.RootElement.GetProperty("folds").EnumerateArray());
        int kept = Assert.Single(fold.GetProperty("selected_epochs").EnumerateArray()).GetInt32();
        var history = Assert.Single(fold.GetProperty("history").EnumerateArray()).EnumerateArray().ToArray();
        double best = history.Max(e => e.GetProperty("val_acc").GetDouble());
        Assert.Equal(best, history[kept - 1].GetProperty("val_acc").GetDouble());
        Assert.Equal(10, fold.GetProperty("test").GetInt32()); // 20% of 12 utterances x 4 versions
        // Which version of each id was tested: the copies among them are named, so no one scores their originals.
        var copies = fold.GetProperty("test_copies").EnumerateArray().Select(c => c.GetInt32()).ToArray();
        Assert.Equal(10, copies.Length);
        Assert.Equal(10, fold.GetProperty("test_ids").GetArrayLength());
        Assert.Contains(copies, c => c != 0);
        Assert.All(copies, c => Assert.InRange(c, 0, 3));
        Assert.Equal(best, fold.GetProperty("wa").GetDouble(), 4);
        Assert.Equal(best, report.RootElement.GetProperty("wa").GetDouble(), 4);
    }

    [Fact]
    public void Golden_features_refuse_a_corpus_with_two_files_of_one_name()
    {
        // The golden file is keyed by file name: two label folders holding 01.wav would silently share one vector.
        using var dir = new TempDir();
        dir.Wav("corpus/angry/01.wav", seed: 1);
        dir.Wav("corpus/happy/01.wav", seed: 2);
        dir.Wav("corpus/happy/02.wav", seed: 3);
        string golden = dir.Text("golden.json", "{\"features\": {\"01.wav\": [1, 2], \"02.wav\": [3, 4]}}");
        string outDir = Path.Combine(dir.Path, "out");
        var (code, err) = Cli(["fit", "--data", Path.Combine(dir.Path, "corpus"), "--golden", golden, "--out", outDir]);
        Assert.Equal(1, code);
        Assert.Equal("emoser-train: --golden looks features up by file name, and 2 files are named '01.wav' (angry/01.wav, happy/01.wav)", err.Split('\n')[^1]);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("--augment --speed-perturb", "--augment and --speed-perturb cannot be combined; choose one augmentation")]
    [InlineData("--no-speed-perturb --speeds 0.9,1.1", "--speeds needs --speed-perturb")]
    [InlineData("--augment --speeds 0.8", "--speeds needs --speed-perturb")]
    [InlineData("--no-speed-perturb --test-time-speeds", "--test-time-speeds needs --speed-perturb")]
    [InlineData("--speed-perturb --no-speed-perturb", "--speed-perturb and --no-speed-perturb contradict each other")]
    [InlineData("--front-end dc,loud", "--front-end: unknown step 'loud' (none, default, or a list of dc, trim[=DB], level[=DBFS], noise-floor[=DB], margin=S, activity-floor=DBFS, max-gain=DB)")]
    [InlineData("--front-end trim=200", "--front-end: front end threshold 200 dB is outside (0, 120]")]
    [InlineData("--license emodb", "--license 'emodb': expected CORPUS=TEXT, e.g. emodb=\"free for research\"")]
    [InlineData("--protocol seed --speed-perturb --test-time-speeds", "--test-time-speeds is not available with --protocol seed, whose test part holds augmented copies")]
    [InlineData("--speed-perturb --speeds 0.9,1.1,0.90", "speed factor 0.9 is listed twice")]
    [InlineData("--speed-perturb --speeds 0.9,0.90001", "speed factors 0.9 and 0.90001 make the same copy (both read the audio at 39690 Hz)")]
    [InlineData("--speed-perturb --speeds 1.00001", "speed factor 1.00001 reads the audio at 44100 Hz, the feature rate: its copy would be the utterance itself")]
    [InlineData("--speed-perturb --test-time-speeds --speeds 0.6,0.7,0.8,0.9,1.1,1.2,1.3,1.4,1.5", "--test-time-speeds takes at most 8 factors (the weights file's limit); --speeds lists 9")]
    public void Augmentation_options_that_contradict_each_other_stop_before_any_work(string options, string message)
    {
        using var dir = new TempDir();
        string manifest = Corpus(dir);
        string outDir = Path.Combine(dir.Path, "out");
        var (code, err) = Cli(["fit", "--data", manifest, "--out", outDir, .. options.Split(' ')]);
        Assert.Equal(1, code);
        // Problems found once the audio's rate is known come after the run's first log line.
        Assert.Equal("emoser-train: " + message, err.Split('\n')[^1]);
        Assert.False(Directory.Exists(outDir));
    }
}
