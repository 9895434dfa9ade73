using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Input;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Edge.Models;

/// <summary>
/// The speaker statistics options (<c>--speaker PROFILE.json</c>, docs/speaker-normalization.md) and the
/// <c>"speaker"</c> sources reported in JSON output (docs/cli-json.md).
/// </summary>
internal static class SpeakerInput
{
    /// <summary>The model's population statistics (no profile).</summary>
    public const string SourcePopulation = "population";

    /// <summary>A profile file given with <c>--speaker</c>.</summary>
    public const string SourceProfile = "profile";

    /// <summary>A profile built from the command's own inputs (<c>classify --same-speaker</c>).</summary>
    public const string SourceInputs = "inputs";

    /// <summary>The stream's running profile of its own past windows.</summary>
    public const string SourceAdaptive = "adaptive";

    /// <summary>The <c>--speaker PROFILE.json</c> option.</summary>
    public static OptionSpec<string?> CreateProfileOption() => new("--speaker")
    {
        Description = "Speaker profile (from 'emoser enroll') for models with speaker normalization.",
        HelpName = "PROFILE.json",
    };

    /// <summary>Adds a validator that rejects <paramref name="a"/> and <paramref name="b"/> together (a usage error).</summary>
    public static void MutuallyExclusive(CommandSpec command, OptionSpec a, OptionSpec b) =>
        command.Validators.Add(r =>
        {
            if (r.IsGiven(a) && r.IsGiven(b))
                r.AddError($"{a.Name} and {b.Name} cannot be used together");
        });

    /// <summary>
    /// True when <paramref name="model"/> has speaker normalization; otherwise writes the one-line warning that
    /// <paramref name="option"/> is ignored (when it was given) and returns false.
    /// </summary>
    public static bool Applies(EmotionModel model, string? option, CliContext context)
    {
        if (model.HasSpeakerNormalization)
            return true;
        if (option is not null)
        {
            context.Err.Write($"emoser: warning: model '{model.Name}' has no speaker normalization; {option} is ignored\n");
            context.Err.Flush();
        }
        return false;
    }

    /// <summary>Loads a profile file and checks that it was computed with the features <paramref name="model"/> takes.</summary>
    /// <exception cref="SpeakerProfileFormatException">The file is unreadable, malformed, or of other features.</exception>
    public static SpeakerProfile Load(string path, EmotionModel model)
    {
        if (Directory.Exists(path))
            throw new InputException(path, "is a directory, not a file");
        SpeakerProfileFile file = SpeakerProfileFile.Load(path);
        file.EnsureMatches(model, path);
        return file.Profile;
    }
}
