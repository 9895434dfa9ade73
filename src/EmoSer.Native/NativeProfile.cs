using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Native;

/// <summary>
/// What a profile handle stands for: a <see cref="SpeakerProfile"/>, the model whose feature path fills it, and a
/// reader/writer flag: classify calls may share the profile, an add needs it alone. Overlapping calls that break this
/// are turned into <see cref="EmoserStatus.Busy"/> instead of a race.
/// </summary>
internal sealed class NativeProfile(NativeModel model, SpeakerProfile profile)
{
    /// <summary>An empty profile for <paramref name="model"/>.</summary>
    public NativeProfile(NativeModel model)
        : this(model, new SpeakerProfile(SeedFeatureExtractor.FeatureCount))
    {
    }

    private int _state; // 0 idle, n > 0 readers, -1 one writer

    /// <summary>The model the profile was created for (it keeps the model alive after emoser_model_free).</summary>
    public NativeModel Model { get; } = model;

    public SpeakerProfile Profile { get; } = profile;

    /// <summary>Enters a read (classify); throws when an add is in progress.</summary>
    public void EnterRead()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state < 0)
                throw Busy();
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
                return;
        }
    }

    public void ExitRead() => Interlocked.Decrement(ref _state);

    /// <summary>Enters a write (add); throws when any other call is using the profile.</summary>
    public void EnterWrite()
    {
        if (Interlocked.CompareExchange(ref _state, -1, 0) != 0)
            throw Busy();
    }

    public void ExitWrite() => Volatile.Write(ref _state, 0);

    /// <summary>
    /// A copy of the statistics, taken as a read: a stream or a file gets them without holding the profile (an add may
    /// run meanwhile).
    /// </summary>
    public SpeakerProfile Snapshot()
    {
        EnterRead();
        try
        {
            return Profile.Count == 0
                ? new SpeakerProfile(Profile.FeatureCount)
                : SpeakerProfile.FromStatistics(Profile.Count, Profile.Mean, Profile.SumSquaredDeviations);
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>Null when the profile's features are the ones <paramref name="other"/> takes, else why not.</summary>
    public string? MismatchWith(NativeModel other)
    {
        EmotionModel a = Model.Model, b = other.Model;
        if (a.FeatureSetId == b.FeatureSetId && a.ExtractorVersion == b.ExtractorVersion && a.SampleRate == b.SampleRate)
            return null;
        return $"the profile holds features '{a.FeatureSetId}' version {a.ExtractorVersion} at {a.SampleRate} Hz, "
            + $"the model takes '{b.FeatureSetId}' version {b.ExtractorVersion} at {b.SampleRate} Hz";
    }

    private static NativeCallException Busy() =>
        new(EmoserStatus.Busy, "profile is in use by another thread (an add needs the profile alone)");
}
