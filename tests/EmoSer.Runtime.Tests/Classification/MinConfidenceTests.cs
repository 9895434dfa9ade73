using ClassificationResult = EmoSer.Runtime.Classifier.Classification;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>The minimum-confidence rule shared by classify --min-confidence, the HTTP API and the C API.</summary>
[Trait("Category", "unit")]
public class MinConfidenceTests
{
    private static readonly ClassificationResult Sure = new("angry", 0.8f, ["angry", "sad"], [0.8f, 0.2f], 1.5);

    [Fact]
    public void Below_the_minimum_the_answer_is_uncertain_and_the_probabilities_stay()
    {
        var c = Sure.WithMinConfidence(0.9f);
        Assert.Equal(ClassificationResult.Uncertain, c.Emotion);
        Assert.True(c.IsUncertain);
        Assert.Equal(0.8f, c.Confidence);
        Assert.Equal(Sure.Probabilities, c.Probabilities);
        Assert.Equal(1.5, c.DurationSeconds);
    }

    [Fact]
    public void At_or_above_the_minimum_the_label_stays()
    {
        Assert.Same(Sure, Sure.WithMinConfidence(0.8f));
        Assert.Same(Sure, Sure.WithMinConfidence(0f));
        Assert.False(Sure.IsUncertain);
        // A model whose own label is "uncertain" is not mistaken for the rule's answer.
        Assert.False(new ClassificationResult("uncertain", 0.9f, ["uncertain", "sad"], [0.9f, 0.1f], 1).IsUncertain);
    }

    [Theory]
    [InlineData(-0.01f)]
    [InlineData(1.01f)]
    [InlineData(float.NaN)]
    public void A_minimum_outside_zero_to_one_is_refused(float p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Sure.WithMinConfidence(p));
}
