namespace EmoSer.Trainer.Tests;

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempDir() => Path = Directory.CreateTempSubdirectory("emoser-trainer-test-").FullName;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Writes a small valid mono 16-bit WAV (a seeded tone with noise) at <paramref name="relative"/>.</summary>
    public string Wav(string relative, int sampleRate = 16000, double seconds = 0.5, int seed = 0)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var rng = new Random(seed);
        var samples = new float[(int)(sampleRate * seconds)];
        double f = 200 + 50 * seed;
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (float)(0.3 * Math.Sin(2 * Math.PI * f * i / sampleRate) + 0.01 * (rng.NextDouble() - 0.5));
        EmoSer.Runtime.Audio.WavWriter.WriteFile(full, samples, sampleRate, 1, EmoSer.Runtime.Audio.WavSampleFormat.Pcm16);
        return full;
    }

    /// <summary>Writes a text file at <paramref name="relative"/>.</summary>
    public string Text(string relative, string content)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
