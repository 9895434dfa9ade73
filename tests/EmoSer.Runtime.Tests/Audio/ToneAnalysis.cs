namespace EmoSer.Runtime.Tests.Audio;

/// <summary>Sine generation and least-squares tone fitting for resampler quality tests.</summary>
internal static class ToneAnalysis
{
    public static float[] Sine(int length, double frequency, int rate, double amplitude = 0.5, double phase = 0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate + phase));
        return x;
    }

    /// <summary>Amplitude of the best-fitting sinusoid at <paramref name="frequency"/> over y[start..end), and the RMS of what is left.</summary>
    public static (double Amplitude, double ResidualRms) Fit(ReadOnlySpan<float> y, double frequency, int rate, int start, int end)
    {
        double scc = 0, sss = 0, scs = 0, syc = 0, sys = 0;
        for (int i = start; i < end; i++)
        {
            double w = 2 * Math.PI * frequency * i / rate;
            double c = Math.Cos(w), s = Math.Sin(w);
            scc += c * c; sss += s * s; scs += c * s; syc += y[i] * c; sys += y[i] * s;
        }
        double det = scc * sss - scs * scs;
        double a = (syc * sss - sys * scs) / det;
        double b = (sys * scc - syc * scs) / det;
        double residual = 0;
        for (int i = start; i < end; i++)
        {
            double w = 2 * Math.PI * frequency * i / rate;
            double r = y[i] - (a * Math.Cos(w) + b * Math.Sin(w));
            residual += r * r;
        }
        return (Math.Sqrt(a * a + b * b), Math.Sqrt(residual / (end - start)));
    }

    public static double Rms(ReadOnlySpan<float> y, int start, int end)
    {
        double sum = 0;
        for (int i = start; i < end; i++)
            sum += (double)y[i] * y[i];
        return Math.Sqrt(sum / (end - start));
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);
}
