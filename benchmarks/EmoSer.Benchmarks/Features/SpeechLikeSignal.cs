namespace EmoSer.Benchmarks.Features;

/// <summary>A deterministic voiced/unvoiced test signal: harmonic glide with pauses and noise.</summary>
internal static class SpeechLikeSignal
{
    public static float[] Generate(int sampleRate, double seconds, int seed)
    {
        var rng = new Random(seed);
        var y = new float[(int)(sampleRate * seconds)];
        double phase = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double t = (double)i / sampleRate;
            double f0 = 140 + 60 * Math.Sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / sampleRate;
            double voiced = Math.Sin(2 * Math.PI * 0.9 * t) > -0.4 ? 1 : 0.02;
            double harmonics = 0;
            for (int h = 1; h <= 12; h++)
                harmonics += Math.Sin(h * phase) / h;
            y[i] = (float)(0.2 * voiced * harmonics + 0.01 * (rng.NextDouble() - 0.5));
        }
        return y;
    }
}
