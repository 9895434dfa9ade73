using System.Runtime.InteropServices;

namespace EmoSer.Edge.Output;

/// <summary>
/// A write-only stream over an inherited file descriptor (standard output or standard error) that calls write(2)
/// directly. Console's streams first initialise the terminal (the terminfo database, a signal-handling thread): a
/// measurable part of a short command's start-up (benchmarks/startup.sh) that a program writing lines does not
/// need. Unlike them, a closed pipe is reported (an <see cref="IOException"/>, which the program turns into its exit
/// code) instead of being dropped silently, so <c>emoser stream | head</c> ends when head does.
/// </summary>
internal sealed partial class StandardStream(int descriptor, string name) : Stream
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EPIPE = 32;

    /// <summary>Standard output (descriptor 1).</summary>
    public static StandardStream Output() => new(1, "standard output");

    /// <summary>Standard error (descriptor 2).</summary>
    public static StandardStream Error() => new(2, "standard error");

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
        // Every Write reaches the descriptor before it returns: nothing is buffered here.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint written = write(descriptor, start + done, (nuint)(buffer.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }
                int error = Marshal.GetLastPInvokeError();
                if (error == EINTR)
                    continue;
                if (error == EAGAIN)
                {
                    // A non-blocking descriptor inherited from the parent: wait for the reader rather than drop output.
                    Thread.Sleep(1);
                    continue;
                }
                // The errno as HResult, as .NET's own Unix I/O errors carry it (ErrorText.Describe words it).
                throw new IOException(error == EPIPE ? $"{name} was closed by its reader" : $"cannot write to {name}: {Marshal.GetPInvokeErrorMessage(error)}", error);
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);
}
