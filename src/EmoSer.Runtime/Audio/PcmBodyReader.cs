using System.Buffers;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads a whole PCM body into a float array. The array grows as bytes actually arrive, so a lying header
/// can never make it allocate more than the input delivers (plus the doubling slack), and reading stops with an
/// <see cref="AudioTooLongException"/> as soon as the input passes its maximum duration.
/// </summary>
internal static class PcmBodyReader
{
    // Most capacity reserved up front from a declared size the stream cannot confirm: 1 Mi samples = 4 MiB.
    private const int MaxInitialSamples = 1024 * 1024;
    private const int ReadBlockBytes = 64 * 1024;

    /// <summary>Result of <see cref="ReadAll"/>.</summary>
    /// <param name="Samples">Decoded samples, exactly <paramref name="SampleCount"/> long.</param>
    /// <param name="SampleCount">Samples decoded (whole samples only).</param>
    /// <param name="BytesRead">Bytes consumed from the stream.</param>
    internal readonly record struct Body(float[] Samples, int SampleCount, long BytesRead);

    /// <summary>
    /// Reads <paramref name="length"/> bytes (or to the end of the stream when -1) and decodes them.
    /// A trailing partial sample is counted in <see cref="Body.BytesRead"/> but not decoded.
    /// </summary>
    /// <exception cref="AudioTooLongException">More than <paramref name="maxFrames"/> frames of <paramref name="channels"/> samples arrive.</exception>
    public static Body ReadAll(Stream stream, SampleEncoding encoding, long length, string inputName, int channels, long maxFrames, double maxSeconds)
    {
        int bytesPerSample = SampleDecoder.BytesPerSample(encoding);
        long? remaining = StreamReading.Remaining(stream);
        long expectedBytes = length >= 0 ? length : remaining ?? -1;
        if (remaining is long r && expectedBytes > r)
            expectedBytes = r;
        // One frame beyond the limit is what shows the input is too long: room for it, and never more.
        long ceiling = Math.Min(maxFrames > (Array.MaxLength / channels) - 1 ? Array.MaxLength : (maxFrames + 1) * channels, Array.MaxLength);
        long capacity = expectedBytes < 0
            ? 64 * 1024
            : Math.Min(expectedBytes / bytesPerSample, remaining is null ? MaxInitialSamples : Array.MaxLength);
        float[] samples = new float[Math.Min(capacity, ceiling)];
        int count = 0;
        long total = 0;
        byte[] block = ArrayPool<byte>.Shared.Rent(ReadBlockBytes);
        try
        {
            // Whole samples per block; a partial sample carries over to the next read.
            int blockUsable = ReadBlockBytes / bytesPerSample * bytesPerSample;
            int carried = 0;
            while (length < 0 || total < length)
            {
                int want = blockUsable - carried;
                if (length >= 0)
                    want = (int)Math.Min(want, length - total);
                int n = stream.Read(block, carried, want);
                if (n <= 0)
                    break;
                total += n;
                int available = carried + n;
                int whole = available / bytesPerSample;
                if (whole > 0)
                {
                    if ((count + (long)whole) / channels > maxFrames)
                        throw new AudioTooLongException(inputName, null, maxSeconds);
                    EnsureCapacity(ref samples, count, whole, ceiling, inputName);
                    SampleDecoder.Decode(block.AsSpan(0, whole * bytesPerSample), encoding, samples.AsSpan(count, whole));
                    count += whole;
                }
                carried = available - whole * bytesPerSample;
                if (carried > 0)
                    Buffer.BlockCopy(block, whole * bytesPerSample, block, 0, carried);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
        if (samples.Length != count)
            Array.Resize(ref samples, count);
        return new Body(samples, count, total);
    }

    private static void EnsureCapacity(ref float[] samples, int count, int extra, long ceiling, string inputName)
    {
        long needed = (long)count + extra;
        if (needed <= samples.Length)
            return;
        if (needed > Array.MaxLength)
            throw new AudioFormatException(inputName, $"too long: more than {Array.MaxLength} samples do not fit in memory");
        long grown = Math.Max(needed, Math.Min(Math.Min((long)samples.Length * 2, ceiling), Array.MaxLength));
        Array.Resize(ref samples, (int)Math.Max(grown, Math.Min(1024, ceiling)));
    }
}
