using System.Collections.Concurrent;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Immutable instances shared process-wide by the parameters they were built from (the filterbanks' GetShared):
/// built on first use and then reused; thread-safe. At most <paramref name="capacity"/> are kept: a process meets a
/// handful of keys, and once a caller passing arbitrary ones fills the cache it starts over rather than grow.
/// </summary>
/// <param name="capacity">Most instances kept.</param>
internal sealed class SharedInstanceCache<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _instances = new();

    /// <summary>The instance for <paramref name="key"/>, built by <paramref name="create"/> if there is none yet.</summary>
    public TValue GetOrCreate(TKey key, Func<TKey, TValue> create)
    {
        if (_instances.TryGetValue(key, out var value))
            return value;
        value = create(key);
        if (_instances.Count >= capacity)
            _instances.Clear();
        return _instances.GetOrAdd(key, value);
    }
}
