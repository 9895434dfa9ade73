namespace EmoSer.Tests.Shared;

/// <summary>Measures what a call allocates on the calling thread.</summary>
public static class Allocations
{
    /// <summary>
    /// Bytes this thread allocates in <paramref name="action"/>, the least of <paramref name="runs"/> runs: a real
    /// per-call allocation shows in every run, while one-off runtime bookkeeping (tiered JIT) does not repeat.
    /// </summary>
    public static long Least(Action action, int runs = 4)
    {
        long least = long.MaxValue;
        for (int attempt = 0; attempt < runs; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
