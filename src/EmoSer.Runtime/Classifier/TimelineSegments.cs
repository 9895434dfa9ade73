namespace EmoSer.Runtime.Classifier;

/// <summary>
/// How a recording is cut into a timeline: consecutive segments of one length, where a remainder shorter than half a
/// segment joins the last segment rather than being classified alone. One rule for <c>emoser classify --segment</c>,
/// <see cref="EmotionClassifier.ClassifySegments(ReadOnlySpan{float}, int, int, double, Speakers.SpeakerProfile?)"/> and the HTTP API's <c>?segment=</c>.
/// </summary>
internal static class TimelineSegments
{
    /// <summary>The [start, end) sample bounds of the segments of <paramref name="length"/> samples cut every <paramref name="segmentLength"/>.</summary>
    /// <param name="length">Samples in the recording.</param>
    /// <param name="segmentLength">Samples per segment.</param>
    /// <returns>Contiguous bounds from 0 to <paramref name="length"/>; empty for an empty recording.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or <paramref name="segmentLength"/> not positive.</exception>
    public static IReadOnlyList<(int Start, int End)> Bounds(int length, long segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentLength);
        var result = new List<(int Start, int End)>();
        long start = 0;
        while (start < length)
        {
            long end = Math.Min(length, start + segmentLength);
            if (length - end < segmentLength / 2)
                end = length;
            result.Add(((int)start, (int)end));
            start = end;
        }
        return result;
    }
}
