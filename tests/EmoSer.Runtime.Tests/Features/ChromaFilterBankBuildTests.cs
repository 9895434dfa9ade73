using EmoSer.Runtime.Features;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// The chroma filterbank builder against a direct transcription of <c>librosa.filters.chroma</c> (ctroct 5, octwidth 2,
/// norm 2, base_c), every weight of every chroma bin at every FFT bin, in double, with fmod and the integer row roll
/// per element: the builder skips the weights that round to zero and computes the remainder without libm, and must
/// give the same float32 bits for every rate, chroma count and tuning.
/// </summary>
[Trait("Category", "unit")]
public sealed class ChromaFilterBankBuildTests
{
    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Builder_equals_the_direct_transcription_of_librosa_bit_for_bit(int sampleRate)
    {
        foreach (int nChroma in new[] { 12, 80 })
        {
            for (int t = -50; t < 50; t += 7)
            {
                double tuning = t / 100.0;
                float[] expected = DirectChroma.Build(sampleRate, 2048, nChroma, tuning);
                float[] actual = ChromaFilterBank.BuildLibrosaFilterBank(sampleRate, 2048, nChroma, tuning);
                Assert.Equal(expected.Length, actual.Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                        Assert.Fail($"{sampleRate} Hz, {nChroma} chroma, tuning {tuning}: row {i / 1025}, bin {i % 1025}: {actual[i]:R}, expected {expected[i]:R}");
                }
            }
        }
    }

    [Fact]
    public void Positive_remainder_is_fmod_bit_for_bit()
    {
        var rng = new Random(3);
        for (int i = 0; i < 200_000; i++)
        {
            int n = rng.Next(1, 200);
            double q = rng.Next(0, 60);
            // Random values, exact multiples of n, and their neighbours one ulp away: where x / n rounds to an integer.
            foreach (double x in new[] { rng.NextDouble() * 2000, n * q, Math.BitIncrement(n * q), Math.BitDecrement(n * (q + 1)) })
                Assert.Equal(BitConverter.DoubleToInt64Bits(x % n), BitConverter.DoubleToInt64Bits(ChromaFilterBank.PositiveRemainder(x, n)));
        }
    }

    /// <summary>librosa.filters.chroma, transcribed line by line (the builder before it skipped zero weights).</summary>
    private static class DirectChroma
    {
        private const double CenterOctave = 5.0;
        private const double OctaveWidth = 2.0;
        private const double TinyFloat64 = 2.2250738585072014e-308;

    public static float[] Build(int sampleRate, int nFft, int nChroma, double tuning)
    {
        // librosa builds all n_fft columns and keeps the first n_fft/2 + 1; columns are independent (each is
        // normalised on its own), so only the kept ones are computed here.
        int nBins = nFft / 2 + 1;
        // frequencies = linspace(0, sr, n_fft, endpoint=False)[1:]; frqbins = n_chroma * hz_to_octs(f, tuning, n_chroma)
        double step = (double)sampleRate / nFft;
        double a440 = 440.0 * Math.Pow(2.0, tuning / nChroma);
        double octRef = a440 / 16.0;
        int nFrq = Math.Min(nBins + 1, nFft);
        var frqbins = new double[nFrq];
        for (int k = 1; k < nFrq; k++)
            frqbins[k] = nChroma * Math.Log2(k * step / octRef);
        // The 0 Hz bin is put 1.5 octaves below bin 1 (broad, half-rotated), as librosa does.
        frqbins[0] = frqbins[1] - 1.5 * nChroma;

        double half = Math.Round(nChroma / 2.0, MidpointRounding.ToEven);
        int shift = 3 * (nChroma / 12); // base_c: rows rolled by -3 * (n_chroma // 12) so that row 0 is C
        var result = new float[nChroma * nBins];
        var column = new double[nChroma];
        for (int k = 0; k < nBins; k++)
        {
            double binwidth = k < nFft - 1 ? Math.Max(frqbins[k + 1] - frqbins[k], 1.0) : 1.0;
            double norm2 = 0.0;
            for (int c = 0; c < nChroma; c++)
            {
                // D = remainder(frqbins - c + n_chroma2 + 10 n_chroma, n_chroma) - n_chroma2 (argument is positive: fmod is numpy's remainder)
                double d = ((frqbins[k] - c) + half + 10 * nChroma) % nChroma - half;
                double z = 2 * d / binwidth;
                double zz = z * z;
                // exp(-0.5 zz) below 1e-54 ends as float32 zero and adds nothing to the column norm (>= e^-0.5):
                // skipping it changes no bit of the result.
                double v = zz > 250.0 ? 0.0 : Math.Exp(-0.5 * zz);
                column[c] = v;
                norm2 += v * v;
            }
            double length = Math.Sqrt(norm2);
            if (length < TinyFloat64)
                length = 1.0;
            double octave = (frqbins[k] / nChroma - CenterOctave) / OctaveWidth;
            double octaveWeight = Math.Exp(-0.5 * (octave * octave));
            for (int c = 0; c < nChroma; c++)
            {
                int row = ((c - shift) % nChroma + nChroma) % nChroma; // source row c lands on row c - shift
                result[row * nBins + k] = (float)(column[c] / length * octaveWeight);
            }
        }
        return result;
    }
    }
}
