using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>
/// The chroma filterbank builder against an independent reference: <c>librosa.filters.chroma</c> (ctroct 5, octwidth 2,
/// norm 2, base_c, a tuning offset) as librosa 0.11 computes it with numpy, whole-matrix, by the committed script
/// scripts/reference/chroma_filterbank.py (numpy only). Every weight of every chroma bin at every FFT bin, for several
/// rates, chroma counts and tunings, within one float32 unit in the last place (numpy's exp and log2 may round the
/// last bit of a double differently from .NET's).
/// </summary>
[Trait("Category", "unit")]
public sealed class ChromaFilterBankBuildTests
{
    private static readonly int[] s_rates = [8000, 16000, 22050, 44100, 48000];
    private static readonly int[] s_chromaCounts = [12, 80];
    private static readonly double[] s_tunings = [-0.5, -0.13, 0, 0.31, 0.49];

    private static readonly Lazy<string> s_reference = new(ComputeReference);

    /// <summary>Runs the reference script once for every configuration; returns the folder of its outputs.</summary>
    private static string ComputeReference()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-chroma-reference-").FullName;
        string script = Path.Combine(TestData.RepoRoot, "scripts", "reference", "chroma_filterbank.py");
        var psi = new System.Diagnostics.ProcessStartInfo(PythonWithNumpy()!) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        foreach (int rate in s_rates)
            foreach (int n in s_chromaCounts)
                foreach (double tuning in s_tunings)
                    psi.ArgumentList.Add(Config(rate, n, tuning));
        using var p = System.Diagnostics.Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{script} failed ({p.ExitCode}): {error}");
        return dir;
    }

    private static string Config(int rate, int nChroma, double tuning) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{rate}:2048:{nChroma}:{tuning:R}");

    /// <summary>A python3 that imports numpy (the Debian one first: CI installs python3-numpy), or null.</summary>
    private static string? PythonWithNumpy()
    {
        foreach (string python in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo(python, ["-c", "import numpy"]) { RedirectStandardError = true };
                using var p = System.Diagnostics.Process.Start(psi)!;
                p.WaitForExit();
                if (p.ExitCode == 0)
                    return python;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed
            }
        }
        return null;
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Builder_equals_librosas_numpy_filter_bank_within_one_float32_ulp(int sampleRate)
    {
        if (PythonWithNumpy() is null)
            Assert.Skip("SKIPPED: no python3 with numpy to compute the reference filter bank (scripts/ci/install-packages.sh installs python3-numpy).");
        foreach (int nChroma in s_chromaCounts)
        {
            foreach (double tuning in s_tunings)
            {
                string config = Config(sampleRate, nChroma, tuning);
                byte[] bytes = File.ReadAllBytes(Path.Combine(s_reference.Value, config.Replace(':', '_') + ".f32"));
                float[] expected = new float[bytes.Length / 4];
                Buffer.BlockCopy(bytes, 0, expected, 0, bytes.Length);
                float[] actual = ChromaFilterBank.BuildLibrosaFilterBank(sampleRate, 2048, nChroma, tuning);
                Assert.Equal(nChroma * 1025, expected.Length);
                Assert.Equal(expected.Length, actual.Length);
                int differing = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
                    if (e == a)
                        continue;
                    differing++;
                    if (Math.Abs((long)e - a) > 1 || (e ^ a) < 0)
                        Assert.Fail($"{config}: row {i / 1025}, bin {i % 1025}: {actual[i]:R}, librosa's formula gives {expected[i]:R}");
                }
                // The reference would be no reference if every weight differed: most must be the same bits.
                Assert.True(differing < expected.Length / 100, $"{config}: {differing} of {expected.Length} weights differ in the last bit");
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
}
