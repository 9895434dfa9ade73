using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Trainer.Training;

/// <summary>
/// Per-speaker standardization as the runtime applies it (docs/speaker-normalization.md): the population statistics
/// of the training speakers, and one <see cref="SpeakerProfile"/> per speaker. Each feature vector becomes
/// <c>(x - m) / s</c> with its speaker's resolved statistics, before the model's own standardization.
/// </summary>
public sealed class SpeakerStandardizer
{
    private readonly Dictionary<string, SpeakerProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (float[] Mean, float[] Std)> _resolved = new(StringComparer.Ordinal);

    private SpeakerStandardizer(SpeakerNormalization normalization) => Normalization = normalization;

    /// <summary>What the weights file stores: prior weight and population statistics.</summary>
    public SpeakerNormalization Normalization { get; }

    /// <summary>Speakers that have a profile.</summary>
    public IReadOnlyCollection<string> ProfiledSpeakers => _profiles.Keys;

    /// <summary>
    /// Fits the population statistics on the training speakers (mean of their means; root of the mean of their
    /// variances, from speakers with at least 2 utterances) and builds each training speaker's profile from its
    /// training utterances.
    /// </summary>
    /// <param name="utterances">The training utterances' raw features and speakers (originals, not augmented copies).</param>
    /// <param name="priorWeight">Pseudo-utterances of the population prior in every profile.</param>
    public static SpeakerStandardizer Fit(IReadOnlyList<(float[] Features, string Speaker)> utterances, float priorWeight)
    {
        if (utterances.Count == 0)
            throw new ArgumentException("speaker standardization needs training utterances", nameof(utterances));
        int f = utterances[0].Features.Length;
        var bySpeaker = utterances.GroupBy(u => u.Speaker, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var raw = bySpeaker.Select(g =>
        {
            var p = new SpeakerProfile(f);
            foreach (var u in g) p.Add(u.Features);
            return (Speaker: g.Key, Profile: p);
        }).ToArray();
        var mean = new double[f];
        var variance = new double[f];
        int withVariance = 0;
        foreach (var (_, p) in raw)
        {
            for (int j = 0; j < f; j++) mean[j] += p.Mean[j] / raw.Length;
            if (p.Count < 2) continue;
            withVariance++;
            for (int j = 0; j < f; j++) variance[j] += p.SumSquaredDeviations[j] / p.Count;
        }
        var std = new float[f];
        for (int j = 0; j < f; j++)
        {
            double v = withVariance > 0 ? variance[j] / withVariance : 0;
            // A feature that never varies within a speaker gets a tiny std rather than a division by zero.
            std[j] = (float)Math.Max(Math.Sqrt(v), 1e-6 * (Math.Abs(mean[j]) + 1));
        }
        var result = new SpeakerStandardizer(new SpeakerNormalization(priorWeight, mean.Select(m => (float)m).ToArray(), std));
        foreach (var (speaker, profile) in raw)
            result._profiles[speaker] = profile;
        return result;
    }

    /// <summary>
    /// Builds profiles for the speakers among <paramref name="utterances"/> that have none yet (speakers never seen in
    /// training, as in leave-one-speaker-out), from those utterances' features only: no labels are used.
    /// </summary>
    public void AddUnseenSpeakers(IEnumerable<(float[] Features, string Speaker)> utterances)
    {
        var fresh = new Dictionary<string, SpeakerProfile>(StringComparer.Ordinal);
        foreach (var (features, speaker) in utterances)
        {
            if (_profiles.ContainsKey(speaker)) continue;
            if (!fresh.TryGetValue(speaker, out var p))
                fresh[speaker] = p = new SpeakerProfile(features.Length);
            p.Add(features);
        }
        foreach (var (speaker, p) in fresh)
            _profiles[speaker] = p;
    }

    /// <summary>The profile of <paramref name="speaker"/>, or null.</summary>
    public SpeakerProfile? Profile(string speaker) => _profiles.GetValueOrDefault(speaker);

    /// <summary>
    /// <paramref name="features"/> standardized with <paramref name="speaker"/>'s statistics (the population's when the
    /// speaker is null or has no profile), computed exactly as the runtime does in float32.
    /// </summary>
    public float[] Apply(float[] features, string? speaker)
    {
        var (mean, std) = Resolve(speaker);
        return Standardize(features, mean, std);
    }

    /// <summary><paramref name="features"/> standardized with the statistics of <paramref name="profile"/> (any profile, e.g. an enrollment subset).</summary>
    public float[] ApplyProfile(float[] features, SpeakerProfile profile)
    {
        var (mean, std) = Resolve(profile, features.Length);
        return Standardize(features, mean, std);
    }

    /// <summary>(x - m) / s per feature, in float32 as the runtime computes it.</summary>
    private static float[] Standardize(float[] features, float[] mean, float[] std)
    {
        var z = new float[features.Length];
        for (int j = 0; j < z.Length; j++)
            z[j] = (features[j] - mean[j]) / std[j];
        return z;
    }

    /// <summary>A speaker's resolved statistics, cached: every utterance of a speaker uses the same ones.</summary>
    private (float[] Mean, float[] Std) Resolve(string? speaker)
    {
        string key = speaker is not null && _profiles.ContainsKey(speaker) ? speaker : "\0population";
        if (_resolved.TryGetValue(key, out var r))
            return r;
        int f = Normalization.PopulationMean.Length;
        r = Resolve(_profiles.GetValueOrDefault(key) ?? new SpeakerProfile(f), f);
        _resolved[key] = r;
        return r;
    }

    private (float[] Mean, float[] Std) Resolve(SpeakerProfile profile, int featureCount)
    {
        var r = (Mean: new float[featureCount], Std: new float[featureCount]);
        profile.Resolve(Normalization.PopulationMean, Normalization.PopulationStd, Normalization.PriorWeight, r.Mean, r.Std);
        return r;
    }
}
