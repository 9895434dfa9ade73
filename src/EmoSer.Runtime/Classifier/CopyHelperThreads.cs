using System.Collections.Concurrent;

namespace EmoSer.Runtime.Classifier;

/// <summary>
/// The threads that extract speed copies beside a classifying thread: one per other core, started on first use and
/// then kept waiting (background threads, so they never keep a process alive). The thread pool would do the same
/// work, but its first use in a process (its static set-up, worker injection and the yields that go with it) costs
/// about a millisecond on a one-shot command's critical path (benchmarks/startup.sh), while a waiting thread starts a
/// queued helper at once. A helper that starts late finds its copies already claimed and returns (see CopyWork), so
/// queueing behind another call's helpers only costs parallelism, never a result.
/// </summary>
internal static class CopyHelperThreads
{
    private static readonly ConcurrentQueue<Action> s_queue = new();
    private static readonly SemaphoreSlim s_ready = new(0);
    private static readonly Lock s_startLock = new();
    private static volatile bool s_started;

    /// <summary>Runs <paramref name="help"/> on a helper thread (it must not throw: a helper keeps its failures for its caller).</summary>
    public static void Run(Action help)
    {
        ArgumentNullException.ThrowIfNull(help);
        if (!s_started)
            Start();
        s_queue.Enqueue(help);
        s_ready.Release();
    }

    private static void Start()
    {
        lock (s_startLock)
        {
            if (s_started)
                return;
            for (int i = Math.Max(1, Environment.ProcessorCount - 1); i > 0; i--)
                new Thread(Serve) { IsBackground = true, Name = "emoser speed copies" }.Start();
            s_started = true;
        }
    }

    private static void Serve()
    {
        while (true)
        {
            s_ready.Wait();
            if (!s_queue.TryDequeue(out Action? help))
                continue;
            try
            {
                help();
            }
            catch (Exception)
            {
                // CopyWork.Help records its failures for the classifying thread; anything else must not end this thread.
            }
        }
    }
}
