namespace EmoSer.Trainer.Training;

/// <summary>How the epoch whose weights are kept is chosen.</summary>
public enum EpochSelection
{
    /// <summary>Train every epoch and keep the last weights.</summary>
    Last,
    /// <summary>Early stopping: keep the epoch with the lowest monitored loss, stop after <see cref="Recipe.Patience"/> epochs without improvement.</summary>
    MinMonitorLoss,
    /// <summary>The seed's (leaky) choice: keep the epoch with the highest monitored accuracy; the monitored split is the test set.</summary>
    MaxMonitorAccuracy,
}
