using EmoSer.Runtime.Features.Egemaps;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>The eGeMAPS vector paths against their scalar references (bit for bit where the order is kept).</summary>
[Trait("Category", "unit")]
public sealed class EgemapsVectorPathTests
{
    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    [InlineData(8000)]
    public void Formant_resampler_lanes_equal_the_scalar_reference(int sampleRate)
    {
        var p = new EgemapsParameters(sampleRate);
        var fa = new FormantAnalyzer(p);
        var rng = new Random(sampleRate);
        float[] re = Random(rng, p.ShortBins, 30f), im = Random(rng, p.ShortBins, 30f);
        int kh = fa.BinsSummed, stride = fa.Stride;
        float[] scalar = new float[stride], v256 = new float[stride], v128 = new float[stride];
        scalar.AsSpan().Fill(re[0]);
        v256.AsSpan().Fill(re[0]);
        v128.AsSpan().Fill(re[0]);
        fa.ResampleScalar(re, im, scalar, kh, stride);
        fa.ResampleVector256(re, im, v256, kh, stride);
        fa.ResampleVector128(re, im, v128, kh, stride);
        Assert.Equal(scalar, v256);
        Assert.Equal(scalar, v128);
    }

    [Theory]
    [InlineData(220)]
    [InlineData(352)]
    [InlineData(13)]
    public void Autocorrelation_lanes_equal_the_scalar_reference(int n)
    {
        var rng = new Random(n);
        float[] x = Random(rng, n, 1000f);
        float[] scalar = new float[12], v256 = new float[12], v128 = new float[12];
        FormantAnalyzer.AutoCorrelateScalar(x, scalar);
        FormantAnalyzer.AutoCorrelateVector256(x, v256, new float[n + 16]);
        FormantAnalyzer.AutoCorrelateVector128(x, v128, new float[n + 16]);
        Assert.Equal(scalar, v256);
        Assert.Equal(scalar, v128);
    }

    [Fact]
    public void Jitter_cross_correlation_vector_path_is_within_double_rounding_of_the_scalar_one()
    {
        var rng = new Random(7);
        for (int n = 8; n < 400; n += 37)
        {
            float[] x = Random(rng, n, 1f), y = Random(rng, n, 1f);
            double v = PeriodPerturbation.CrossCorr(x, y), s = PeriodPerturbation.CrossCorr(x, y, vector: false);
            Assert.True(Math.Abs(v - s) <= 1e-13, $"n={n}: {v} vs {s}");
        }
    }

    [Fact]
    public void Aberth_roots_equal_the_companion_matrix_roots()
    {
        // Order-11 polynomials shaped like LPC ones: five conjugate pole pairs and a real pole inside the unit circle,
        // some of them close to it and close to each other.
        var rng = new Random(11);
        var solver = new PolynomialRoots(11);
        double[] aberth = new double[22], qr = new double[22];
        for (int trial = 0; trial < 2000; trial++)
        {
            double[] coef = LpcLikePolynomial(rng, trial);
            Assert.True(solver.SolveAberth(coef, aberth), $"trial {trial} did not converge");
            Assert.True(solver.SolveQr(coef, qr));
            for (int i = 0; i < 11; i++)
            {
                double best = double.MaxValue;
                for (int j = 0; j < 11; j++)
                    best = Math.Min(best, Math.Abs(aberth[2 * i] - qr[2 * j]) + Math.Abs(aberth[2 * i + 1] - qr[2 * j + 1]));
                Assert.True(best < 1e-6, $"trial {trial}: root {aberth[2 * i]}{aberth[2 * i + 1]:+0.###;-0.###}i has no QR twin ({best})");
            }
        }
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    [InlineData(8000)]
    public void Pitch_candidates_of_frame_lanes_equal_the_scalar_reference(int sampleRate)
    {
        var p = new EgemapsParameters(sampleRate);
        int n = p.LongBins;
        List<float[]> spectra = PitchTestSpectra(p, new Random(sampleRate));
        var ring = new float[spectra.Count * n];
        for (int i = 0; i < spectra.Count; i++)
            spectra[i].CopyTo(ring, i * n);
        const int c = SubharmonicPitch.Candidates;
        var reference = new SubharmonicPitch(p);
        var lanes = new SubharmonicPitch(p);
        float[] f0 = new float[SubharmonicPitch.Lanes * c], v = new float[SubharmonicPitch.Lanes * c], s = new float[SubharmonicPitch.Lanes * c];
        float[] rf = new float[c], rv = new float[c], rs = new float[c];
        var rng = new Random(1);
        for (int start = 0; start < spectra.Count; start++)
        {
            int count = 1 + (start % SubharmonicPitch.Lanes);
            int[] offsets = Enumerable.Range(0, count).Select(_ => rng.Next(spectra.Count) * n).ToArray();
            offsets[0] = start * n;
            lanes.ComputeBatch(ring, offsets, f0, v, s);
            for (int j = 0; j < count; j++)
            {
                reference.Compute(ring.AsSpan(offsets[j], n), rf, rv, rs);
                Assert.Equal(rf, f0.AsSpan(j * c, c).ToArray());
                Assert.Equal(rv, v.AsSpan(j * c, c).ToArray());
                Assert.Equal(rs, s.AsSpan(j * c, c).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    [InlineData(8000)]
    public void Formants_of_a_frame_batch_equal_the_scalar_reference(int sampleRate)
    {
        var p = new EgemapsParameters(sampleRate);
        var fs = new FrameSpectrum(p.ShortFrame, p.ShortFft, FrameSpectrum.Hamming(p.ShortFrame));
        var reference = new FormantAnalyzer(p);
        var batch = new FormantAnalyzer(p);
        const int m = FormantAnalyzer.MaxFormants;
        float[] rf = new float[m], rb = new float[m], bf = new float[4 * m], bb = new float[4 * m];
        var rng = new Random(sampleRate);
        float[] signal = SpeechLike(rng, sampleRate, 0.5);
        var frames = new List<(float[] Re, float[] Im)>();
        for (int start = 0; start + p.ShortFrame <= signal.Length; start += p.Step * 3)
        {
            fs.Compute(signal.AsSpan(start, p.ShortFrame));
            frames.Add((fs.Re.ToArray(), fs.Im.ToArray()));
        }
        // a silent frame (no LPC: r[0] = 0) and a pure tone (a near-singular autocorrelation)
        frames.Add((new float[p.ShortBins], new float[p.ShortBins]));
        fs.Compute(Enumerable.Range(0, p.ShortFrame).Select(i => (float)Math.Sin(0.3 * i)).ToArray());
        frames.Add((fs.Re.ToArray(), fs.Im.ToArray()));
        for (int first = 0; first < frames.Count; first += 4)
        {
            int count = Math.Min(1 + first / 4 % 4, frames.Count - first);
            for (int j = 0; j < count; j++)
                batch.SetBatchSpectrum(j, frames[first + j].Re, frames[first + j].Im);
            batch.ComputeBatch(count, bf, bb);
            for (int j = 0; j < count; j++)
            {
                reference.Compute(frames[first + j].Re, frames[first + j].Im, rf, rb);
                Assert.Equal(rf, bf.AsSpan(j * m, m).ToArray());
                Assert.Equal(rb, bb.AsSpan(j * m, m).ToArray());
            }
        }
    }

    [Fact]
    public void Root_lanes_equal_one_polynomial_at_a_time_including_the_fallbacks()
    {
        var rng = new Random(5);
        var solver = new PolynomialRoots(11);
        var polys = new List<double[]>();
        for (int t = 0; t < 300; t++)
            polys.Add(LpcLikePolynomial(rng, t));
        polys.Add([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);            // roots of -1: symmetric, many at one radius
        polys.Add([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);            // all roots 0 (the zero-root exit)
        polys.Add([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]);          // leading 0: no solution
        polys.Add([1, double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);   // not finite: no solution
        var expected = new double[22];
        var a = new double[4 * 12];
        var roots = new double[4 * 22];
        var ok = new bool[4];
        for (int first = 0; first < polys.Count; first += 3)
        {
            int count = Math.Min(1 + first % 4, polys.Count - first);
            for (int j = 0; j < count; j++)
                polys[first + j].CopyTo(a, j * 12);
            solver.SolveLanes(a.AsSpan(0, count * 12), roots, ok.AsSpan(0, count));
            for (int j = 0; j < count; j++)
            {
                Array.Clear(expected);
                bool expectedOk = solver.Solve(polys[first + j], expected);
                Assert.Equal(expectedOk, ok[j]);
                if (expectedOk)
                    Assert.Equal(expected, roots.AsSpan(j * 22, 22).ToArray());
            }
        }
    }

    [Fact]
    public void Energies_of_frame_lanes_equal_the_scalar_reference()
    {
        var rng = new Random(3);
        float[] x = SpeechLike(rng, 16000, 0.2);
        float[] window = FrameSpectrum.Hamming(320).Select(v => (float)v).ToArray();
        var sums = new double[4];
        for (int count = 1; count <= 4; count++)
        {
            foreach (float[] w in new[] { window, [] })
            {
                FrameSpectrum.SumsOfSquares(x.AsSpan(77), 160, 320, w, sums.AsSpan(0, count));
                for (int j = 0; j < count; j++)
                    Assert.Equal(FrameSpectrum.SumOfSquares(x.AsSpan(77 + j * 160, 320), w), sums[j]);
            }
        }
    }

    [Fact]
    public void Period_correlations_of_all_lags_equal_one_lag_at_a_time()
    {
        var rng = new Random(9);
        float[] x = SpeechLike(rng, 16000, 0.1);
        var jitter = new PeriodPerturbation(new EgemapsParameters(16000));
        var cc = new double[64];
        foreach ((int min, int max) in new[] { (144, 176), (6, 9), (7, 13), (50, 50), (31, 38) })
        {
            jitter.CorrelateLags(x.AsSpan(11, 2 * max), min, max, cc);
            for (int lag = min; lag <= max; lag++)
                Assert.Equal(PeriodPerturbation.CrossCorr(x.AsSpan(11, lag), x.AsSpan(11 + lag, lag)), cc[lag - min]);
        }
    }

    /// <summary>A voiced-speech-like signal: a harmonic source with a drifting pitch, plus noise, at about -10 dBFS.</summary>
    private static float[] SpeechLike(Random rng, int sampleRate, double seconds)
    {
        var x = new float[(int)(seconds * sampleRate)];
        double phase = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f0 = 110 + 30 * Math.Sin(2 * Math.PI * 1.3 * i / sampleRate);
            phase += 2 * Math.PI * f0 / sampleRate;
            double v = 0.02 * (rng.NextDouble() - 0.5);
            for (int h = 1; h * f0 < sampleRate / 2.0 && h <= 30; h++)
                v += Math.Sin(h * phase) / (h * (1 + Math.Abs(h * f0 - 700) / 400));
            x[i] = (float)(0.2 * v);
        }
        return x;
    }

    /// <summary>A monic order-11 polynomial with five conjugate pole pairs and a real pole, some close to the unit circle.</summary>
    private static double[] LpcLikePolynomial(Random rng, int trial)
    {
        var poles = new System.Numerics.Complex[11];
        for (int i = 0; i < 5; i++)
        {
            double r = trial % 3 == 0 ? 0.95 + 0.0499 * rng.NextDouble() : 0.3 + 0.69 * rng.NextDouble();
            double phi = Math.PI * (trial % 5 == 0 && i < 2 ? 0.2 + 0.01 * rng.NextDouble() : rng.NextDouble());
            poles[2 * i] = System.Numerics.Complex.FromPolarCoordinates(r, phi);
            poles[2 * i + 1] = System.Numerics.Complex.Conjugate(poles[2 * i]);
        }
        poles[10] = new System.Numerics.Complex(rng.NextDouble() * 1.8 - 0.9, 0);
        var p = new System.Numerics.Complex[12];
        p[0] = 1;
        for (int k = 0; k < 11; k++)
        {
            for (int j = k + 1; j >= 1; j--)
                p[j] = p[j - 1] - poles[k] * p[j];
            p[0] = -poles[k] * p[0];
        }
        return p.Select(c => c.Real).ToArray();
    }

    /// <summary>
    /// 60 ms spectra of harmonic tones in noise, of noise, and the peak enhancement's special cases: no local
    /// maximum (flat, rising, silent), exactly one, maxima at the end bins, maxima 5 and 6 bins apart.
    /// </summary>
    private static List<float[]> PitchTestSpectra(EgemapsParameters p, Random rng)
    {
        int n = p.LongBins;
        var spectra = new List<float[]>();
        var fs = new FrameSpectrum(p.LongFrame, p.LongFft, FrameSpectrum.Gauss(p.LongFrame, 0.4));
        var x = new float[p.LongFrame];
        foreach (double f0 in new[] { 80.0, 123.4, 210.0, 440.0, 0.0 })
        {
            for (int i = 0; i < x.Length; i++)
            {
                double t = (double)i / p.SampleRate, v = 0.01 * (rng.NextDouble() - 0.5);
                for (int h = 1; f0 > 0 && h * f0 < p.SampleRate / 2.0; h++)
                    v += Math.Sin(2 * Math.PI * h * f0 * t + h) / h;
                x[i] = (float)(0.3 * v);
            }
            fs.Compute(x);
            spectra.Add(fs.Magnitude.ToArray());
        }
        spectra.Add(new float[n]);
        spectra.Add(Enumerable.Repeat(0.5f, n).ToArray());
        spectra.Add(Enumerable.Range(0, n).Select(i => (float)i).ToArray());
        var one = Enumerable.Range(0, n).Select(i => (float)(n - Math.Abs(i - n / 3))).ToArray();
        spectra.Add(one);
        var ends = Enumerable.Range(0, n).Select(i => (float)Math.Abs(i - n / 2)).ToArray();
        spectra.Add(ends);
        var gaps = new float[n];
        for (int i = 0; i < n; i++)
            gaps[i] = (i % 11 == 0 || i % 11 == 5) ? 2f + i % 3 : 1f;
        spectra.Add(gaps);
        spectra.Add(Random(rng, n, 3f).Select(MathF.Abs).ToArray());
        return spectra;
    }

    private static float[] Random(Random rng, int n, float scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
