using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Streaming;

/// <summary>
/// Where an <see cref="EmotionStream"/> takes the speaker statistics from when its model has
/// <see cref="EmotionModel.SpeakerNormalization"/> (docs/speaker-normalization.md); a model without it ignores this.
/// </summary>
public sealed class StreamSpeaker
{
    private StreamSpeaker(SpeakerProfile? profile, bool adapts)
    {
        Profile = profile;
        Adapts = adapts;
    }

    /// <summary>
    /// The default: a running profile of the stream's own non-silent windows, each added only when it does not
    /// overlap the last window added; every window is classified with the profile as it stood before it.
    /// </summary>
    public static StreamSpeaker Adaptive { get; } = new(null, true);

    /// <summary>No adaptation: every window is classified with the model's population statistics.</summary>
    public static StreamSpeaker Population { get; } = new(null, false);

    /// <summary>Every window is classified with <paramref name="profile"/>, which the stream never modifies.</summary>
    /// <param name="profile">The speaker's profile (e.g. from enrollment); do not modify it while the stream uses it.</param>
    public static StreamSpeaker Fixed(SpeakerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new StreamSpeaker(profile, false);
    }

    /// <summary>The fixed profile, or null for <see cref="Adaptive"/> and <see cref="Population"/>.</summary>
    public SpeakerProfile? Profile { get; }

    /// <summary>True for <see cref="Adaptive"/>.</summary>
    public bool Adapts { get; }
}
