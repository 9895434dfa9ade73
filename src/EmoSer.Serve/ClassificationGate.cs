namespace EmoSer.Serve;

/// <summary>
/// Bounds the classifications in progress: at most <c>maxConcurrent</c> run, at most <c>maxQueued</c> wait,
/// and anything beyond that is refused at once (the caller answers 503 with Retry-After) instead of piling
/// up memory and latency.
/// </summary>
internal sealed class ClassificationGate(int maxConcurrent, int maxQueued)
{
    private readonly SemaphoreSlim _slots = new(maxConcurrent, maxConcurrent);
    private readonly int _capacity = maxConcurrent + maxQueued;
    private int _admitted;

    /// <summary>Requests running or waiting now.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>Waits for a slot; returns null (without waiting) when the queue is full.</summary>
    public async ValueTask<Lease?> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }
        return new Lease(this);
    }

    private void Exit()
    {
        _slots.Release();
        Interlocked.Decrement(ref _admitted);
    }

    /// <summary>A held slot; disposing it frees the slot.</summary>
    public sealed class Lease(ClassificationGate gate) : IDisposable
    {
        private int _disposed;

        /// <inheritdoc/>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                gate.Exit();
        }
    }
}
