namespace EmoSer.Edge.Tests;

/// <summary>Deterministic test signals as 16-bit samples.</summary>
internal static class TestSignals
{
    /// <summary>A linear chirp from 100 Hz to 0.4·rate at amplitude 0.5.</summary>
    public static short[] Chirp16(int sampleRate, double seconds)
    {
        int n = (int)(sampleRate * seconds);
        var s = new short[n];
        double f0 = 100, f1 = 0.4 * sampleRate;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRate;
            double phase = 2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * seconds));
            s[i] = (short)Math.Round(16384 * Math.Sin(phase));
        }
        return s;
    }

    /// <summary>Deterministic white-ish noise (LCG) at the given RMS level in dBFS, as 16-bit samples.</summary>
    public static short[] Noise16(int count, double dbfs, uint seed = 12345)
    {
        var s = new short[count];
        double amplitude = 32768 * Math.Pow(10, dbfs / 20) * Math.Sqrt(3); // uniform [-a, a] has RMS a/sqrt(3)
        uint x = seed;
        for (int i = 0; i < count; i++)
        {
            x = x * 1664525 + 1013904223;
            double u = (x >> 8) / (double)(1 << 24) * 2 - 1;
            s[i] = (short)Math.Clamp(Math.Round(amplitude * u), -32768, 32767);
        }
        return s;
    }

    public static byte[] ToBytes(short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
