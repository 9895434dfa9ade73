using System.Diagnostics;
using System.Globalization;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Features;

/// <summary>
/// <c>profile-stages</c>: process CPU time per stage for one 3 s 16 kHz utterance (94 frames), many repetitions.
/// CPU time rather than wall time, so that a loaded machine distorts it less.
/// </summary>
internal static class StageProfile
{
    public static int Run()
    {
        float[] y = SpeechLikeSignal.Generate(16000, 3.0, seed: 1);
        var stft = new CenteredStft();
        int frames = stft.FrameCount(y.Length);
        var mags = new float[frames][];
        var power = new float[1025];
        for (int t = 0; t < frames; t++)
        {
            mags[t] = new float[1025];
            stft.ComputeFrame(y, t, mags[t], power);
        }
        var mel128 = new MelFilterBank(16000, 2048, 128);
        var mel50 = new MelFilterBank(16000, 2048, 50);
        var contrast = new SpectralContrast(16000, 2048);
        var tuning = new TuningEstimator(16000, 2048, 80);
        var chroma = ChromaFilterBank.GetShared(16000, 2048, 80, -0.1);
        var outBuf = new float[128];
        var peak = new float[7];
        var valley = new float[7];
        var pitch = new float[tuning.MaxCandidatesPerFrame];
        var cmag = new float[tuning.MaxCandidatesPerFrame];
        var ton = new double[6];
        var extractor = new SeedFeatureExtractor(16000);
        var features = new float[193];

        Time("stft (94 frames)", () => { for (int t = 0; t < frames; t++) stft.ComputeFrame(y, t, mags[0], power); });
        for (int t = 0; t < frames; t++) stft.ComputeFrame(y, t, mags[t], power);
        Time("mel128", () => { for (int t = 0; t < frames; t++) mel128.Apply(mags[t], outBuf); });
        Time("mel50", () => { for (int t = 0; t < frames; t++) mel50.Apply(mags[t], outBuf); });
        Time("power_to_db 128", () => { for (int t = 0; t < frames; t++) PowerToDb.Convert(mags[t].AsSpan(0, 128), outBuf); });
        var fft = new RealFft(2048);
        var re = new float[1025];
        var im = new float[1025];
        Time("fft x94 (no window)", () => { for (int t = 0; t < frames; t++) fft.Forward(y.AsSpan(2048, 2048), re, im); });
        Time("contrast", () => { for (int t = 0; t < frames; t++) contrast.ComputeFrame(mags[t], peak, valley); });
        Time("tuning candidates", () => { for (int t = 0; t < frames; t++) tuning.FindCandidates(mags[t], pitch, cmag); });
        Time("chroma", () => { for (int t = 0; t < frames; t++) chroma.Apply(mags[t], outBuf.AsSpan(0, 80)); });
        Time("tonnetz per frame*", () => { for (int t = 0; t < frames; t++) Tonnetz.FromChroma(outBuf.AsSpan(0, 80), ton); });
        Time("whole Extract", () => extractor.Extract(y, features));
        Console.WriteLine("* the extractor projects the mean normalised chroma once per window instead (linear)");
        return 0;
    }

    private static void Time(string name, Action action)
    {
        // Warm up long enough for tiered compilation to finish (its background work would count as CPU time).
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1500)
            action();
        var p = Process.GetCurrentProcess();
        const int reps = 400;
        p.Refresh();
        var cpu0 = p.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++)
            action();
        sw.Stop();
        p.Refresh();
        double cpu = (p.TotalProcessorTime - cpu0).TotalMilliseconds / reps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {cpu * 1000,9:F1} us CPU  {sw.Elapsed.TotalMilliseconds / reps * 1000,9:F1} us wall"));
    }
}
