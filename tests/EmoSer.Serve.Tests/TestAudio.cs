using EmoSer.Runtime.Audio;

namespace EmoSer.Serve.Tests;

/// <summary>WAV bytes for uploads: Emo-DB clips resampled and re-channelled with the runtime's own tools.</summary>
internal static class TestAudio
{
    /// <summary>Encodes samples as a WAV file image.</summary>
    public static byte[] Wav(ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        using var memory = new MemoryStream();
        WavWriter.Write(memory, interleaved, sampleRate, channels, format);
        return memory.ToArray();
    }

    /// <summary><paramref name="mono16k"/> at <paramref name="rate"/> with <paramref name="channels"/> channels (stereo: the
    /// right channel at 0.8 gain so the channels differ).</summary>
    public static byte[] Convert(float[] mono16k, int rate, int channels)
    {
        float[] mono = rate == 16000 ? mono16k : Resampler.Resample(mono16k, 16000, rate);
        if (channels == 1)
            return Wav(mono, rate, 1);
        var interleaved = new float[mono.Length * channels];
        for (int i = 0; i < mono.Length; i++)
        {
            for (int c = 0; c < channels; c++)
                interleaved[i * channels + c] = c == 1 ? mono[i] * 0.8f : mono[i];
        }
        return Wav(interleaved, rate, channels);
    }

    /// <summary>A sine tone (deterministic audio that needs no corpus).</summary>
    public static float[] Tone(double seconds, int rate, double hz = 220, float amplitude = 0.3f)
    {
        var samples = new float[(int)(seconds * rate)];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = amplitude * (float)Math.Sin(2 * Math.PI * hz * i / rate);
        return samples;
    }
}
