using System.Runtime.InteropServices;

namespace EmoSer.Native.Tests;

/// <summary>The x64 libemoser.so loaded into the test process once, and its exports, for the in-process tests.</summary>
internal static unsafe class LibEmoser
{
    private static readonly Lazy<nint> s_library = new(() => NativeLibrary.Load(NativeTarget.X64.LibraryPath));

    /// <summary>The loaded library; skips the calling test until scripts/publish-native.sh has published it.</summary>
    public static nint Library
    {
        get
        {
            if (!File.Exists(NativeTarget.X64.LibraryPath))
                Assert.Skip($"SKIPPED: {NativeTarget.X64.LibraryPath} not found; run scripts/publish-native.sh linux-x64 first.");
            return s_library.Value;
        }
    }

    /// <summary>The address of export <paramref name="name"/>, to cast to an unmanaged function pointer.</summary>
    public static nint Export(string name) => NativeLibrary.GetExport(Library, name);

    /// <summary><c>emoser_last_error()</c> of the calling thread.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)Export("emoser_last_error"))())!;
}
