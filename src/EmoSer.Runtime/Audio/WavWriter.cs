using System.Buffers;
using System.Buffers.Binary;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Writes canonical little-endian WAV files: 16-bit PCM (format tag 1, 16-byte fmt) or 32-bit IEEE float
/// (format tag 3, 18-byte fmt plus a fact chunk). PCM16 samples are scaled by 32768, rounded to nearest and
/// clamped to [-32768, 32767], so values read by <see cref="WavReader"/> from a PCM16 file round-trip exactly.
/// </summary>
public static class WavWriter
{
    private const int BlockSamples = 16 * 1024;

    /// <summary>Writes a WAV to <paramref name="stream"/> (which is not closed).</summary>
    /// <param name="stream">Destination.</param>
    /// <param name="interleaved">Samples, frame-major.</param>
    /// <param name="sampleRate">Frames per second (1..768000).</param>
    /// <param name="channels">Channels per frame (1..64); the sample count must be a multiple of it.</param>
    /// <param name="format">Sample format to store.</param>
    /// <exception cref="ArgumentException">Invalid layout, or the data would exceed the 4 GiB RIFF limit.</exception>
    public static void Write(Stream stream, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        RawPcmReader.ValidateLayout(sampleRate, channels);
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"{interleaved.Length} samples are not a whole number of {channels}-channel frames.", nameof(interleaved));
        bool isFloat = format switch
        {
            WavSampleFormat.Pcm16 => false,
            WavSampleFormat.Float32 => true,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format."),
        };
        int bytesPerSample = isFloat ? 4 : 2;
        long dataBytes = (long)interleaved.Length * bytesPerSample;
        int headerBytes = isFloat ? 12 + 8 + 18 + 12 + 8 : 12 + 8 + 16 + 8;
        if (dataBytes + headerBytes - 8 > uint.MaxValue)
            throw new ArgumentException($"{interleaved.Length} samples exceed the 4 GiB WAV size limit.", nameof(interleaved));

        Span<byte> header = stackalloc byte[headerBytes];
        int blockAlign = channels * bytesPerSample;
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(dataBytes + headerBytes - 8));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], isFloat ? 18u : 16u);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], (ushort)(isFloat ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(bytesPerSample * 8));
        int at = 36;
        if (isFloat)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[36..], 0); // cbSize
            "fact"u8.CopyTo(header[38..]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[46..], (uint)(interleaved.Length / channels));
            at = 50;
        }
        "data"u8.CopyTo(header[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[(at + 4)..], (uint)dataBytes);
        stream.Write(header);

        byte[] block = ArrayPool<byte>.Shared.Rent(BlockSamples * bytesPerSample);
        try
        {
            while (!interleaved.IsEmpty)
            {
                int n = Math.Min(interleaved.Length, BlockSamples);
                Span<byte> bytes = block.AsSpan(0, n * bytesPerSample);
                for (int i = 0; i < n; i++)
                {
                    if (isFloat)
                        BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], interleaved[i]);
                    else
                        BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], ToPcm16(interleaved[i]));
                }
                stream.Write(bytes);
                interleaved = interleaved[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>
    /// Writes a WAV file atomically: to a temporary file in the same folder, flushed to disk, then renamed over
    /// <paramref name="path"/>. On failure the temporary file is removed and any existing file is untouched.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="interleaved">Samples, frame-major.</param>
    /// <param name="sampleRate">Frames per second (1..768000).</param>
    /// <param name="channels">Channels per frame (1..64); the sample count must be a multiple of it.</param>
    /// <param name="format">Sample format to store.</param>
    /// <exception cref="ArgumentException">Invalid layout, or the data would exceed the 4 GiB RIFF limit.</exception>
    public static void WriteFile(string path, ReadOnlySpan<float> interleaved, int sampleRate, int channels, WavSampleFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                Write(stream, interleaved, sampleRate, channels, format);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static short ToPcm16(float sample)
    {
        // NaN maps to 0; everything else is clamped after scaling.
        float scaled = MathF.Round(sample * 32768f);
        if (!(scaled >= -32768f))
            return float.IsNaN(scaled) ? (short)0 : short.MinValue;
        return scaled >= 32767f ? short.MaxValue : (short)scaled;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
