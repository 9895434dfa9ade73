using EmoSer.Runtime;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Runtime.Tests.Classification;

[Trait("Category", "unit")]
public class TimelineSegmentsTests
{
    [Theory]
    [InlineData(100, 20, new[] { 0, 20, 40, 60, 80, 100 })]   // exact multiple
    [InlineData(109, 20, new[] { 0, 20, 40, 60, 80, 109 })]   // 9-sample tail < half (10): joins the last segment
    [InlineData(110, 20, new[] { 0, 20, 40, 60, 80, 100, 110 })] // 10-sample tail = half: a segment of its own
    [InlineData(15, 20, new[] { 0, 15 })]                       // shorter than one segment
    [InlineData(29, 20, new[] { 0, 29 })]
    [InlineData(30, 20, new[] { 0, 20, 30 })]
    [InlineData(5, 1, new[] { 0, 1, 2, 3, 4, 5 })]
    public void SegmentsAreContiguousAndAShortTailJoinsTheLastOne(int length, long segment, int[] edges)
    {
        var bounds = TimelineSegments.Bounds(length, segment);
        Assert.Equal(edges.Zip(edges.Skip(1)), bounds.Select(b => (b.Start, b.End)));
    }

    [Fact]
    public void Empty_recording_has_no_segments_and_bad_lengths_are_refused()
    {
        Assert.Empty(TimelineSegments.Bounds(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimelineSegments.Bounds(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimelineSegments.Bounds(10, 0));
    }
}
