using EmoSer.Trainer.Training;
using Spectre.Console;

namespace EmoSer.Trainer.Reporting;

/// <summary>Progress bars (Spectre.Console) for extraction and each fold's training; used only on a terminal without --events.</summary>
public sealed class SpectreObserver(ProgressContext context) : IRunObserver
{
    private ProgressTask? _features;
    private ProgressTask? _training;

    /// <summary>Runs <paramref name="body"/> inside a progress display.</summary>
    public static T Run<T>(Func<IRunObserver, T> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => body(new SpectreObserver(ctx)));

    /// <inheritdoc/>
    public void Log(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));

    /// <inheritdoc/>
    public void Features(int done, int total)
    {
        lock (this)
        {
            _features ??= context.AddTask("features", maxValue: total);
            _features.Value = Math.Max(_features.Value, done);
        }
    }

    /// <inheritdoc/>
    public void TrainingStarted(string fold, int member, int maxEpochs)
    {
        _training?.StopTask();
        _training = context.AddTask(Markup.Escape($"fold {fold} net {member + 1}"), maxValue: maxEpochs);
    }

    /// <inheritdoc/>
    public void Epoch(string fold, int member, EpochStats s)
    {
        if (_training is null) return;
        _training.Value = s.Epoch;
        _training.Description = Markup.Escape($"fold {fold} net {member + 1} loss {s.Loss:F3} val_acc {s.ValAcc:F3}");
    }

    /// <inheritdoc/>
    public void TrainingFinished(string fold, int member, int selectedEpoch)
    {
        if (_training is null) return;
        _training.Value = _training.MaxValue;
        _training.StopTask();
    }
}
