using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Reporting;

namespace EmoSer.Trainer.Features;

/// <summary>Chooses the feature source and augmenter of a run.</summary>
public static class FeatureSources
{
    /// <summary>The golden features when <c>--golden</c> is given, else the runtime extractor with the on-disk cache.</summary>
    public static IFeatureSource Create(FitOptions o, LabelledCorpus corpus, IRunObserver observer)
    {
        if (o.Golden is not null)
        {
            observer.Log($"features: precomputed librosa values from {o.Golden}");
            // The golden file is keyed by file name alone, so two files of one name would get one vector.
            var clash = corpus.Utterances.GroupBy(u => Path.GetFileName(u.Path), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
                throw new CorpusException($"--golden looks features up by file name, and {clash.Count()} files are named '{clash.Key}' ({string.Join(", ", clash.Take(2).Select(u => u.Id))})");
            return new GoldenFeatureSource(o.Golden);
        }
        return RuntimeFeatures.Create(o, corpus, observer);
    }

    /// <summary>The recipe's augmenter: the seed's (noise, delay, stretch) or speed perturbation.</summary>
    public static IAudioAugmenter CreateAugmenter(Training.Recipe recipe) => recipe.Augmentation == Training.AugmentationKind.Speed
        ? new Augmentation.SpeedPerturbation(recipe.SpeedFactors)
        : new Augmentation.SeedAugmenter();
}
