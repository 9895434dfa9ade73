using EmoSer.Trainer.Augmentation;
using static EmoSer.Trainer.Tests.Augmentation.TestTones;

namespace EmoSer.Trainer.Tests.Augmentation;

[Trait("Category", "unit")]
public class PhaseVocoderTests
{
    [Theory]
    [InlineData(1.23)]
    [InlineData(0.81)]
    public void Stretch_changes_length_not_pitch(double rate)
    {
        var y = Tone(440, 32000);
        var s = new PhaseVocoder().Stretch(y, rate);
        Assert.Equal((int)Math.Round(32000 / rate, MidpointRounding.ToEven), s.Length);
        Assert.InRange(PeakHz(s), 440 - 4, 440 + 4);
        // Amplitude is preserved in the steady middle part.
        double rms = Math.Sqrt(s.Skip(s.Length / 4).Take(s.Length / 2).Average(v => (double)v * v));
        Assert.InRange(rms, 0.5 / Math.Sqrt(2) * 0.9, 0.5 / Math.Sqrt(2) * 1.1);
    }

    [Fact]
    public void Rate_one_reconstructs_the_signal()
    {
        var y = Tone(300, 16000);
        var s = new PhaseVocoder().Stretch(y, 1.0);
        Assert.Equal(y.Length, s.Length);
        double maxErr = y.Zip(s, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxErr < 1e-4, $"max error {maxErr}");
    }

    [Fact]
    public void Augmenter_is_seeded_and_adds_delay_and_noise()
    {
        var aug = new SeedAugmenter();
        var y = Tone(220, 16000);
        var a = aug.Augment(y, 16000, 1, 42);
        var b = aug.Augment(y, 16000, 1, 42);
        var c = aug.Augment(y, 16000, 1, 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // Length = (delay + n) / rate with delay <= 6200 and rate 1.23 or 0.81.
        Assert.InRange(a.Length, (int)(16000 / 1.23) - 1, (int)((16000 + 6200) / 0.81) + 1);
    }

    [Fact]
    public void Bad_rate_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhaseVocoder().Stretch(new float[100], 0));
}
