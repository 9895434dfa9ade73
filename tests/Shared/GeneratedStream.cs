namespace EmoSer.Tests.Shared;

/// <summary>
/// A read-only stream of <c>head</c> followed by zero bytes up to <c>length</c> (long.MaxValue: endless, like
/// <c>/dev/zero</c> or a pipe that never closes), seekable or not, that counts the bytes handed out so tests can prove
/// what a reader did not read. Nothing of the length is allocated.
/// </summary>
public sealed class GeneratedStream(byte[] head, long length, bool seekable) : Stream
{
    private long _position;

    /// <summary>Bytes returned by Read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => seekable;
    public override bool CanWrite => false;
    public override long Length => seekable ? length : throw new NotSupportedException();

    public override long Position
    {
        get => seekable ? _position : throw new NotSupportedException();
        set => _position = seekable ? value : throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, length - _position);
        if (n <= 0)
            return 0;
        buffer[..n].Clear();
        if (_position < head.Length)
        {
            int fromHead = (int)Math.Min(n, head.Length - _position);
            head.AsSpan((int)_position, fromHead).CopyTo(buffer);
        }
        _position += n;
        BytesRead += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!seekable)
            throw new NotSupportedException();
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
