using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Training;

[Trait("Category", "unit")]
public class LearningRateScheduleTests
{
    [Fact]
    public void One_cycle_warms_up_then_descends_by_cosine()
    {
        var r = new Recipe { Schedule = LearningRateSchedule.OneCycle, LearningRate = 1e-3 };
        const long total = 400; // warm-up ends at step floor(0.1 * 400) - 1 = 39
        Assert.Equal(1e-3 / 25, NetworkTrainer.LearningRateAt(r, 0, total), 12);
        Assert.Equal(1e-3, NetworkTrainer.LearningRateAt(r, 39, total), 12);
        Assert.Equal(1e-3 / 25 / 1e4, NetworkTrainer.LearningRateAt(r, total - 1, total), 12);
        // Halfway through the descent the cosine is at its midpoint.
        double mid = NetworkTrainer.LearningRateAt(r, 39 + (total - 1 - 39) / 2, total);
        Assert.Equal((1e-3 + 1e-3 / 25 / 1e4) / 2, mid, 9);
        for (long s = 1; s < total; s++)
        {
            double prev = NetworkTrainer.LearningRateAt(r, s - 1, total), cur = NetworkTrainer.LearningRateAt(r, s, total);
            if (s <= 39) Assert.True(cur > prev, $"step {s} should warm up");
            else Assert.True(cur < prev, $"step {s} should descend");
        }
    }

    [Fact]
    public void Constant_keeps_the_seeds_time_decay()
    {
        var seed = Recipe.Seed(5);
        Assert.Equal(1e-5 / (1 + 1e-6 * 1000), NetworkTrainer.LearningRateAt(seed, 1000, 2000), 15);
        var adam = new Recipe();
        Assert.Equal(1e-3, NetworkTrainer.LearningRateAt(adam, 123, 2000));
    }
}
