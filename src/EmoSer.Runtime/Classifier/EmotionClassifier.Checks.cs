using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Classifier;

// The checks every entry point makes before any work, with the messages callers see.
public sealed partial class EmotionClassifier
{
    /// <summary>
    /// The checks of every entry point that takes audio, before any work: whole frames of 1 to
    /// <see cref="InputLimits.MaxChannels"/> channels, a rate within <see cref="InputLimits"/> (a rate far below the
    /// model's would multiply the work of resampling) and every sample finite and within
    /// <see cref="InputLimits.MaxSampleMagnitude"/> (beyond it the features overflow).
    /// </summary>
    private static void CheckAudio(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        if (channels < 1 || channels > InputLimits.MaxChannels)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"The channel count must be in [1, {InputLimits.MaxChannels}].");
        if (interleaved.IsEmpty)
            throw new ArgumentException("The audio is empty.", channels == 1 ? "mono" : nameof(interleaved));
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"The audio holds {interleaved.Length} samples, not a whole number of {channels}-channel frames.", nameof(interleaved));
        if (InputLimits.SampleRateProblem(sampleRate) is { } rate)
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, rate);
        if (InputLimits.IndexOfInvalidSample(interleaved) is int bad and >= 0)
            throw new ArgumentException(InputLimits.InvalidSampleProblem(interleaved, bad, channels), channels == 1 ? "mono" : nameof(interleaved));
    }

    private void CheckProfile(SpeakerProfile? profile, string parameter)
    {
        // A model without speaker normalization ignores the profile, but a profile of other features is a caller's mistake either way.
        if (profile is not null && profile.FeatureCount != SeedFeatureExtractor.FeatureCount)
            throw new ArgumentException($"The speaker profile has {profile.FeatureCount} features; the seed features are {SeedFeatureExtractor.FeatureCount}.", parameter);
    }

    private void CheckUtterance(UtteranceFeatures utterance)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        // Features of another rate describe other spectra: the model's statistics do not apply to them.
        if (utterance.SampleRate != Model.SampleRate)
            throw new ArgumentException($"The features were computed at {utterance.SampleRate} Hz; model '{Model.Name}' takes features at {Model.SampleRate} Hz.", nameof(utterance));
    }

    private static string FactorList(IEnumerable<float> factors) =>
        string.Join(", ", factors.Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
