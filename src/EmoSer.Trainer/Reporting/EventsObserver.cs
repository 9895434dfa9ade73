using System.Text.Json;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Reporting;

/// <summary><c>--events</c>: one JSON object per line on stdout (docs/trainer-events.md), for the HTTP service.</summary>
public sealed class EventsObserver(TextWriter output) : IRunObserver
{
    private int _lastFeatures = -1;

    /// <inheritdoc/>
    public void Log(string message) => Emit(w => { w.WriteString("type", "log"); w.WriteString("message", message); });

    /// <inheritdoc/>
    public void Features(int done, int total)
    {
        int pct = (int)(100L * done / total);
        if (pct / 10 == _lastFeatures / 10 && done != total) return;
        _lastFeatures = pct;
        Emit(w => { w.WriteString("type", "features"); w.WriteNumber("done", done); w.WriteNumber("total", total); });
    }

    /// <inheritdoc/>
    public void TrainingStarted(string fold, int member, int maxEpochs) { }

    /// <inheritdoc/>
    public void Epoch(string fold, int member, EpochStats s) => Emit(w =>
    {
        w.WriteString("type", "epoch");
        w.WriteString("fold", fold);
        w.WriteNumber("member", member);
        w.WriteNumber("epoch", s.Epoch);
        w.WriteNumber("loss", Math.Round(s.Loss, 5));
        w.WriteNumber("acc", Math.Round(s.Acc, 5));
        if (s.ValLoss is { } vl) w.WriteNumber("val_loss", Math.Round(vl, 5)); else w.WriteNull("val_loss");
        if (s.ValAcc is { } va) w.WriteNumber("val_acc", Math.Round(va, 5)); else w.WriteNull("val_acc");
    });

    /// <inheritdoc/>
    public void TrainingFinished(string fold, int member, int selectedEpoch) => Emit(w =>
    {
        w.WriteString("type", "trained");
        w.WriteString("fold", fold);
        w.WriteNumber("member", member);
        w.WriteNumber("selected_epoch", selectedEpoch);
    });

    /// <summary>The final event: where the report (and weights, if any) are.</summary>
    public void Done(string report, string? weights) => Emit(w =>
    {
        w.WriteString("type", "done");
        w.WriteString("report", report);
        if (weights is null) w.WriteNull("weights"); else w.WriteString("weights", weights);
    });

    /// <summary>A failure; the process then exits with code 1.</summary>
    public void Error(string message) => Emit(w => { w.WriteString("type", "error"); w.WriteString("message", message); });

    private void Emit(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        string line = System.Text.Encoding.UTF8.GetString(ms.ToArray());
        lock (output)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
