using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>Behaviour and bad-input tests of the per-frame chroma-family blocks.</summary>
[Trait("Category", "golden")]
public sealed class ChromaBlockBehaviourTests
{
    [Theory]
    [InlineData(12800)]
    [InlineData(11025)]
    [InlineData(8000)]
    public void SpectralContrast_rejects_sample_rates_whose_top_band_reaches_Nyquist(int sampleRate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralContrast(sampleRate, 2048));
        ErrorAssert.Argument(ex, "sampleRate", "Spectral contrast needs a sample rate above 12800 Hz", $"below Nyquist ({sampleRate / 2.0:0.###} Hz)");
    }

    [Fact]
    public void SpectralContrast_accepts_the_first_rate_above_12800()
    {
        var contrast = new SpectralContrast(12801, 2048);
        var frame = new float[1025];
        for (int i = 0; i < frame.Length; i++) frame[i] = 1 + i % 7;
        var peak = new float[7];
        var valley = new float[7];
        contrast.ComputeFrame(frame, peak, valley);
        // Bands 0-5 span many bins, so they hold a 7 (largest) and a 1 (smallest). At 12801 Hz the top band
        // (6400 Hz up) holds only the Nyquist bin 1024 plus the bin below it: values 3 and 2.
        Assert.Equal([7f, 7f, 7f, 7f, 7f, 7f, 3f], peak);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f, 2f], valley);
    }

    [Fact]
    public void SpectralContrast_rejects_bad_parameters_and_spans()
    {
        ErrorAssert.Argument(Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralContrast(16000, 2048, quantile: 0)), "quantile", "quantile must lie in the range (0, 1)");
        ErrorAssert.Argument(Assert.Throws<ArgumentOutOfRangeException>(() => new SpectralContrast(16000, 2048, fmin: -1)), "fmin", "fmin must be a positive number of Hz");
        var contrast = new SpectralContrast(16000, 2048);
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => contrast.ComputeFrame(new float[1024], new float[7], new float[7])), "mag", "Expected a frame of 1025 bins, got 1024");
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => SpectralContrast.MeanContrastDb(new float[7], new float[14], 2, new float[7])), "peaks", "Expected 14 peak values (2 frames × 7), got 7");
        Assert.Throws<ArgumentOutOfRangeException>(() => SpectralContrast.MeanContrastDb([], [], 0, new float[7]));
    }

    [Fact]
    public void MeanContrastDb_clips_each_matrix_80_dB_below_its_own_maximum()
    {
        // One band, two frames: peaks 1 and 1e-12 (0 dB and -120 dB -> clipped to -80 dB); valleys 1e-2 both (-20 dB).
        float[] peaks = [1f, 1e-12f];
        float[] valleys = [1e-2f, 1e-2f];
        var mean = new float[1];
        SpectralContrast.MeanContrastDb(peaks, valleys, 2, mean);
        Assert.Equal(((0 - -20.0) + (-80 - -20.0)) / 2, mean[0], 4);
    }

    [Fact]
    public void ChromaFilterBank_puts_A_at_its_pitch_class()
    {
        // Bin 41 at 22050 Hz / 2048 is 441.4 Hz, pitch class A (row 0 before base_c's roll). librosa rolls the
        // rows by -3 * (n_chroma // 12): A lands on row 9 of 12, and on row 62 (not 60) of 80.
        var frame = new float[1025];
        frame[41] = 1f;
        foreach (var (nChroma, expected) in new[] { (12, 9), (80, 62) })
        {
            var bank = new ChromaFilterBank(22050, 2048, nChroma, 0.0);
            var chroma = new float[nChroma];
            bank.Apply(frame, chroma);
            int argmax = chroma.AsSpan().IndexOf(chroma.Max());
            Assert.Equal(expected, argmax);
            Assert.Equal(1f, chroma[argmax]); // inf-norm
        }
    }

    [Fact]
    public void ChromaFilterBank_leaves_a_silent_frame_at_zero_and_checks_spans()
    {
        var bank = new ChromaFilterBank(16000, 2048, 80, -0.45);
        var chroma = new float[80];
        chroma.AsSpan().Fill(123f);
        bank.Apply(new float[1025], chroma);
        Assert.All(chroma, c => Assert.Equal(0f, c));
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => bank.Apply(new float[1024], chroma)), "magOrPowerFrame", "Expected a frame of 1025 bins, got 1024");
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => bank.Apply(new float[1025], new float[12])), "chroma", "Expected room for 80 chroma values, got 12");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChromaFilterBank(16000, 2048, 80, double.NaN));
    }

    [Fact]
    public void Tonnetz_of_pure_pitch_classes_is_the_basis_column()
    {
        foreach (int n in new[] { 12, 80 })
        {
            // A (pitch class 9 of 12): fifths angle 10.5 pi, minor-third angle 13.5 pi, major-third angle 6 pi.
            var chroma = new float[n];
            chroma[9 * n / 12] = 3f; // scale does not matter: L1 normalisation
            var t = new double[6];
            Tonnetz.FromChroma(chroma, t);
            double[] expected = [1, 0, -1, 0, 0, 0.5];
            for (int p = 0; p < 6; p++)
                Assert.Equal(expected[p], t[p], 12);
        }
        var zero = new float[6];
        Tonnetz.FromChroma(new float[80], zero);
        Assert.All(zero, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => Tonnetz.FromChroma(new float[80], new float[5]));
    }

    [Fact]
    public void TuningEstimator_gives_zero_without_candidates_and_window_overload_agrees()
    {
        var silent = new TuningEstimator(16000, 2048, 80);
        for (int t = 0; t < 5; t++)
            Assert.Equal(0, silent.FindCandidates(new float[1025]));
        Assert.Equal(0.0, silent.Estimate());

        var (mono, sr) = ChromaGolden.Load("sweep_22050.wav");
        var stft = new ReferenceStft();
        float[] mag = stft.Magnitudes(mono, out int frames);
        var accumulate = new TuningEstimator(sr, 2048, 80);
        var perFrame = new TuningEstimator(sr, 2048, 80);
        var p = new float[perFrame.MaxCandidatesPerFrame];
        var m = new float[perFrame.MaxCandidatesPerFrame];
        for (int t = 0; t < frames; t++)
        {
            var frame = mag.AsSpan(t * 1025, 1025);
            int n1 = accumulate.FindCandidates(frame);
            int n2 = perFrame.FindCandidates(frame, p, m);
            Assert.Equal(n1, n2);
            perFrame.AddCandidates(p.AsSpan(0, n2), m.AsSpan(0, n2));
        }
        Assert.True(accumulate.CandidateCount > frames);
        Assert.Equal(accumulate.CandidateCount, perFrame.CandidateCount);
        Assert.Equal(accumulate.Estimate(), perFrame.Estimate());
        Assert.Equal(0.08, accumulate.Estimate(), 12); // librosa-stages.json: 0.07999999999999996
        accumulate.Reset();
        Assert.Equal(0, accumulate.CandidateCount);
        Assert.Equal(0.0, accumulate.Estimate());
    }

    [Fact]
    public void TuningEstimator_rejects_bad_spans_with_specific_messages()
    {
        var tuner = new TuningEstimator(16000, 2048, 80);
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => tuner.FindCandidates(new float[1000])), "magFrame", "Expected a frame of 1025 bins, got 1000");
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => tuner.FindCandidates(new float[1025], new float[1], new float[600])), "pitches", $"Candidate outputs must hold at least {tuner.MaxCandidatesPerFrame} values");
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => tuner.AddCandidates(new float[3], new float[2])), "magnitudes", "Pitches and magnitudes must have the same length");
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => TuningEstimator.Estimate(new float[3], new float[3], 80, new float[2])), "scratch", "Scratch must hold at least 3 values");
        Assert.Throws<ArgumentOutOfRangeException>(() => new TuningEstimator(16000, 2048, 0));
        Assert.Equal(0, tuner.CandidateCount); // failed calls add nothing
    }

    [Fact]
    public void Per_frame_calls_allocate_nothing_after_warm_up()
    {
        var (mono, sr) = ChromaGolden.Load("stereo_16000.wav");
        float[] mag = new ReferenceStft().Magnitudes(mono, out int frames);
        var tuner = new TuningEstimator(sr, 2048, 80);
        var bank = new ChromaFilterBank(sr, 2048, 80, -0.16);
        var contrast = new SpectralContrast(sr, 2048);
        var chroma = new float[80];
        var peaks = new float[frames * 7];
        var valleys = new float[frames * 7];
        var tonnetz = new float[6];
        var mean = new float[7];

        // Bytes allocated by each stage, so that a failure names the stage that allocated.
        var stages = new long[6];
        void Count(int stage, long before) => stages[stage] += GC.GetAllocatedBytesForCurrentThread() - before;
        void RunAll()
        {
            long b = GC.GetAllocatedBytesForCurrentThread();
            tuner.Reset();
            Count(0, b);
            for (int t = 0; t < frames; t++)
            {
                ReadOnlySpan<float> frame = mag.AsSpan(t * 1025, 1025);
                b = GC.GetAllocatedBytesForCurrentThread();
                tuner.FindCandidates(frame);
                Count(0, b);
                b = GC.GetAllocatedBytesForCurrentThread();
                bank.Apply(frame, chroma);
                Count(1, b);
                b = GC.GetAllocatedBytesForCurrentThread();
                contrast.ComputeFrame(frame, peaks.AsSpan(t * 7, 7), valleys.AsSpan(t * 7, 7));
                Count(2, b);
                b = GC.GetAllocatedBytesForCurrentThread();
                Tonnetz.FromChroma(chroma, tonnetz);
                Count(3, b);
            }
            b = GC.GetAllocatedBytesForCurrentThread();
            tuner.Estimate();
            Count(4, b);
            b = GC.GetAllocatedBytesForCurrentThread();
            SpectralContrast.MeanContrastDb(peaks, valleys, frames, mean);
            Count(5, b);
        }

        RunAll(); // warm-up: grow-only buffers reach their size, the tonnetz basis is built
        // Up to five passes until one allocates nothing (as ForwardTests does): a collection started by another test
        // can retire this thread's allocation context mid-pass, which the per-thread counter may report as bytes
        // allocated; an allocation of ours shows in every pass.
        long allocated = -1;
        for (int pass = 0; pass < 5 && allocated != 0; pass++)
        {
            Array.Clear(stages);
            long before = GC.GetAllocatedBytesForCurrentThread();
            RunAll();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(allocated == 0, $"every pass after the warm-up allocated; the last {allocated} bytes: tuning candidates {stages[0]}, " +
            $"chroma {stages[1]}, contrast {stages[2]}, tonnetz {stages[3]}, tuning estimate {stages[4]}, mean contrast {stages[5]}");
    }
}
