using System.Runtime.InteropServices;
using System.Text;
using EmoSer.Runtime;

namespace EmoSer.Native;

/// <summary>
/// The thread-local message behind <c>emoser_last_error()</c>: a NUL-terminated UTF-8 copy in native memory
/// that stays valid until the next failure on the same thread (the C caller reads it after the call returns).
/// </summary>
internal static unsafe class LastError
{
    // One small buffer per thread that ever failed; grown, never shrunk, so repeated failures do not allocate.
    [ThreadStatic] private static byte* t_buffer;
    [ThreadStatic] private static int t_capacity;

    private static readonly byte* s_empty = AllocEmpty();

    /// <summary>The current thread's message, or an empty string when no call has failed on it.</summary>
    public static byte* Current => t_buffer != null ? t_buffer : s_empty;

    /// <summary>Replaces the current thread's message, as one line of at most <see cref="ErrorText.MaxLength"/> characters.</summary>
    public static void Set(string message)
    {
        message = ErrorText.OneLine(message);
        int needed = Encoding.UTF8.GetByteCount(message) + 1;
        if (needed > t_capacity)
        {
            int capacity = Math.Max(needed, 256);
            byte* grown = (byte*)NativeMemory.Realloc(t_buffer, (nuint)capacity);
            if (grown == null)
                return; // Out of memory: keep the old message rather than fail the failure path.
            t_buffer = grown;
            t_capacity = capacity;
        }
        int written = Encoding.UTF8.GetBytes(message, new Span<byte>(t_buffer, t_capacity - 1));
        t_buffer[written] = 0;
    }

    private static byte* AllocEmpty()
    {
        byte* p = (byte*)NativeMemory.Alloc(1);
        *p = 0;
        return p;
    }
}
