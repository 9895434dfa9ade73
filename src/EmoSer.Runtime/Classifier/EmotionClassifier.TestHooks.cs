
namespace EmoSer.Runtime.Classifier;

// What tests observe and replace: extraction counts, and how (and whether) speed copies run beside the clip.
public sealed partial class EmotionClassifier
{
    private long _extractions;
    private long _copyExtractions;

    /// <summary>
    /// How many clips this classifier has extracted features of (tests prove one extraction per clip with it). A clip
    /// and its test-time speed copies count as one: the count is of clip extractions, not of feature vectors.
    /// </summary>
    internal long FeatureExtractions => Interlocked.Read(ref _extractions);

    /// <summary>How many speed copies this classifier has made and extracted (tests prove which calls make none).</summary>
    internal long SpeedCopyExtractions => Interlocked.Read(ref _copyExtractions);

    /// <summary>
    /// Whether copies are extracted beside the clip on other threads (more than one core). Internal so that tests can
    /// compare both ways on one machine.
    /// </summary>
    internal bool ParallelCopies { get; set; } = Environment.ProcessorCount > 1;

    /// <summary>
    /// How a helper is started (<see cref="CopyHelperThreads.Run"/>); tests replace it to run a helper late or never, as
    /// busy helper threads would.
    /// </summary>
    internal Action<Action> StartHelper { get; set; } = CopyHelperThreads.Run;
}
