namespace EmoSer.Runtime.Audio;

/// <summary>Small stream primitives shared by the readers: fill-or-EOF reads, skipping, remaining length.</summary>
internal static class StreamReading
{
    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    public static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n <= 0)
                break;
            total += n;
        }
        return total;
    }

    /// <summary>Bytes left in a seekable stream, or null when the stream cannot tell.</summary>
    public static long? Remaining(Stream stream)
    {
        if (!stream.CanSeek)
            return null;
        try
        {
            return Math.Max(0, stream.Length - stream.Position);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes (seeking when possible); returns the bytes actually skipped.</summary>
    public static long Skip(Stream stream, long count)
    {
        if (count <= 0)
            return 0;
        if (Remaining(stream) is long remaining)
        {
            long skip = Math.Min(count, remaining);
            stream.Seek(skip, SeekOrigin.Current);
            return skip;
        }
        Span<byte> scratch = stackalloc byte[4096];
        long skipped = 0;
        while (skipped < count)
        {
            int n = stream.Read(scratch[..(int)Math.Min(scratch.Length, count - skipped)]);
            if (n <= 0)
                break;
            skipped += n;
        }
        return skipped;
    }
}
