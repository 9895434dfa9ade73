using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Edge.Models;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser enroll FILE... --out PROFILE.json</c>: a speaker profile from utterances of one speaker, for models with
/// speaker normalization (docs/speaker-normalization.md). Silent inputs are skipped, unreadable ones reported (one
/// line each) and left out; the profile is written atomically and one summary line is printed.
/// </summary>
internal static class EnrollCommand
{
    public static CommandSpec Create(CliContext context) =>
        new("enroll", "Build a speaker profile from utterances of one speaker (for --speaker).", command => Define(command, context));

    private static void Define(CommandSpec command, CliContext context)
    {
        ArgumentSpec files = FileArguments.Create();
        var output = new OptionSpec<string>("--out")
        {
            Description = "The speaker profile to write (JSON; replaced atomically if it exists).",
            HelpName = "PROFILE.json",
            Required = true,
        };
        OptionSpec<string?> model = ModelSource.CreateOption();
        FlagSpec recursive = InputBatch.CreateRecursiveOption();
        OptionSpec<double> maxDuration = AudioInput.CreateMaxDurationOption();
        var raw = new RawAudioOptions();
        command.Arguments.Add(files);
        command.Options.Add(output);
        command.Options.Add(model);
        command.Options.Add(recursive);
        command.Options.Add(maxDuration);
        raw.AddTo(command);
        command.Action = parse => Run(parse.GetValues(files), parse.GetValue(output), raw.Get(parse), parse.GetValue(maxDuration), parse.GetValue(model), parse.GetValue(recursive), context);
    }

    private static int Run(string[] files, string outPath, RawAudioSettings? raw, double maxSeconds, string? modelPath, bool recursive, CliContext context)
    {
        if (outPath.Length == 0)
            throw new UsageException("--out needs a file name");
        EmotionModel model = ModelSource.Load(modelPath);
        var classifier = new EmotionClassifier(model);
        var profile = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);
        int silent = 0;
        InputBatch batch = InputBatch.Expand(files, recursive, raw is not null, context, jsonErrors: null, streamsResults: false);
        batch.ForEach((_, file) =>
        {
            AudioClip clip = AudioInput.Load(file, raw, context, maxSeconds, "enroll utterances, not whole recordings (or raise --max-duration)");
            if (AudioInput.RateProblem(AudioInput.DisplayName(file), clip.SampleRate, model.SampleRate) is { } problem)
                throw problem;
            if (!classifier.Enroll(clip, profile))
                silent++;
        });
        int inputs = batch.Inputs.Count;
        if (profile.Count == 0)
        {
            batch.Finish();
            string what = batch.Failed == inputs ? (inputs == 1 ? "the input could not be read" : $"none of the {inputs} inputs could be read")
                : batch.Failed > 0 ? $"the {inputs - batch.Failed} readable inputs are silent (below {EmotionClassifier.EnrollmentSilenceDbfs} dBFS), no speech to enroll"
                : $"{(inputs == 1 ? "the input is" : $"all {inputs} inputs are")} silent (below {EmotionClassifier.EnrollmentSilenceDbfs} dBFS), no speech to enroll";
            throw new InputException(outPath, $"not written: {what}");
        }
        var document = SpeakerProfileFile.ForModel(model, profile);
        try
        {
            document.Save(outPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(outPath, $"cannot write: {ErrorText.Describe(e)}");
        }
        string skipped = (silent == 0 ? "" : $", {silent} silent skipped") + (batch.Failed == 0 ? "" : $", {batch.Failed} unreadable skipped");
        context.Out.Write($"{outPath}: {profile.Count} utterance{(profile.Count == 1 ? "" : "s")} ({inputs} input{(inputs == 1 ? "" : "s")}{skipped}), "
            + $"features {document.FeatureSetId} v{document.ExtractorVersion} at {document.SampleRate} Hz\n");
        return batch.Finish();
    }
}
