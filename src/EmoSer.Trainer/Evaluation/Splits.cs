using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Evaluation;

/// <summary>Seeded partitions of a corpus. Every split is of original utterances; augmentation happens after.</summary>
public static class Splits
{
    /// <summary>
    /// Stratified split: from each class, <c>round(count * testFraction)</c> (at least 1 when the class has 2 or more)
    /// utterances go to the test part, chosen by a seeded shuffle.
    /// </summary>
    public static (int[] Train, int[] Test) Stratified(IReadOnlyList<int> indices, int[] classOf, double testFraction, int seed)
    {
        if (testFraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(testFraction), "the test fraction must be in (0, 1)");
        var rng = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in indices.GroupBy(i => classOf[i]).OrderBy(g => g.Key))
        {
            var members = group.OrderBy(i => i).ToArray();
            rng.Shuffle(members);
            int nTest = (int)Math.Round(members.Length * testFraction, MidpointRounding.AwayFromZero);
            if (nTest == 0 && members.Length >= 2) nTest = 1;
            if (nTest >= members.Length) nTest = members.Length - 1;
            test.AddRange(members.Take(nTest));
            train.AddRange(members.Skip(nTest));
        }
        train.Sort();
        test.Sort();
        return (train.ToArray(), test.ToArray());
    }

    /// <summary>A plain seeded random split (the seed's train_test_split, not stratified).</summary>
    public static (int[] Train, int[] Test) Random(int count, double testFraction, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int nTest = (int)Math.Ceiling(count * testFraction);
        var test = order.Take(nTest).Order().ToArray();
        var train = order.Skip(nTest).Order().ToArray();
        return (train, test);
    }

    /// <summary>Leave one speaker out: one fold per speaker (ordinal order); needs a speaker for every utterance and at least 2 speakers.</summary>
    public static IReadOnlyList<Fold> LeaveOneSpeakerOut(LabelledCorpus corpus)
    {
        if (!corpus.HasSpeakers)
            throw new CorpusException($"{corpus.Source}: the loso protocol needs a speaker for every utterance (a manifest 'speaker' column or Emo-DB file names)");
        var speakers = corpus.Speakers;
        if (speakers.Count < 2)
            throw new CorpusException($"{corpus.Source}: the loso protocol needs at least 2 speakers, found {speakers.Count}");
        var folds = new List<Fold>();
        foreach (string s in speakers)
        {
            var test = Enumerable.Range(0, corpus.Utterances.Count).Where(i => corpus.Utterances[i].Speaker == s).ToArray();
            var train = Enumerable.Range(0, corpus.Utterances.Count).Where(i => corpus.Utterances[i].Speaker != s).ToArray();
            folds.Add(new Fold(s, train, test));
        }
        return folds;
    }

    /// <summary>
    /// Leave one corpus out: one fold per corpus (ordinal order), trained on every other corpus and tested on the
    /// left-out one, both restricted to the labels they share: the left-out corpus's labels that some training corpus
    /// has. Needs at least 2 corpora, and at least 2 shared labels per fold.
    /// </summary>
    public static IReadOnlyList<Fold> LeaveOneCorpusOut(LabelledCorpus corpus)
    {
        if (corpus.Corpora.Count < 2)
            throw new CorpusException($"{corpus.Source}: the loco protocol needs at least 2 corpora (give --data more than once, or a manifest 'corpus' column), found {corpus.Corpora.Count}");
        int[] classOf = corpus.ClassIndices();
        var folds = new List<Fold>();
        foreach (string held in corpus.Corpora)
        {
            var inHeld = Enumerable.Range(0, corpus.Utterances.Count).Where(i => corpus.Utterances[i].Corpus == held).ToArray();
            var others = Enumerable.Range(0, corpus.Utterances.Count).Where(i => corpus.Utterances[i].Corpus != held).ToArray();
            var shared = inHeld.Select(i => classOf[i]).Intersect(others.Select(i => classOf[i])).Order().ToArray();
            if (shared.Length < 2)
                throw new CorpusException($"{corpus.Source}: corpus '{held}' shares {(shared.Length == 0 ? "no label" : $"only the label '{corpus.Labels[shared[0]]}'")} with the others; leaving it out needs at least 2 shared labels");
            var keep = shared.ToHashSet();
            folds.Add(new Fold(held, others.Where(i => keep.Contains(classOf[i])).ToArray(), inHeld.Where(i => keep.Contains(classOf[i])).ToArray()) { Classes = shared });
        }
        return folds;
    }

    /// <summary>
    /// The inner validation split of a training part, for early stopping. When the training part has speakers
    /// (at least 3 distinct), whole speakers are held out (about <paramref name="fraction"/> of them, at least one), so the
    /// stopping point is chosen on unseen voices as the test will be; otherwise (or with <paramref name="bySpeaker"/> false,
    /// for a test part that shares speakers with training, as in holdout) a stratified utterance split.
    /// </summary>
    public static (int[] Fit, int[] Validation) InnerValidation(LabelledCorpus corpus, int[] train, int[] classOf, double fraction, int seed, bool bySpeaker = true)
    {
        var speakers = train.Select(i => corpus.Utterances[i].Speaker).Distinct().ToArray();
        if (bySpeaker && speakers.All(s => s is not null) && speakers.Length >= 3)
        {
            // Per corpus, so that every corpus has voices on both sides (one corpus: the same draw as ever).
            var held = new HashSet<string>(StringComparer.Ordinal);
            var rng = new Random(seed);
            foreach (var group in train.GroupBy(i => corpus.Utterances[i].Corpus).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var ordered = group.Select(i => corpus.Utterances[i].Speaker!).Distinct().Order(StringComparer.Ordinal).ToArray();
                if (ordered.Length < 2)
                    continue;
                rng.Shuffle(ordered);
                int nVal = Math.Clamp((int)Math.Round(ordered.Length * fraction, MidpointRounding.AwayFromZero), 1, ordered.Length - 1);
                held.UnionWith(ordered.Take(nVal));
            }
            if (held.Count > 0)
            {
                return (train.Where(i => !held.Contains(corpus.Utterances[i].Speaker!)).ToArray(),
                        train.Where(i => held.Contains(corpus.Utterances[i].Speaker!)).ToArray());
            }
        }
        return Stratified(train, classOf, fraction, seed);
    }
}
