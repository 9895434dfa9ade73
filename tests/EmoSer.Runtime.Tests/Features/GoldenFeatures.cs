using System.Globalization;
using System.Text;
using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>Loads librosa's reference feature vectors and measures our extractor against them block by block.</summary>
internal static class GoldenFeatures
{
    /// <summary>Reference vectors by file name from a golden JSON file (<c>{"features": {name: [193]}}</c>).</summary>
    public static Dictionary<string, double[]> Load(string goldenName)
    {
        string path = TestData.RequireGolden(goldenName);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var entry in doc.RootElement.GetProperty("features").EnumerateObject())
            result[entry.Name] = entry.Value.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return result;
    }

    /// <summary>Per-block worst relative error over files and the file where it occurred.</summary>
    public sealed class BlockErrors
    {
        public double[] Worst { get; } = new double[FeatureLayout.Blocks.Count];
        public string[] WorstFile { get; } = new string[FeatureLayout.Blocks.Count];
        public int Files { get; private set; }

        /// <summary>max|ours - ref| / max|ref| within each block of one file.</summary>
        public static double[] Measure(ReadOnlySpan<float> ours, IReadOnlyList<double> reference)
        {
            var errors = new double[FeatureLayout.Blocks.Count];
            for (int b = 0; b < FeatureLayout.Blocks.Count; b++)
            {
                var (_, start, end) = FeatureLayout.Blocks[b];
                double maxDiff = 0, maxRef = 0;
                for (int i = start; i < end; i++)
                {
                    double d = Math.Abs(ours[i] - reference[i]);
                    maxDiff = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(maxDiff, d);
                    maxRef = Math.Max(maxRef, Math.Abs(reference[i]));
                }
                errors[b] = maxRef > 0 ? maxDiff / maxRef : maxDiff;
            }
            return errors;
        }

        public void Add(string file, ReadOnlySpan<float> ours, IReadOnlyList<double> reference)
        {
            var e = Measure(ours, reference);
            for (int b = 0; b < e.Length; b++)
            {
                if (e[b] > Worst[b] || WorstFile[b] is null)
                {
                    Worst[b] = e[b];
                    WorstFile[b] = file;
                }
            }
            Files++;
        }

        public string Table(string title)
        {
            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{title}: {Files} files, per block max over files of max|ours-ref|/max|ref|");
            sb.AppendLine("| block | range | max rel. error | worst file |");
            sb.AppendLine("|---|---|---|---|");
            for (int b = 0; b < Worst.Length; b++)
            {
                var (name, start, end) = FeatureLayout.Blocks[b];
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {name} | [{start}:{end}) | {Worst[b]:E2} | {WorstFile[b]} |");
            }
            return sb.ToString();
        }
    }

    /// <summary>Reads a WAV as librosa.load(sr=None) does (channel mean) and extracts its features.</summary>
    public static (float[] Features, int SampleRate) ExtractFile(string path, Dictionary<int, SeedFeatureExtractor> extractors)
    {
        var clip = WavReader.ReadFile(path);
        if (!extractors.TryGetValue(clip.SampleRate, out var extractor))
            extractors[clip.SampleRate] = extractor = new SeedFeatureExtractor(clip.SampleRate);
        return (extractor.Extract(clip.ToMono()), clip.SampleRate);
    }
}
