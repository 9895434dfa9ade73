using System.Collections.Concurrent;
using EmoSer.Runtime.Model;

namespace EmoSer.Runtime.Classifier;

/// <summary>
/// The classifier's workers: a call rents one (a pooled one, or a new one when every worker is in use) and returns
/// it when done, so concurrent calls run in parallel without locking each other out and, after warm-up, allocate none.
/// </summary>
internal sealed class WorkerPool(EmotionModel model, int speedCopies)
{
    private readonly ConcurrentBag<ClassifierWorker> _workers = [];

    /// <summary>A worker for one call; give it back with <see cref="Return"/>.</summary>
    public ClassifierWorker Rent() => _workers.TryTake(out var worker) ? worker : new ClassifierWorker(model, speedCopies);

    /// <summary>Gives a worker back for the next call.</summary>
    public void Return(ClassifierWorker worker) => _workers.Add(worker);
}
