using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

[Trait("Category", "golden")]
public sealed class MelFilterBankTests
{
    [Theory]
    [InlineData(16000, 128)]
    [InlineData(22050, 50)]
    public void Shared_bank_is_one_instance_per_parameters_with_the_weights_of_a_new_one(int sr, int mels)
    {
        var shared = MelFilterBank.GetShared(sr, 2048, mels);
        Assert.Same(shared, MelFilterBank.GetShared(sr, 2048, mels));
        Assert.NotSame(shared, MelFilterBank.GetShared(sr, 1024, mels));
        Assert.NotSame(shared, MelFilterBank.GetShared(sr, 2048, mels + 1));
        var fresh = new MelFilterBank(sr, 2048, mels);
        Assert.Equal(mels, shared.MelCount);
        for (int m = 0; m < mels; m++)
        {
            Assert.Equal(fresh.BandRange(m), shared.BandRange(m));
            var (start, length) = fresh.BandRange(m);
            for (int k = start; k < start + length; k++)
                Assert.Equal(fresh.Weight(m, k), shared.Weight(m, k));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => MelFilterBank.GetShared(0, 2048, mels));
    }

    [Theory]
    [InlineData(16000, 128)]
    [InlineData(22050, 50)]
    [InlineData(44100, 128)]
    public void Filters_are_contiguous_non_negative_triangles_with_unit_area_in_hz(int sr, int mels)
    {
        var bank = new MelFilterBank(sr, 2048, mels);
        double binHz = (double)sr / 2048;
        int previousPeak = -1;
        for (int m = 0; m < mels; m++)
        {
            var (start, length) = bank.BandRange(m);
            Assert.True(length > 0, $"band {m} is empty");
            double area = 0;
            int peak = start;
            for (int k = start; k < start + length; k++)
            {
                float w = bank.Weight(m, k);
                Assert.True(w > 0, $"band {m} bin {k}: weight {w} inside the run");
                area += w * binHz;
                if (w > bank.Weight(m, peak))
                    peak = k;
            }
            Assert.True(peak >= previousPeak, $"band {m} peaks before band {m - 1}");
            previousPeak = peak;
            // Slaney normalisation gives each triangle unit area in Hz; sampling on the bin grid is only
            // close to that for triangles several bins wide.
            if (length >= 12)
                Assert.True(Math.Abs(area - 1) < 0.05, $"band {m}: area {area}");
        }
    }

    [Fact]
    public void Slaney_scale_is_linear_below_1khz_and_logarithmic_above()
    {
        Assert.Equal(15.0, MelFilterBank.HzToMel(1000), 12);
        Assert.Equal(3.0, MelFilterBank.HzToMel(200), 12);
        Assert.Equal(15.0 + 27.0, MelFilterBank.HzToMel(6400), 10);
        foreach (double hz in new[] { 0.0, 123.4, 999.9, 1000, 4000, 11025 })
            Assert.Equal(hz, MelFilterBank.MelToHz(MelFilterBank.HzToMel(hz)), 9);
    }

    [Fact]
    public void Apply_is_the_dot_product_of_each_band_with_the_spectrum()
    {
        var bank = new MelFilterBank(16000, 2048, 50);
        var rng = new Random(3);
        var spectrum = new float[1025];
        for (int i = 0; i < spectrum.Length; i++)
            spectrum[i] = (float)rng.NextDouble();
        var mel = new float[50];
        bank.Apply(spectrum, mel);
        for (int m = 0; m < 50; m++)
        {
            double expected = 0;
            for (int k = 0; k < 1025; k++)
                expected += bank.Weight(m, k) * spectrum[k];
            Assert.Equal(expected, mel[m], expected * 1e-5);
        }
    }

    /// <summary>Per-frame stages against librosa (librosa-stages.json): STFT magnitude, mel-50, mel-128 dB, MFCC.</summary>
    [Theory]
    [InlineData("03a01Fa.wav", true)]
    [InlineData("16b10Wb.wav", true)]
    [InlineData("sweep_22050.wav", false)]
    [InlineData("stereo_16000.wav", false)]
    public void Frames_match_librosa_stages(string name, bool emoDb)
    {
        string stagesPath = TestData.RequireGolden("librosa-stages.json");
        string wav = emoDb ? Path.Combine(TestData.RequireEmoDb(), name) : Path.Combine(TestData.GoldenDir, "signals", name);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(stagesPath));
        var golden = doc.RootElement.GetProperty("files").GetProperty(name);

        var clip = WavReader.ReadFile(wav);
        float[] y = clip.ToMono();
        var stft = new CenteredStft();
        int frames = stft.FrameCount(y.Length);
        Assert.Equal(golden.GetProperty("n_frames").GetInt32(), frames);

        var mel128 = new MelFilterBank(clip.SampleRate, 2048, 128);
        var mel50 = new MelFilterBank(clip.SampleRate, 2048, 50);
        var mag = new float[frames][];
        var db = new float[frames][];
        var m50 = new float[frames][];
        var power = new float[1025];
        var mel = new float[128];
        for (int t = 0; t < frames; t++)
        {
            mag[t] = new float[1025];
            stft.ComputeFrame(y, t, mag[t], power);
            mel128.Apply(power, mel);
            db[t] = new float[128];
            PowerToDb.Convert(mel, db[t]);
            m50[t] = new float[50];
            mel50.Apply(power, m50[t]);
        }
        float floor = PowerToDb.Floor(db.Max(r => r.Max()));
        foreach (var row in db)
            PowerToDb.ClampBelow(row, floor);
        var dct = new DctII(128, 50);

        foreach (var frame in golden.GetProperty("stft_mag").EnumerateObject())
        {
            int t = int.Parse(frame.Name, System.Globalization.CultureInfo.InvariantCulture);
            AssertClose($"{name} stft_mag[{t}]", Values(frame.Value), mag[t], 1e-4);
            AssertClose($"{name} mel50[{t}]", Values(golden.GetProperty("mel50").GetProperty(frame.Name)), m50[t], 1e-4);
            var refDb = Values(golden.GetProperty("mel128_db").GetProperty(frame.Name));
            for (int m = 0; m < 128; m++)
                Assert.True(Math.Abs(refDb[m] - db[t][m]) < 2e-3, $"{name} mel128_db[{t}][{m}]: {db[t][m]} vs {refDb[m]}");
            var mfcc = new double[50];
            dct.Transform(db[t].Select(v => (double)v).ToArray(), mfcc);
            AssertClose($"{name} mfcc50[{t}]", Values(golden.GetProperty("mfcc50").GetProperty(frame.Name)), mfcc.Select(v => (float)v).ToArray(), 1e-5);
        }
    }

    private static double[] Values(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static void AssertClose(string what, double[] expected, float[] actual, double relative)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"{what}[{i}]: {actual[i]} vs {expected[i]} (scale {scale})");
    }
}
