using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Audio;

/// <summary>The front end (docs/front-end.md): each step on signals whose answer is known.</summary>
[Trait("Category", "unit")]
public class FrontEndTests
{
    private const int Rate = 16000;

    private static readonly FrontEndSettings All = new()
    {
        RemoveDc = true, TrimSilence = true, NormalizeLevel = true, ThresholdDb = 40, FloorDbfs = -70, MarginSeconds = 0.05f,
        TargetDbfs = -20, MaxGainDb = 50, NoiseFloorDb = 45,
    };

    /// <summary>Silence, then a 1 s 220 Hz tone of amplitude <paramref name="amplitude"/> with slow amplitude wobble, then silence.</summary>
    private static float[] Burst(double leadSeconds, double tailSeconds, double amplitude, double dc = 0, double noiseRms = 0)
    {
        int lead = (int)(leadSeconds * Rate), tone = Rate, tail = (int)(tailSeconds * Rate);
        var x = new float[lead + tone + tail];
        var rng = new Random(3);
        for (int i = 0; i < x.Length; i++)
        {
            double v = dc + (noiseRms * Math.Sqrt(3) * ((rng.NextDouble() * 2) - 1));
            if (i >= lead && i < lead + tone)
                v += amplitude * (0.75 + (0.25 * Math.Sin(2 * Math.PI * 3 * i / Rate))) * Math.Sin(2 * Math.PI * 220 * i / Rate);
            x[i] = (float)v;
        }
        return x;
    }

    private static double Dbfs(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return 10 * Math.Log10(s / x.Length);
    }

    [Fact]
    public void Trimming_keeps_the_voice_and_the_margin_and_drops_the_silence()
    {
        float[] x = Burst(1.0, 0.7, 0.1);
        var output = new float[x.Length];
        var r = FrontEnd.Process(x, Rate, new FrontEndSettings { TrimSilence = true }, output);
        Assert.False(r.IsSilent);
        // 1 s of tone plus 50 ms (5 blocks) of margin on each side, cut on the 10 ms block grid.
        Assert.Equal(Rate - 800, r.Start);
        Assert.Equal(Rate + 1600, r.Length);
        Assert.Equal(x.AsSpan(r.Start, r.Length).ToArray(), output[..r.Length]);
        Assert.Equal(0f, r.GainDb);
    }

    [Fact]
    public void Level_normalization_brings_the_speech_not_the_pauses_to_the_target()
    {
        foreach (double amplitude in new[] { 0.003, 0.05, 0.9 })
        {
            // Long silences must not pull the measured level down: only active blocks count.
            float[] x = Burst(2.0, 2.0, amplitude);
            var output = new float[x.Length];
            var r = FrontEnd.Process(x, Rate, new FrontEndSettings { NormalizeLevel = true }, output);
            Assert.Equal(x.Length, r.Length);
            double speech = Dbfs(output.AsSpan(2 * Rate, Rate));
            Assert.InRange(speech, -20.3, -19.7);
            Assert.Equal(-20 - Dbfs(x.AsSpan(2 * Rate, Rate)), r.GainDb, 0.3);
        }
    }

    [Fact]
    public void The_gain_is_limited()
    {
        float[] x = Burst(0.2, 0.2, 1e-4);   // about -83 dBFS: active above a -150 dBFS floor, 60+ dB below the target
        var output = new float[x.Length];
        var r = FrontEnd.Process(x, Rate, new FrontEndSettings { NormalizeLevel = true, FloorDbfs = -150, MaxGainDb = 30 }, output);
        Assert.Equal(30f, r.GainDb, 3);
    }

    [Fact]
    public void Dc_offset_is_removed_and_does_not_defeat_trimming()
    {
        // A 0.2 offset would make the "silence" louder than the tone's threshold; removed, the silence is trimmed.
        float[] x = Burst(0.5, 0.5, 0.1, dc: 0.2);
        var output = new float[x.Length];
        var r = FrontEnd.Process(x, Rate, new FrontEndSettings { RemoveDc = true, TrimSilence = true }, output);
        Assert.InRange(r.Length, Rate, Rate + 1700);
        Assert.InRange(output.AsSpan(0, r.Length).ToArray().Average(v => (double)v), -0.01, 0.01);
        var kept = FrontEnd.Process(x, Rate, new FrontEndSettings { TrimSilence = true }, output);
        Assert.Equal(x.Length, kept.Length);
    }

    [Fact]
    public void A_clip_below_the_floor_is_silent_and_passes_unchanged()
    {
        float[] x = Burst(0.2, 0.2, 1e-5);   // peak blocks about -103 dBFS, below the -70 dBFS floor
        var output = new float[x.Length];
        var r = FrontEnd.Process(x, Rate, All with { RemoveDc = false }, output);
        Assert.True(r.IsSilent);
        Assert.Equal(x, output);
        Assert.True(FrontEnd.IsSilent(x, Rate, All));
        Assert.False(FrontEnd.IsSilent(Burst(0.2, 0.2, 0.001), Rate, All));
        Assert.True(FrontEnd.IsSilent([], Rate, All));
    }

    [Fact]
    public void Recordings_that_differ_only_in_level_silence_and_offset_come_out_alike()
    {
        // The same voice recorded quietly with long silences and an offset, and loudly and tightly cut.
        float[] quiet = Burst(1.0, 1.0, 0.02, dc: 0.01);
        float[] loud = Burst(0.05, 0.05, 0.5);
        var a = new float[quiet.Length];
        var b = new float[loud.Length];
        var ra = FrontEnd.Process(quiet, Rate, All with { NoiseFloorDb = 0 }, a);
        var rb = FrontEnd.Process(loud, Rate, All with { NoiseFloorDb = 0 }, b);
        Assert.InRange(Math.Abs(ra.Length - rb.Length), 0, 200);
        Assert.InRange(Dbfs(a.AsSpan(0, ra.Length)) - Dbfs(b.AsSpan(0, rb.Length)), -0.5, 0.5);
    }

    [Fact]
    public void The_noise_floor_is_deterministic_and_at_its_level()
    {
        float[] x = Burst(0.5, 0.5, 0.1);
        var a = new float[x.Length];
        var b = new float[x.Length];
        var settings = new FrontEndSettings { NormalizeLevel = true, NoiseFloorDb = 45 };
        var ra = FrontEnd.Process(x, Rate, settings, a);
        FrontEnd.Process(x, Rate, settings, b);
        Assert.Equal(a, b);
        // The leading silence now holds only the noise: 45 dB below the -20 dBFS speech.
        Assert.InRange(Dbfs(a.AsSpan(0, Rate / 2)), -65.5, -64.5);
        Assert.Equal(x.Length, ra.Length);
    }

    [Fact]
    public void Processing_in_place_gives_the_same_samples()
    {
        float[] x = Burst(0.4, 0.3, 0.2, dc: 0.05);
        var copy = new float[x.Length];
        var r = FrontEnd.Process(x, Rate, All, copy);
        var inPlace = (float[])x.Clone();
        var q = FrontEnd.Process(inPlace, Rate, All, inPlace);
        Assert.Equal(r, q);
        Assert.Equal(copy[..r.Length], inPlace[..q.Length]);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var x = new float[100];
        Assert.Throws<ArgumentException>(() => FrontEnd.Process(x, Rate, All, new float[99]));
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => FrontEnd.Process(x, Rate, All with { MarginSeconds = 3 }, new float[100])), "settings", "front end margin 3 s is outside [0, 1]");
        Assert.Throws<ArgumentOutOfRangeException>(() => FrontEnd.Process(x, 0, All, new float[100]));
        Assert.Equal(new FrontEndResult(0, 0, 0, true), FrontEnd.Process([], Rate, All, []));
    }

    [Fact]
    public void Settings_describe_themselves()
    {
        Assert.Equal("dc,trim(40dB,-70dBFS,0.05s),level(-20dBFS,50dB),floor(45dB)", All.ToString());
        Assert.Equal("none", new FrontEndSettings().ToString());
        Assert.False(new FrontEndSettings().IsActive);
    }
}
