namespace EmoSer.Runtime.Classifier;

/// <summary>One window of a segmented classification (<see cref="EmotionClassifier.ClassifySegments(ReadOnlySpan{float}, int, int, double, Speakers.SpeakerProfile?)"/>).</summary>
/// <param name="Start">Start of the segment in seconds from the beginning of the audio.</param>
/// <param name="End">End of the segment in seconds.</param>
/// <param name="Classification">The segment's classification.</param>
public readonly record struct SegmentClassification(double Start, double End, Classification Classification);
