using System.Buffers;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Reads a whole PCM body into a float array. The array grows as bytes actually arrive, so a lying header
/// can never make it allocate more than the input delivers (plus the doubling slack).
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
    public static Body ReadAll(Stream stream, SampleEncoding encoding, long length, string inputName)
    {
        int bytesPerSample = SampleDecoder.BytesPerSample(encoding);
        long? remaining = StreamReading.Remaining(stream);
        long expectedBytes = length >= 0 ? length : remaining ?? -1;
        if (remaining is long r && expectedBytes > r)
            expectedBytes = r;
        int capacity = expectedBytes < 0
            ? 64 * 1024
            : (int)Math.Min(expectedBytes / bytesPerSample, remaining is null ? MaxInitialSamples : Array.MaxLength);

        float[] samples = new float[capacity];
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
                    EnsureCapacity(ref samples, count, whole, inputName);
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

    private static void EnsureCapacity(ref float[] samples, int count, int extra, string inputName)
    {
        long needed = (long)count + extra;
        if (needed <= samples.Length)
            return;
        if (needed > Array.MaxLength)
            throw new AudioFormatException(inputName, $"too long: more than {Array.MaxLength} samples do not fit in memory");
        long grown = Math.Max(needed, Math.Min((long)samples.Length * 2, Array.MaxLength));
        Array.Resize(ref samples, (int)Math.Max(grown, 1024));
    }
}
