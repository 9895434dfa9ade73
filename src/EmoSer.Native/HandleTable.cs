namespace EmoSer.Native;

/// <summary>
/// Maps the opaque handles given to C callers to managed objects. A handle is not a pointer: it encodes a tag
/// (which kind of object), the slot index and the slot's generation, so a freed handle (the slot's generation
/// has moved on), a handle of the other kind and a random value are all recognised and reported instead of
/// crashing, and a freed slot that is reused never answers to the old handle.
/// </summary>
/// <remarks>
/// Layout of the 64-bit value: bits 56..63 the tag, 32..55 the generation (1..2^24-1, wrapping past 0),
/// 0..31 the slot index + 1. All members are thread-safe; lookups take a short lock.
/// </remarks>
internal sealed class HandleTable<T> where T : class
{
    /// <summary>Most live handles of one kind; far above any real use, it bounds the table if a caller leaks.</summary>
    public const int MaxLive = 1 << 20;

    private const int GenerationBits = 24;
    private const uint GenerationMask = (1u << GenerationBits) - 1;

    private readonly Lock _lock = new();
    private readonly byte _tag;
    private readonly string _kind;
    private T?[] _items = new T?[8];
    private uint[] _generations = new uint[8];
    private int[] _freeSlots = new int[8];
    private int _freeCount;
    private int _used;

    /// <param name="tag">Top byte of this table's handles; distinct per table.</param>
    /// <param name="kind">Name used in error messages, e.g. "model".</param>
    public HandleTable(byte tag, string kind)
    {
        _tag = tag;
        _kind = kind;
    }

    /// <summary>Stores <paramref name="item"/> and returns its new handle.</summary>
    public nint Add(T item)
    {
        lock (_lock)
        {
            int slot;
            if (_freeCount > 0)
            {
                slot = _freeSlots[--_freeCount];
            }
            else
            {
                if (_used >= MaxLive)
                    throw new NativeCallException(EmoserStatus.InvalidArgument, $"too many live {_kind} handles ({MaxLive}); free some first");
                if (_used == _items.Length)
                {
                    Array.Resize(ref _items, _items.Length * 2);
                    Array.Resize(ref _generations, _generations.Length * 2);
                }
                slot = _used++;
                _generations[slot] = 1;
            }
            _items[slot] = item;
            return Encode(slot, _generations[slot]);
        }
    }

    /// <summary>The object behind <paramref name="handle"/>; throws a <see cref="NativeCallException"/> saying why when there is none.</summary>
    public T Get(nint handle)
    {
        lock (_lock)
            return _items[Resolve(handle)]!;
    }

    /// <summary>Removes <paramref name="handle"/> and returns its object; the handle is stale from now on.</summary>
    public T Remove(nint handle)
    {
        lock (_lock)
        {
            int slot = Resolve(handle);
            T item = _items[slot]!;
            _items[slot] = null;
            uint next = (_generations[slot] + 1) & GenerationMask;
            _generations[slot] = next == 0 ? 1 : next;
            if (_freeCount == _freeSlots.Length)
                Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
            _freeSlots[_freeCount++] = slot;
            return item;
        }
    }

    private nint Encode(int slot, uint generation) =>
        (nint)(((ulong)_tag << 56) | ((ulong)generation << 32) | (uint)(slot + 1));

    // Caller holds the lock.
    private int Resolve(nint handle)
    {
        ulong value = (ulong)handle;
        if (value == 0)
            throw new NativeCallException(EmoserStatus.InvalidHandle, $"{_kind} handle is NULL");
        byte tag = (byte)(value >> 56);
        uint generation = (uint)(value >> 32) & GenerationMask;
        long slot = (long)(uint)value - 1;
        if (tag != _tag)
        {
            string what = HandleKinds.Describe(tag) is { } other ? $"a {other} handle, not a {_kind} handle" : $"not a {_kind} handle";
            throw new NativeCallException(EmoserStatus.InvalidHandle, $"0x{value:x16} is {what}");
        }
        if (slot < 0 || slot >= _used || generation == 0)
            throw new NativeCallException(EmoserStatus.InvalidHandle, $"0x{value:x16} is not a {_kind} handle of this library");
        if (_generations[slot] != generation || _items[slot] is null)
            throw new NativeCallException(EmoserStatus.InvalidHandle, $"{_kind} handle 0x{value:x16} was already freed");
        return (int)slot;
    }
}

/// <summary>The tags of the handle tables, so a handle of one kind passed as another is named in the error.</summary>
internal static class HandleKinds
{
    public const byte Model = 0xE1;
    public const byte Stream = 0xE2;
    public const byte Profile = 0xE3;

    public static string? Describe(byte tag) => tag switch
    {
        Model => "model",
        Stream => "stream",
        Profile => "profile",
        _ => null,
    };
}
