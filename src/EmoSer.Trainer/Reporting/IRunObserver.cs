using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Reporting;

/// <summary>Receives a run's progress: log lines, feature extraction progress, epochs.</summary>
public interface IRunObserver
{
    /// <summary>A human-readable log line.</summary>
    void Log(string message);

    /// <summary>Feature extraction progress: <paramref name="done"/> of <paramref name="total"/>.</summary>
    void Features(int done, int total);

    /// <summary>A training run (fold and member) starts with at most <paramref name="maxEpochs"/> epochs.</summary>
    void TrainingStarted(string fold, int member, int maxEpochs);

    /// <summary>One epoch finished.</summary>
    void Epoch(string fold, int member, EpochStats stats);

    /// <summary>A training run (fold and member) finished.</summary>
    void TrainingFinished(string fold, int member, int selectedEpoch);
}
