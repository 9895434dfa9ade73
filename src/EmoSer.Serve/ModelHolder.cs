namespace EmoSer.Serve;

/// <summary>
/// The model currently served. Requests read <see cref="Current"/> once and use that instance to the end,
/// so a swap never disturbs a request in flight and never blocks one: it is a single reference write.
/// </summary>
internal sealed class ModelHolder(ServedModel initial)
{
    private ServedModel _current = initial;

    /// <summary>The model new requests use.</summary>
    public ServedModel Current => Volatile.Read(ref _current);

    /// <summary>Called with the new model after each <see cref="Swap"/> (state tied to the old model's features is dropped there).</summary>
    public event Action<ServedModel>? Swapped;

    /// <summary>Makes <paramref name="next"/> the served model; returns the one it replaced.</summary>
    public ServedModel Swap(ServedModel next)
    {
        ServedModel previous = Interlocked.Exchange(ref _current, next);
        Swapped?.Invoke(next);
        return previous;
    }
}
