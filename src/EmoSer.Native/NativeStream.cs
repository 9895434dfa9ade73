using EmoSer.Runtime;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Native;

/// <summary>
/// What a stream handle stands for: an <see cref="EmotionStream"/> plus the scratch buffer for 16-bit input and
/// a busy flag that turns overlapping calls from two threads into <see cref="EmoserStatus.Busy"/>.
/// </summary>
internal sealed class NativeStream(EmotionStream stream, IReadOnlyList<string> labels)
{
    /// <summary>16-bit input is converted in blocks of this many samples, so pushes allocate nothing.</summary>
    public const int ConvertBlock = 4096;

    private int _busy;

    public EmotionStream Stream { get; } = stream;

    public IReadOnlyList<string> Labels { get; } = labels;

    public float[] ConvertBuffer { get; } = new float[ConvertBlock];

    /// <summary>Marks the session in use by the calling thread; throws when another thread holds it.</summary>
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new NativeCallException(EmoserStatus.Busy, "stream session is in use by another thread (a session belongs to one thread at a time)");
    }

    public void Exit() => Volatile.Write(ref _busy, 0);
}
