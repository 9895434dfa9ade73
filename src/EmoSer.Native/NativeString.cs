using System.Runtime.InteropServices;
using System.Text;

namespace EmoSer.Native;

/// <summary>NUL-terminated UTF-8 strings in native memory, for strings the C caller reads after a call.</summary>
internal static unsafe class NativeString
{
    /// <summary>Allocates a NUL-terminated UTF-8 copy of <paramref name="value"/>; free with <see cref="Free"/>.</summary>
    public static byte* Alloc(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        byte* p = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(p, length));
        p[length] = 0;
        return p;
    }

    public static void Free(byte* p) => NativeMemory.Free(p);

    /// <summary>Reads a NUL-terminated UTF-8 argument (a path); the caller checked it for null.</summary>
    public static string Read(byte* p) => Marshal.PtrToStringUTF8((nint)p) ?? string.Empty;
}
