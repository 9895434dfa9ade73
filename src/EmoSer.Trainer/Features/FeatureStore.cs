using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;

namespace EmoSer.Trainer.Features;

/// <summary>Makes augmented audio of an utterance: copy number, seed and the source samples in; augmented samples out.</summary>
public interface IAudioAugmenter
{
    /// <summary>The cache variant of copy <paramref name="copy"/> (1-based) made with <paramref name="copySeed"/>: equal strings mean equal audio.</summary>
    string Variant(int copy, int copySeed);

    /// <summary>Returns copy <paramref name="copy"/> (1-based) of <paramref name="mono"/>, deterministic in <paramref name="copy"/> and <paramref name="seed"/>.</summary>
    float[] Augment(float[] mono, int sampleRate, int copy, int seed);
}

/// <summary>
/// The features of every <see cref="TrainingItem"/>: originals from the feature source, augmented copies made on
/// demand (seeded by the run seed, the utterance id and the copy number, so every fold sees the same copy).
/// </summary>
public sealed class FeatureStore(LabelledCorpus corpus, IFeatureSource source, IAudioAugmenter? augmenter, int seed)
{
    private readonly Dictionary<TrainingItem, float[]> _memo = [];

    /// <summary>The corpus.</summary>
    public LabelledCorpus Corpus => corpus;

    /// <summary>The feature source.</summary>
    public IFeatureSource Source => source;

    /// <summary>Called with each augmented copy's audio (for <c>--dump-augmented</c>).</summary>
    public Action<TrainingItem, float[], int>? OnAugmented { get; set; }

    /// <summary>The seed of copy <paramref name="copy"/> of utterance <paramref name="id"/>.</summary>
    public static int CopySeed(int runSeed, string id, int copy)
    {
        uint h = 2166136261;
        foreach (char ch in id) h = (h ^ ch) * 16777619;
        return (int)((h ^ (uint)runSeed * 0x9E3779B9u ^ (uint)copy * 0x85EBCA6Bu) & 0x7FFFFFFF);
    }

    /// <summary>The features of one item.</summary>
    public float[] Get(TrainingItem item)
    {
        lock (_memo)
        {
            if (_memo.TryGetValue(item, out var f))
                return f;
        }
        var utt = corpus.Utterances[item.Source];
        float[] features;
        if (item.Copy == 0)
        {
            features = source.Get(utt);
        }
        else
        {
            if (augmenter is null || !source.CanExtractAudio)
                throw new InvalidOperationException("augmentation needs an audio augmenter and a feature source that extracts audio");
            int copySeed = CopySeed(seed, utt.Id, item.Copy);
            features = source is ICachedFeatureSource cached
                ? cached.GetOrAdd(utt, augmenter.Variant(item.Copy, copySeed), () => Augmented(item, utt, copySeed))
                : source.Extract(Augmented(item, utt, copySeed), source.SampleRate);
        }
        lock (_memo)
            _memo[item] = features;
        return features;
    }

    private float[] Augmented(TrainingItem item, Utterance utt, int copySeed)
    {
        var mono = source.LoadAudio(utt);
        var aug = augmenter!.Augment(mono, source.SampleRate, item.Copy, copySeed);
        OnAugmented?.Invoke(item, aug, source.SampleRate);
        return aug;
    }
}

/// <summary>A feature source with an on-disk cache that can also cache derived (augmented) audio's features.</summary>
public interface ICachedFeatureSource : IFeatureSource
{
    /// <summary>The cached features of audio derived from <paramref name="utterance"/> as <paramref name="variant"/> says, computing them from <paramref name="audio"/> on a miss.</summary>
    float[] GetOrAdd(Utterance utterance, string variant, Func<float[]> audio);
}
