namespace EmoSer.Runtime;

/// <summary>The result of classifying one piece of audio.</summary>
/// <param name="Emotion">The most probable label.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="Labels">All labels of the model, in the order of <paramref name="Probabilities"/>.</param>
/// <param name="Probabilities">One probability per label (they sum to 1).</param>
/// <param name="DurationSeconds">Duration of the classified audio.</param>
public sealed record Classification(string Emotion, float Confidence, IReadOnlyList<string> Labels, float[] Probabilities, double DurationSeconds);

/// <summary>One window of a segmented classification (<see cref="EmotionClassifier.ClassifySegments(ReadOnlySpan{float}, int, double)"/>).</summary>
/// <param name="Start">Start of the segment in seconds from the beginning of the audio.</param>
/// <param name="End">End of the segment in seconds.</param>
/// <param name="Classification">The segment's classification.</param>
public readonly record struct SegmentClassification(double Start, double End, Classification Classification);
