using EmoSer.Runtime.Audio;
using EmoSer.Trainer.Augmentation;
using EmoSer.Trainer.Cli;
using static EmoSer.Trainer.Tests.Augmentation.TestTones;

namespace EmoSer.Trainer.Tests.Augmentation;

[Trait("Category", "unit")]
public class SpeedPerturbationTests
{
    [Theory]
    [InlineData(16000, 0.9)]
    [InlineData(16000, 1.1)]
    [InlineData(44100, 0.85)]
    public void Changes_tempo_and_pitch_together(int sr, double factor)
    {
        var y = Tone(440, 2 * sr, sr);
        var s = SpeedChange.Apply(y, sr, factor);
        int from = (int)Math.Round(sr * factor);
        Assert.Equal((int)Math.Ceiling(2.0 * sr * sr / from), s.Length);
        double bin = (double)sr / 4096;
        Assert.InRange(PeakHz(s, sr), 440 * factor - bin, 440 * factor + bin);
        // A band-limited resampling keeps the level of an in-band tone.
        double rms = Math.Sqrt(s.Skip(s.Length / 4).Take(s.Length / 2).Average(v => (double)v * v));
        Assert.InRange(rms, 0.5 / Math.Sqrt(2) * 0.99, 0.5 / Math.Sqrt(2) * 1.01);
    }

    [Fact]
    public void Copies_cycle_through_the_factors_and_share_cache_variants_across_seeds()
    {
        var aug = new SpeedPerturbation([0.9, 1.1]);
        Assert.Equal([0.9, 1.1, 0.9], new[] { aug.FactorOf(1), aug.FactorOf(2), aug.FactorOf(3) });
        // The audio depends on the factor only, so the cache key must too: a new run seed reuses the features.
        Assert.Equal(aug.Variant(1, 7), aug.Variant(1, 8));
        Assert.NotEqual(aug.Variant(1, 7), aug.Variant(2, 7));
        Assert.NotEqual(aug.Variant(1, 7), new SeedAugmenter().Variant(1, 7));
        var y = Tone(300, 16000, 16000);
        Assert.Equal(SpeedChange.Apply(y, 16000, 1.1), aug.Augment(y, 16000, 2, seed: 123));
    }

    [Theory]
    [InlineData(new double[0], "speed perturbation needs at least one factor")]
    [InlineData(new[] { 0.9, 1.0 }, "speed factor 1 would copy the utterance unchanged")]
    [InlineData(new[] { 0.3 }, "speed factor 0.3 is outside [0.5, 2]")]
    [InlineData(new[] { double.NaN }, "speed factor NaN is outside [0.5, 2]")]
    public void Rejects_useless_or_extreme_factors(double[] factors, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new SpeedPerturbation(factors));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parses_the_speeds_option()
    {
        Assert.Equal([0.9, 1.1], TrainCommands.ParseSpeeds("0.9,1.1"));
        Assert.Equal([0.95, 1.05, 1.2], TrainCommands.ParseSpeeds(" 0.95 , 1.05,1.2"));
        Assert.Equal("--speeds: 'fast' is not a number", Assert.Throws<ArgumentException>(() => TrainCommands.ParseSpeeds("0.9,fast")).Message);
        Assert.Equal("--speeds: '' is not a number", Assert.Throws<ArgumentException>(() => TrainCommands.ParseSpeeds("0.9,")).Message);
        Assert.Equal("speed factor 3 is outside [0.5, 2]", Assert.Throws<ArgumentException>(() => TrainCommands.ParseSpeeds("3")).Message);
    }
}
