using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Tests.Shared;

/// <summary>
/// Population statistics for speaker-normalized test models, computed from a few Emo-DB utterances of given speakers
/// (needs Emo-DB: call <see cref="TestData.RequireEmoDb"/> first). Shared by the Edge, Serve and Native tests.
/// </summary>
public static class SpeakerTestStatistics
{
    /// <summary>Emo-DB files of one speaker (two-digit id), sorted by name.</summary>
    public static string[] SpeakerFiles(string speaker) =>
        [.. TestData.EmoDbFiles().Where(f => Path.GetFileName(f).StartsWith(speaker, StringComparison.Ordinal))];

    /// <summary>
    /// Mean and spread of the features of the first <paramref name="perSpeaker"/> files of each of <paramref name="speakers"/>,
    /// with the spread floored at 5% of |mean| so no feature is divided by almost nothing.
    /// </summary>
    public static SpeakerNormalization Population(float priorWeight, int perSpeaker, params string[] speakers)
    {
        var extractor = new SeedFeatureExtractor(16000);
        var rows = speakers.SelectMany(s => SpeakerFiles(s).Take(perSpeaker))
            .Select(f => extractor.Extract(WavReader.ReadFile(f).ToMono())).ToArray();
        var (mu, sigma) = ColumnStatistics(rows);
        return new SpeakerNormalization(priorWeight, mu, sigma);
    }

    /// <summary>Per-feature mean and spread of <paramref name="rows"/>, the spread floored at 5% of |mean| + 1e-3.</summary>
    public static (float[] Mean, float[] Std) ColumnStatistics(IReadOnlyList<float[]> rows)
    {
        int n = rows[0].Length;
        var mean = new float[n];
        var std = new float[n];
        for (int i = 0; i < n; i++)
        {
            double m = rows.Average(r => (double)r[i]);
            mean[i] = (float)m;
            std[i] = (float)Math.Max(0.05 * Math.Abs(m) + 1e-3, Math.Sqrt(rows.Average(r => (r[i] - m) * (r[i] - m))));
        }
        return (mean, std);
    }
}
