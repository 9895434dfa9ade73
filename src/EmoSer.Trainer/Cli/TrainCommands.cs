using System.CommandLine;
using System.Globalization;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Dataset;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Cli;

/// <summary>The <c>emoser-train</c> command line: <c>fit</c> and <c>dataset download</c>.</summary>
public static class TrainCommands
{
    /// <summary>Builds the root command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("emoser-train: train Model A on a labelled speech corpus, evaluate it without leaks, export the weights file");
        root.Subcommands.Add(Fit());
        var dataset = new Command("dataset", "corpus helpers");
        dataset.Subcommands.Add(Download());
        root.Subcommands.Add(dataset);
        root.Subcommands.Add(Compare());
        root.Subcommands.Add(Card());
        return root;
    }

    private static Command Fit()
    {
        var data = new Option<string[]>("--data") { Description = "corpus: an Emo-DB folder, a folder with one sub-folder per label, or a manifest .csv (path,label[,speaker][,corpus]); give it once per corpus", Required = true, Arity = ArgumentArity.OneOrMore };
        var labelMap = new Option<string?>("--label-map") { Description = "CSV 'label,canonical' for labels the canonical table does not know (docs/labels.md); '-' leaves a label out" };
        var labels = new Option<string?>("--labels") { Description = "comma-separated labels to train and test on (canonical names), e.g. angry,disgust,fear,happy,neutral,sad" };
        var recipeName = new Option<string>("--recipe") { Description = "default (the shipped recipe) | emodb (the Emo-DB Model A recipe: no front end, no calibration) | seed (the seed's settings); the options below override it", DefaultValueFactory = _ => "default" };
        recipeName.AcceptOnlyFromAmong(RecipePresets.Names);
        var protocol = new Option<string>("--protocol") { Description = "seed (the seed's leaky procedure) | holdout | loso | loco (leave one corpus out) | full (final model on everything)", DefaultValueFactory = _ => "holdout" };
        protocol.AcceptOnlyFromAmong("seed", "holdout", "loso", "loco", "full");
        var outDir = new Option<string>("--out") { Description = "output folder (report.json, plots, weights)", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "maximum epochs per network (recipes: default 5, emodb 10, seed 60)" };
        var patience = new Option<int>("--patience") { Description = "early-stopping patience on the inner validation accuracy (0: no inner split, train all epochs; recipes: 0)" };
        var seed = new Option<int>("--seed") { Description = "seed of initialisation, shuffling, dropout, inner splits and augmentation", DefaultValueFactory = _ => 1 };
        var augment = new Option<bool>("--augment") { Description = "add the seed's augmented copies (noise, delay, stretch) of training utterances instead of speed copies" };
        var speedPerturb = new Option<bool>("--speed-perturb") { Description = "add speed-perturbed copies of training utterances, one per factor of --speeds (default and emodb recipes)" };
        var noSpeedPerturb = new Option<bool>("--no-speed-perturb") { Description = "no speed-perturbed copies (and no test-time speed copies)" };
        var testTimeSpeeds = new Option<bool>("--test-time-speeds") { Description = "classify each test utterance as the mean over itself and a copy at each of --speeds, and have the exported model do the same (needs --speed-perturb; default and emodb recipes)" };
        var noTestTimeSpeeds = new Option<bool>("--no-test-time-speeds") { Description = "no test-time speed copies" };
        var speeds = new Option<string?>("--speeds") { Description = "comma-separated speed factors for --speed-perturb, each in [0.5, 2], not 1 (recipes: default 0.8,0.9,1.1,1.2; emodb 0.9,1.1)" };
        var nMods = new Option<int>("--n-modifications") { Description = "augmented copies per utterance with --augment", DefaultValueFactory = _ => 3 };
        var testSize = new Option<double>("--test-size") { Description = "test fraction for seed/holdout", DefaultValueFactory = _ => 0.2 };
        var randomState = new Option<int>("--random-state") { Description = "seed of the seed/holdout test split", DefaultValueFactory = _ => 1 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam | rmsprop (the seed's: lr 1e-5, decay 1e-6)" };
        optimizer.AcceptOnlyFromAmong("adam", "rmsprop");
        var lr = new Option<double?>("--lr") { Description = "learning rate (default: 1e-3 adam, 1e-5 rmsprop)" };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant | one-cycle (warm-up over 10% of the steps, then a cosine descent)", DefaultValueFactory = _ => "constant" };
        schedule.AcceptOnlyFromAmong("constant", "one-cycle");
        var batch = new Option<int>("--batch-size") { Description = "mini-batch size", DefaultValueFactory = _ => 32 };
        var members = new Option<int>("--members") { Description = "independently seeded networks averaged into one model", DefaultValueFactory = _ => 1 };
        var classWeights = new Option<bool>("--class-weights") { Description = "weight the loss by inverse class frequency (default and emodb recipes)" };
        var noClassWeights = new Option<bool>("--no-class-weights") { Description = "no class weights in the loss" };
        var noCorpusBalance = new Option<bool>("--no-corpus-balance") { Description = "with several corpora, do not weight the loss so that every corpus counts the same" };
        var noSpeakerNorm = new Option<bool>("--no-speaker-norm") { Description = "no per-speaker standardization (it is on when every utterance has a speaker)" };
        var speakerPrior = new Option<float>("--speaker-prior") { Description = "pseudo-utterances of the population prior in each speaker profile", DefaultValueFactory = _ => 4f };
        var noStandardize = new Option<bool>("--no-standardize") { Description = "do not standardize the features (the seed did not)" };
        var noPreciseBn = new Option<bool>("--no-precise-bn") { Description = "keep Keras-style lagging BatchNorm running averages instead of recomputing them on the training part after each epoch" };
        var frontEnd = new Option<string?>("--front-end") { Description = "none | default | steps, e.g. dc,trim=40,level=-20,noise-floor=45 (docs/front-end.md); default recipe: default" };
        var calibration = new Option<string?>("--calibration") { Description = "held-out (temperature fitted on speakers held out of each fold's training part; default recipe) | none" };
        calibration.AcceptOnlyFromAmong("held-out", "none");
        var valFraction = new Option<double>("--validation-fraction") { Description = "inner validation share of the training part (speakers when known)", DefaultValueFactory = _ => 0.2 };
        var events = new Option<bool>("--events") { Description = "JSON lines on stdout (docs/trainer-events.md) instead of progress bars" };
        var dump = new Option<string?>("--dump-augmented") { Description = "write the augmented WAVs into this folder" };
        var dumpFeatures = new Option<string?>("--dump-features") { Description = "write every utterance's features (as this run computed them) to this JSON-lines file, for scripts/trainer/*baselines.py" };
        var golden = new Option<string?>("--golden") { Description = "use precomputed features from this JSON ({\"features\": {file: [..]}}) instead of the runtime extractor (no augmentation, no front end)" };
        var cache = new Option<string?>("--cache") { Description = "feature cache folder (default $EMOSER_CACHE or ~/.cache/emoser/features)" };
        var threads = new Option<int>("--threads") { Description = "torch threads", DefaultValueFactory = _ => 2 };
        var weights = new Option<string?>("--weights") { Description = "weights file to write with --protocol full (default OUT/model-a.emow; the model card goes beside it)" };
        var sampleRate = new Option<int?>("--sample-rate") { Description = "feature sample rate (default: the first file's)" };
        var verbose = new Option<bool>("--verbose") { Description = "log every epoch" };
        var licence = new Option<string[]>("--license", "--licence") { Description = "CORPUS=TEXT: a training corpus's licence, for the model card (once per corpus; default: the known corpora's, docs/weights-format.md)", Arity = ArgumentArity.OneOrMore };
        var weightsLicence = new Option<string?>("--weights-license", "--weights-licence") { Description = "the licence of the weights that follows from the corpora's, for the model card (default: derived from the corpora)" };
        var modelName = new Option<string>("--model-name") { Description = "the model's name in the weights file and its card", DefaultValueFactory = _ => "model-a" };

        var cmd = new Command("fit", "train and evaluate Model A");
        foreach (Option o in new Option[] { data, labelMap, labels, recipeName, protocol, outDir, epochs, patience, seed, augment, speedPerturb, noSpeedPerturb, speeds, testTimeSpeeds, noTestTimeSpeeds, nMods, testSize, randomState, optimizer, lr, schedule, batch, members, classWeights, noClassWeights, noCorpusBalance, noSpeakerNorm, speakerPrior, noStandardize, noPreciseBn, frontEnd, calibration, valFraction, events, dump, dumpFeatures, golden, cache, threads, weights, sampleRate, verbose, licence, weightsLicence, modelName })
            cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            EventsObserver? ev = Events(p.GetValue(events));
            bool Given(Option o) => p.GetResult(o) is { Implicit: false };
            var preset = RecipePresets.Get(p.GetValue(recipeName)!);
            bool augmentGiven = p.GetValue(augment), speedGiven = p.GetValue(speedPerturb);
            if (augmentGiven && speedGiven)
                return Fail("--augment and --speed-perturb cannot be combined; choose one augmentation", ev);
            if (speedGiven && p.GetValue(noSpeedPerturb))
                return Fail("--speed-perturb and --no-speed-perturb contradict each other", ev);
            if (p.GetValue(testTimeSpeeds) && p.GetValue(noTestTimeSpeeds))
                return Fail("--test-time-speeds and --no-test-time-speeds contradict each other", ev);
            if (p.GetValue(classWeights) && p.GetValue(noClassWeights))
                return Fail("--class-weights and --no-class-weights contradict each other", ev);
            // Speed copies: the recipe's unless switched; --augment replaces them by the seed's copies.
            bool speed = speedGiven || (preset.Augmentation == AugmentationKind.Speed && preset.Augmentations > 0 && !augmentGiven && !p.GetValue(noSpeedPerturb));
            bool seedCopies = augmentGiven || (!speed && preset.Augmentation == AugmentationKind.Seed && preset.Augmentations > 0 && !p.GetValue(noSpeedPerturb));
            // A factor list that would be silently ignored is more likely a forgotten switch than an intention.
            if (!speed && Given(speeds))
                return Fail("--speeds needs --speed-perturb", ev);
            bool tts = p.GetValue(testTimeSpeeds) || (preset.TestTimeSpeeds && speed && !p.GetValue(noTestTimeSpeeds));
            // The copies are only worth averaging over when the network has learned from such copies.
            if (!speed && p.GetValue(testTimeSpeeds))
                return Fail("--test-time-speeds needs --speed-perturb", ev);
            double[] factors;
            EmoSer.Runtime.Audio.FrontEndSettings? fe;
            try
            {
                factors = p.GetValue(speeds) is { } given ? ParseSpeeds(given)
                    : preset.Augmentation == AugmentationKind.Speed && preset.Augmentations > 0 ? [.. preset.SpeedFactors] : [.. EmoSer.Trainer.Augmentation.SpeedPerturbation.DefaultFactors];
                fe = Given(frontEnd) ? FrontEndSpec.Parse(p.GetValue(frontEnd)!) : preset.FrontEnd;
            }
            catch (ArgumentException e) { return Fail(e.Message, ev); }
            var licences = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string item in p.GetValue(licence) ?? [])
            {
                int eq = item.IndexOf('=');
                if (eq <= 0 || eq == item.Length - 1)
                    return Fail($"--license '{item}': expected CORPUS=TEXT, e.g. emodb=\"free for research\"", ev);
                licences[item[..eq].Trim()] = item[(eq + 1)..].Trim();
            }
            bool rms = Given(optimizer) ? p.GetValue(optimizer) == "rmsprop" : preset.Optimizer == OptimizerKind.RmsProp;
            var recipe = preset with
            {
                Optimizer = rms ? OptimizerKind.RmsProp : OptimizerKind.Adam,
                LearningRate = Given(lr) ? p.GetValue(lr) : Given(optimizer) ? null : preset.LearningRate,
                Decay = Given(optimizer) ? (rms ? 1e-6 : 0) : preset.Decay,
                Schedule = p.GetValue(schedule) == "one-cycle" ? LearningRateSchedule.OneCycle : LearningRateSchedule.Constant,
                BatchSize = p.GetValue(batch),
                Epochs = Given(epochs) ? p.GetValue(epochs) : preset.Epochs,
                Patience = Given(patience) ? p.GetValue(patience) : preset.Patience,
                ValidationFraction = p.GetValue(valFraction),
                Standardize = preset.Standardize && !p.GetValue(noStandardize),
                ClassWeights = p.GetValue(classWeights) || (preset.ClassWeights && !p.GetValue(noClassWeights)),
                CorpusBalance = preset.CorpusBalance && !p.GetValue(noCorpusBalance),
                SpeakerNormalization = preset.SpeakerNormalization && !p.GetValue(noSpeakerNorm),
                SpeakerPriorWeight = p.GetValue(speakerPrior),
                PreciseBatchNorm = preset.PreciseBatchNorm && !p.GetValue(noPreciseBn),
                Members = p.GetValue(members),
                Augmentations = speed ? factors.Length : seedCopies ? p.GetValue(nMods) : 0,
                Augmentation = speed ? AugmentationKind.Speed : AugmentationKind.Seed,
                SpeedFactors = factors,
                TestTimeSpeeds = tts,
                FrontEnd = fe,
                Calibration = Given(calibration) ? p.GetValue(calibration) == "held-out" : preset.Calibration,
            };
            var options = new FitOptions
            {
                Data = p.GetValue(data)!,
                LabelMap = p.GetValue(labelMap),
                Labels = p.GetValue(labels) is { } l ? l.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null,
                RecipeName = p.GetValue(recipeName)!,
                Protocol = Enum.Parse<Protocol>(p.GetValue(protocol)!, ignoreCase: true),
                Out = p.GetValue(outDir)!,
                Recipe = recipe,
                Seed = p.GetValue(seed),
                TestSize = p.GetValue(testSize),
                RandomState = p.GetValue(randomState),
                Events = p.GetValue(events),
                DumpAugmented = p.GetValue(dump),
                DumpFeatures = p.GetValue(dumpFeatures),
                Golden = p.GetValue(golden),
                Cache = p.GetValue(cache),
                Threads = p.GetValue(threads),
                Weights = p.GetValue(weights),
                SampleRate = p.GetValue(sampleRate),
                Verbose = p.GetValue(verbose),
                Licences = licences,
                WeightsLicence = p.GetValue(weightsLicence),
                ModelName = p.GetValue(modelName)!,
                CommandLine = "emoser-train " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote)),
            };
            return RunFit(options);
        });
        return cmd;
    }

    /// <summary>Runs fit with the right progress display; bad input gives one line and exit code 1.</summary>
    public static int RunFit(FitOptions options)
    {
        EventsObserver? events = Events(options.Events);
        try
        {
            Validate(options);
            if (events is not null)
                return FitRunner.Run(options, events);
            if (!Console.IsOutputRedirected && !Console.IsErrorRedirected)
                return SpectreObserver.Run(o => FitRunner.Run(options, o));
            return FitRunner.Run(options, new PlainObserver(Console.Error, options.Verbose));
        }
        catch (Exception e) when (e is CorpusException or ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or EmoSer.Runtime.Audio.AudioFormatException or System.Text.Json.JsonException)
        {
            return Fail(e.Message, events);
        }
    }

    private static EventsObserver? Events(bool on) => on ? new EventsObserver(Console.Out) : null;

    /// <summary>Reports bad input as one line (an error event with --events) and gives exit code 1.</summary>
    private static int Fail(string message, EventsObserver? events)
    {
        if (events is not null) events.Error(message);
        else Console.Error.WriteLine($"emoser-train: {message}");
        return 1;
    }

    /// <summary>Parses <c>--speeds</c>: comma-separated invariant-culture numbers, each a valid speed factor.</summary>
    /// <exception cref="ArgumentException">A value is not a number or not a valid factor.</exception>
    public static double[] ParseSpeeds(string text)
    {
        var factors = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double f))
                throw new ArgumentException($"--speeds: '{part}' is not a number");
            factors.Add(f);
        }
        Augmentation.SpeedPerturbation.CheckFactors(factors);
        return factors.ToArray();
    }

    private static void Validate(FitOptions o)
    {
        var r = o.Recipe;
        if (r.Epochs < 1) throw new ArgumentException("--epochs must be at least 1");
        if (r.BatchSize < 1) throw new ArgumentException("--batch-size must be at least 1");
        if (r.Members is < 1 or > 64) throw new ArgumentException("--members must be 1..64 (the weights format's limit)");
        if (r.Augmentations < 0) throw new ArgumentException("--n-modifications must be at least 0");
        if (o.TestSize is <= 0 or >= 1) throw new ArgumentException("--test-size must be in (0, 1)");
        if (r.ValidationFraction is < 0 or >= 1) throw new ArgumentException("--validation-fraction must be in [0, 1)");
        if (r.Patience < 0) throw new ArgumentException("--patience must be at least 0");
        if (!(r.SpeakerPriorWeight > 0) || r.SpeakerPriorWeight > 1e6f) throw new ArgumentException("--speaker-prior must be in (0, 1e6]");
        // The seed protocol tests on augmented copies; a copy has no speed copies of its own.
        if (r.TestTimeSpeeds && o.Protocol == Protocol.Seed)
            throw new ArgumentException("--test-time-speeds is not available with --protocol seed, whose test part holds augmented copies");
        // Checked before any work: the exported model stores the test-time factors, and the format has a limit.
        if (r.TestTimeSpeeds && r.SpeedFactors.Count > EmoSer.Runtime.Model.EmotionModel.MaxTestTimeSpeedFactors)
            throw new ArgumentException($"--test-time-speeds takes at most {EmoSer.Runtime.Model.EmotionModel.MaxTestTimeSpeedFactors} factors (the weights file's limit); --speeds lists {r.SpeedFactors.Count}");
    }

    private static Command Download()
    {
        var name = new Argument<string>("corpus") { Description = "emodb" };
        name.AcceptOnlyFromAmong("emodb");
        var to = new Option<string>("--to") { Description = "destination folder (must not exist or be empty)", Required = true };
        var url = new Option<string>("--url") { Description = "zip URL", DefaultValueFactory = _ => DatasetDownloader.EmoDbUrl };
        var cmd = new Command("download", "download and unpack a corpus atomically");
        cmd.Arguments.Add(name);
        cmd.Options.Add(to);
        cmd.Options.Add(url);
        cmd.SetAction(async (p, cancel) =>
        {
            if (!Uri.TryCreate(p.GetValue(url), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                Console.Error.WriteLine($"emoser-train: --url {p.GetValue(url)}: not an http(s) URL");
                return 1;
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            try
            {
                long last = -1;
                await DatasetDownloader.DownloadAndUnpackAsync(uri, p.GetValue(to)!, http, (got, total) =>
                {
                    long mb = got >> 20;
                    if (mb != last) { last = mb; Console.Error.Write($"\r{mb} MiB{(total is { } t ? $" of {t >> 20} MiB" : "")}"); }
                }, cancel);
                Console.Error.WriteLine();
                Console.Error.WriteLine($"unpacked into {Path.GetFullPath(p.GetValue(to)!)}");
                return 0;
            }
            catch (DatasetDownloadException e)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine($"emoser-train: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static Command Compare()
    {
        var data = new Option<string>("--data") { Description = "corpus folder or manifest", Required = true };
        var golden = new Option<string>("--golden") { Description = "reference features JSON ({\"features\": {file: [..]}})", Required = true };
        var cache = new Option<string?>("--cache") { Description = "feature cache folder" };
        var cmd = new Command("compare-features", "compare the runtime extractor with reference features, per block");
        cmd.Options.Add(data);
        cmd.Options.Add(golden);
        cmd.Options.Add(cache);
        cmd.SetAction(p =>
        {
            try
            {
                return CompareFeatures.Run(p.GetValue(data)!, p.GetValue(golden)!, p.GetValue(cache), Console.Out);
            }
            catch (Exception e) when (e is CorpusException or IOException or EmoSer.Runtime.Audio.AudioFormatException)
            {
                Console.Error.WriteLine($"emoser-train: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static Command Card()
    {
        var weights = new Option<string>("--weights") { Description = "weights file to update", Required = true };
        var reports = new Option<string>("--reports") { Description = "folder with report-loso.json / report-holdout.json / report-seed.json", Required = true };
        var license = new Option<string?>("--license") { Description = "the model's licence statement (default: the card's, else that of its training corpus)" };
        var cmd = new Command("card", "copy evaluation figures (and the licence) into a weights file's model card (and model-card.json beside it)");
        cmd.Options.Add(weights);
        cmd.Options.Add(reports);
        cmd.Options.Add(license);
        cmd.SetAction(p =>
        {
            try
            {
                Export.ModelCardUpdate.Run(p.GetValue(weights)!, p.GetValue(reports)!, p.GetValue(license));
                return 0;
            }
            catch (Exception e) when (e is EmoSer.Runtime.ModelFile.ModelFormatException or IOException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"emoser-train: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static string Quote(string a) => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a;
}
