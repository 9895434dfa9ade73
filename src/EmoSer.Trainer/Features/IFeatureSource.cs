using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Features;

/// <summary>Where a training run gets the feature vector of an utterance.</summary>
public interface IFeatureSource
{
    /// <summary>The feature set id stored in the model (e.g. <c>librosa-seed-193</c>).</summary>
    string FeatureSetId { get; }

    /// <summary>The extractor version stored in the model.</summary>
    int ExtractorVersion { get; }

    /// <summary>Feature vector length.</summary>
    int FeatureCount { get; }

    /// <summary>The sample rate the features are computed at; 0 when it is taken from each file.</summary>
    int SampleRate { get; }

    /// <summary>True when the source can extract features of arbitrary audio (needed for augmentation).</summary>
    bool CanExtractAudio { get; }

    /// <summary>The features of a corpus utterance.</summary>
    float[] Get(Utterance utterance);

    /// <summary>
    /// The utterance's audio as features are computed from it: mono at <see cref="SampleRate"/>, through the front end
    /// if any. Augmented copies are made from it.
    /// </summary>
    float[] LoadAudio(Utterance utterance);

    /// <summary>The features of in-memory mono audio at <paramref name="sampleRate"/> (augmented copies).</summary>
    float[] Extract(ReadOnlySpan<float> mono, int sampleRate);
}
