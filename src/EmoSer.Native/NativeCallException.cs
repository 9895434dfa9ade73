namespace EmoSer.Native;

/// <summary>
/// A failure detected by the export layer itself (bad argument, bad handle, short buffer). It never leaves
/// the library: the export's catch turns it into <see cref="Status"/> and the last-error message.
/// </summary>
internal sealed class NativeCallException(EmoserStatus status, string message) : Exception(message)
{
    public EmoserStatus Status { get; } = status;
}
