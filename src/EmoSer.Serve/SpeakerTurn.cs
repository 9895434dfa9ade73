using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;


/// <summary>
/// One prediction for a speaker: the profile as it stood when the classification started (a copy, so the
/// classification runs without a lock and never sees this clip), then the clip's features added to the live profile.
/// </summary>
internal sealed class SpeakerTurn
{
    private readonly SpeakerSessions.Session _session;
    private float[]? _features;

    private SpeakerTurn(SpeakerSessions.Session session)
    {
        _session = session;
        Profile = session.Snapshot();
    }

    /// <summary>The statistics this prediction uses.</summary>
    public SpeakerProfile Profile { get; }

    /// <summary>A turn for <paramref name="id"/>, or null without an id or when the model has no speaker normalization (the id is then ignored).</summary>
    public static SpeakerTurn? Begin(SpeakerSessions speakers, ServedModel model, string? id) =>
        id is not null && model.Engine.SpeakerFeatures is { } features ? new SpeakerTurn(speakers.GetOrCreate(id, features)) : null;

    /// <summary>
    /// Classifies the clip with <see cref="Profile"/> and keeps its features for <see cref="Enroll"/>: one extraction
    /// serves both. Call once per turn.
    /// </summary>
    public float[] Classify(ServedModel model, ReadOnlySpan<float> mono, int sampleRate)
    {
        SpeakerPrediction prediction = model.Engine.ClassifyForSpeaker(mono, sampleRate, Profile);
        _features = prediction.Features;
        return prediction.Probabilities;
    }

    /// <summary>Adds the clip classified by <see cref="Classify"/> to the speaker's profile (unless silent) and describes the prediction's statistics.</summary>
    public SpeakerUsage Enroll()
    {
        if (_features is not null)
            _session.Add(_features);
        long used = Profile.Count;
        return new SpeakerUsage(_session.Id, used > 0 ? "profile" : "population", used, _features is not null);
    }
}
