using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Reporting;

/// <summary>Progress as plain lines on stderr (when stdout is not a terminal).</summary>
public sealed class PlainObserver(TextWriter output, bool verboseEpochs = false) : IRunObserver
{
    private int _lastPercent = -1;

    /// <inheritdoc/>
    public void Log(string message) { lock (output) output.WriteLine(message); }

    /// <inheritdoc/>
    public void Features(int done, int total)
    {
        int pct = (int)(100L * done / total);
        if (pct / 25 != _lastPercent / 25 || done == total)
        {
            _lastPercent = pct;
            Log($"features: {done}/{total}");
        }
    }

    /// <inheritdoc/>
    public void TrainingStarted(string fold, int member, int maxEpochs) { }

    /// <inheritdoc/>
    public void Epoch(string fold, int member, EpochStats s)
    {
        if (verboseEpochs)
            Log($"fold {fold} member {member} epoch {s.Epoch}: loss {s.Loss:F4} acc {s.Acc:F3} val_loss {s.ValLoss:F4} val_acc {s.ValAcc:F3}");
    }

    /// <inheritdoc/>
    public void TrainingFinished(string fold, int member, int selectedEpoch) => Log($"fold {fold} member {member}: kept epoch {selectedEpoch}");
}
