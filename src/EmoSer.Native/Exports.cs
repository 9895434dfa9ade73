using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Native;

/// <summary>
/// The functions of libemoser.so (include/emoser.h). Each export validates its arguments, runs inside a
/// try/catch and returns an <see cref="EmoserStatus"/>: no managed exception ever reaches the C caller.
/// </summary>
internal static unsafe partial class Exports
{
    private static readonly byte* s_version = NativeString.Alloc(EmoSerInfo.Version);

    [UnmanagedCallersOnly(EntryPoint = "emoser_version")]
    public static byte* Version() => s_version;

    [UnmanagedCallersOnly(EntryPoint = "emoser_last_error")]
    public static byte* LastErrorMessage() => LastError.Current;

    /// <summary>
    /// Turns any exception into a status code and the thread's last-error message. Only our own exceptions' messages
    /// are passed on: this library strips the framework's texts to resource keys (UseSystemResourceKeys), and every
    /// argument the runtime could refuse is checked here first, so anything else is a bug, reported by its type.
    /// </summary>
    private static int Fail(Exception e)
    {
        try
        {
            (EmoserStatus status, string message) = e switch
            {
                NativeCallException n => (n.Status, n.Message),
                // Too long an input is a duration out of range (emoser_model_set_max_duration), not a bad file.
                AudioTooLongException a => (EmoserStatus.InvalidArgument, a.Message),
                AudioFormatException a => (EmoserStatus.AudioFormat, a.Message),
                ModelFormatException m => (EmoserStatus.ModelFormat, m.Message),
                FileNotFoundException f => (EmoserStatus.IO, $"{f.FileName ?? "file"}: file not found"),
                IOException or UnauthorizedAccessException => (EmoserStatus.IO, ErrorText.Describe(e)),
                OutOfMemoryException => (EmoserStatus.Internal, "out of memory"),
                _ => (EmoserStatus.Internal, $"internal error ({e.GetType().Name}): a bug in libemoser, please report it"),
            };
            LastError.Set(message);
            return (int)status;
        }
        catch
        {
            return (int)EmoserStatus.Internal;
        }
    }

    /// <summary>Records a failure message without an exception (for statuses the export decides itself).</summary>
    private static int Fail(EmoserStatus status, string message)
    {
        LastError.Set(message);
        return (int)status;
    }

    // Checked up front so a missing file is reported as "<path>: file not found" whatever the loader would say.
    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
            throw new NativeCallException(EmoserStatus.IO, $"{path}: file not found");
    }

    private static void RequireNotNull(void* pointer, string name)
    {
        if (pointer == null)
            throw new NativeCallException(EmoserStatus.NullArgument, $"{name} is NULL");
    }

    /// <summary>
    /// The rules of the count-then-fill calls (<c>emoser_model_labels</c>, <c>emoser_model_speed_factors</c>): the count
    /// pointer is required, the length is not negative, and the buffer may be NULL only with length 0 (a count query).
    /// </summary>
    private static void CheckCountedBuffer(void* buffer, int length, int* countOut, string name)
    {
        RequireNotNull(countOut, "count_out");
        if (length < 0)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"{name}_len must not be negative, got {length}");
        if (buffer == null && length != 0)
            throw new NativeCallException(EmoserStatus.NullArgument, $"{name}_out is NULL but {name}_len is {length}");
    }
}
