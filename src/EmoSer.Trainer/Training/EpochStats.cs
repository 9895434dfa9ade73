namespace EmoSer.Trainer.Training;

/// <summary>One epoch's training loss/accuracy (averaged over its batches, as Keras reports) and the monitored split's.</summary>
public sealed record EpochStats(int Epoch, double Loss, double Acc, double? ValLoss, double? ValAcc);
