using EmoSer.Runtime.Dsp;

namespace EmoSer.Trainer.Tests.Augmentation;

/// <summary>Pure tones and their measured frequency, for checking what an augmentation does to pitch.</summary>
internal static class TestTones
{
    /// <summary>A sine of amplitude 0.5.</summary>
    public static float[] Tone(double hz, int n, int sr = 16000) =>
        Enumerable.Range(0, n).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / sr))).ToArray();

    /// <summary>The strongest bin's frequency over a 4096-sample Hann-windowed frame from the middle.</summary>
    public static double PeakHz(float[] y, int sr = 16000)
    {
        const int n = 4096;
        var frame = new float[n];
        var w = new float[n];
        Windows.Hann(w);
        int start = y.Length / 2 - n / 2;
        for (int i = 0; i < n; i++) frame[i] = y[start + i] * w[i];
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        new RealFft(n).Forward(frame, re, im);
        int best = 0;
        for (int k = 1; k < re.Length; k++)
            if (re[k] * re[k] + im[k] * im[k] > re[best] * re[best] + im[best] * im[best]) best = k;
        return best * (double)sr / n;
    }
}
