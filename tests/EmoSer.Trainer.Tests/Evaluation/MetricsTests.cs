using EmoSer.Trainer.Evaluation;

namespace EmoSer.Trainer.Tests.Evaluation;

[Trait("Category", "unit")]
public class MetricsTests
{
    [Fact]
    public void Wa_ua_F1_and_confusion_of_a_known_case()
    {
        // class 0: 4 samples, 3 right; class 1: 2 samples, 1 right; class 2: absent from actual, predicted once.
        int[] actual = [0, 0, 0, 0, 1, 1];
        int[] predicted = [0, 0, 0, 1, 1, 2];
        var m = new Metrics(actual, predicted, 3);
        Assert.Equal(4.0 / 6, m.WeightedAccuracy, 12);
        Assert.Equal((0.75 + 0.5) / 2, m.UnweightedAccuracy, 12);
        Assert.Null(m.Recall[2]);
        // precision 0: 3/3, recall 0.75 -> F1 6/7; precision 1: 1/2, recall 1/2 -> F1 0.5.
        Assert.Equal((6.0 / 7 + 0.5) / 2, m.MacroF1, 12);
        Assert.Equal([3, 1, 0], m.Confusion[0]);
        Assert.Equal([0, 1, 1], m.Confusion[1]);
        Assert.Equal([0, 0, 0], m.Confusion[2]);
    }
}
