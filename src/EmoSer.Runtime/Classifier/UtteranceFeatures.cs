using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Classifier;

/// <summary>
/// The feature vector of one clip, computed once by <see cref="EmotionClassifier.Extract(AudioClip)"/> and then
/// classified (<see cref="EmotionClassifier.Classify(UtteranceFeatures, SpeakerProfile?)"/>) and added to a
/// speaker profile (<see cref="EmotionClassifier.Enroll(UtteranceFeatures, SpeakerProfile)"/>) without a second
/// extraction. When the classifier uses test-time speed copies (<see cref="EmotionClassifier.UsesTestTimeSpeedCopies"/>)
/// it also holds the copies' feature vectors, which only classification uses. Immutable.
/// </summary>
public sealed class UtteranceFeatures
{
    private readonly float[] _features;

    internal UtteranceFeatures(float[] features, int sampleRate, bool isSilent, double durationSeconds)
        : this(features, sampleRate, isSilent, durationSeconds, [], [])
    {
    }

    internal UtteranceFeatures(float[] features, int sampleRate, bool isSilent, double durationSeconds, float[] speedFactors, float[][] speedCopyFeatures)
    {
        _features = features;
        SampleRate = sampleRate;
        IsSilent = isSilent;
        DurationSeconds = durationSeconds;
        SpeedFactors = Array.AsReadOnly(speedFactors);
        CopyFeatures = speedCopyFeatures;
    }

    /// <summary>The raw (unstandardized) features, exactly as <see cref="EmotionClassifier.Classify(AudioClip, SpeakerProfile?)"/> computes them.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>Sample rate (Hz) the features were computed at: the model's, after any resampling.</summary>
    public int SampleRate { get; }

    /// <summary>True when the clip's RMS is below <see cref="EmotionClassifier.EnrollmentSilenceDbfs"/>: it is not enrolled.</summary>
    public bool IsSilent { get; }

    /// <summary>Duration of the clip at its own rate, in seconds.</summary>
    public double DurationSeconds { get; }

    /// <summary>
    /// The test-time speed factors of the copies whose features this holds besides the clip's, in order (the model's
    /// <see cref="EmotionModel.TestTimeSpeedFactors"/>); empty when the classifier that extracted it used none.
    /// </summary>
    public IReadOnlyList<float> SpeedFactors { get; }

    /// <summary>One raw feature vector per <see cref="SpeedFactors"/> entry: the clip's speed copy at that factor.</summary>
    internal float[][] CopyFeatures { get; }
}
