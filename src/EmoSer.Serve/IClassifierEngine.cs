using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;

/// <summary>
/// The model being served, as the HTTP layer sees it: labels, identity and a thread-safe classify call.
/// Keeping the server behind this seam lets a swap replace the whole engine with one reference write.
/// </summary>
internal interface IClassifierEngine
{
    /// <summary>Model name (from the weights file).</summary>
    string Name { get; }

    /// <summary>Identity of the loaded weights: file name and a content hash prefix.</summary>
    string Version { get; }

    /// <summary>Output labels, in probability order.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Sample rate the model's features are computed at.</summary>
    int SampleRate { get; }

    /// <summary>The model card JSON stored with the weights, if any.</summary>
    string? ModelCardJson { get; }

    /// <summary>Class probabilities of <paramref name="mono"/> at <paramref name="sampleRate"/>; thread-safe.</summary>
    float[] Classify(ReadOnlySpan<float> mono, int sampleRate);

    /// <summary>
    /// The <c>?segment=</c> timeline of <paramref name="clip"/>: <see cref="EmoSer.Runtime.Classifier.EmotionClassifier.ClassifySegments(AudioClip, double, SpeakerProfile?)"/>'s
    /// segmentation (the one of <c>emoser classify --segment</c>), with <paramref name="speaker"/>'s statistics when given; thread-safe.
    /// </summary>
    IReadOnlyList<SegmentClassification> ClassifySegments(AudioClip clip, double segmentSeconds, SpeakerProfile? speaker);

    /// <summary>The test-time speed factors every classification averages over (empty: a single pass).</summary>
    IReadOnlyList<float> SpeedCopyFactors => [];

    /// <summary>
    /// The features a speaker profile of this model is made of, or null when the model has no speaker normalization
    /// (then the methods below are never called by the server).
    /// </summary>
    SpeakerFeatures? SpeakerFeatures => null;

    /// <summary>As <see cref="Classify(ReadOnlySpan{float}, int)"/>, standardized with <paramref name="speaker"/>'s statistics; thread-safe.</summary>
    float[] Classify(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile speaker) => Classify(mono, sampleRate);

    /// <summary>
    /// As <see cref="Classify(ReadOnlySpan{float}, int, SpeakerProfile)"/>, also handing back the feature vector
    /// <see cref="EmoSer.Runtime.Classifier.EmotionClassifier.Enroll(ReadOnlySpan{float}, int, SpeakerProfile)"/> would add for
    /// this audio (null when silent) from the same extraction, for the server to add to the speaker's profile; thread-safe.
    /// </summary>
    SpeakerPrediction ClassifyForSpeaker(ReadOnlySpan<float> mono, int sampleRate, SpeakerProfile speaker) =>
        new(Classify(mono, sampleRate, speaker), null);

    /// <summary>The classifier a WebSocket <c>/stream</c> runs its <see cref="EmoSer.Runtime.Streaming.EmotionStream"/> on, or null when this engine cannot stream.</summary>
    EmoSer.Runtime.Classifier.EmotionClassifier? StreamClassifier => null;

    /// <summary>Why <paramref name="file"/> cannot be used with this model, or null when it can.</summary>
    string? ProfileMismatch(SpeakerProfileFile file) => "the served model has no speaker normalization";
}

/// <summary>What a speaker profile's statistics were computed from; profiles are usable only with a model whose features are equal.</summary>
/// <param name="FeatureSetId">Feature set id, e.g. librosa-seed-193.</param>
/// <param name="ExtractorVersion">Feature extractor version.</param>
/// <param name="SampleRate">Sample rate (Hz) the features are computed at.</param>
/// <param name="FeatureCount">Length of a feature vector.</param>
internal sealed record SpeakerFeatures(string FeatureSetId, int ExtractorVersion, int SampleRate, int FeatureCount);

/// <summary>A classification for a speaker and the clip's features to enroll.</summary>
/// <param name="Probabilities">Class probabilities.</param>
/// <param name="Features">The clip's raw feature vector, or null when the clip is silent (not enrolled).</param>
internal sealed record SpeakerPrediction(float[] Probabilities, float[]? Features);
