namespace EmoSer.Trainer.Training;

/// <summary>How the epoch whose weights are kept is chosen.</summary>
public enum EpochSelection
{
    /// <summary>Train every epoch and keep the last weights.</summary>
    Last,
    /// <summary>Early stopping: keep the epoch with the lowest monitored loss, stop after <see cref="Recipe.Patience"/> epochs without improvement.</summary>
    MinMonitorLoss,
    /// <summary>Keep the epoch with the highest monitored accuracy (ties: lower loss), stop after <see cref="Recipe.Patience"/> epochs without improvement.
    /// Leak-free on an inner validation split; the seed protocol monitors the test set itself, which is its leak.</summary>
    MaxMonitorAccuracy,
}
