using System.Buffers;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Incremental reader for live input (e.g. <c>emoser stream</c> on stdin): parses a WAV header or takes raw
/// PCM parameters, then hands out mono frames as they arrive, using a fixed-size buffer (constant memory).
/// </summary>
/// <remarks>
/// A partial frame at the end of the stream is dropped (a capture cut off mid-frame is normal for live input).
/// A WAV whose data chunk declares more bytes than the stream delivers raises "truncated data"; streaming
/// writers' placeholder sizes (0 / 0xFFFFFFFF) mean "read to end of stream". <see cref="Dispose"/> returns the
/// buffers; it does not close the stream, which the caller owns. Not thread-safe.
/// </remarks>
public sealed class PcmStreamReader : IDisposable
{
    private const int BufferBytes = 16 * 1024;

    private readonly Stream _stream;
    private readonly string _inputName;
    private readonly SampleEncoding _encoding;
    private readonly int _frameBytes;
    private readonly int _bufferFrames;
    private byte[]? _bytes;
    private float[]? _samples;
    private long _remaining;
    private int _carried;
    private bool _ended;

    private PcmStreamReader(Stream stream, string inputName, SampleEncoding encoding, int sampleRate, int channels, long dataLength)
    {
        _stream = stream;
        _inputName = inputName;
        _encoding = encoding;
        SampleRate = sampleRate;
        Channels = channels;
        _frameBytes = channels * SampleDecoder.BytesPerSample(encoding);
        _remaining = dataLength;
        _bufferFrames = Math.Max(BufferBytes / _frameBytes, 1);
        int bytes = _bufferFrames * _frameBytes;
        _bytes = ArrayPool<byte>.Shared.Rent(bytes);
        _samples = ArrayPool<float>.Shared.Rent(bytes / SampleDecoder.BytesPerSample(encoding));
    }

    /// <summary>Frames per second of the input.</summary>
    public int SampleRate { get; }

    /// <summary>Channels of the input (frames are averaged to mono by <see cref="ReadMono"/>).</summary>
    public int Channels { get; }

    /// <summary>Frames handed out so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>Reads the WAV header from <paramref name="stream"/> and returns a reader positioned at the samples.</summary>
    /// <exception cref="AudioFormatException">The header is not a supported, well-formed WAV header.</exception>
    public static PcmStreamReader OpenWav(Stream stream, string inputName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        WavDataFormat format = WavHeaderParser.ReadHeader(stream, inputName);
        return new PcmStreamReader(stream, inputName, format.Encoding, format.SampleRate, format.Channels, format.DataLength);
    }

    /// <summary>Wraps headerless PCM of the given format, rate (<see cref="InputLimits.MinSampleRate"/>..<see cref="InputLimits.MaxSampleRate"/>) and channel count (1..64).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Rate, channel count or format out of range.</exception>
    public static PcmStreamReader OpenRaw(Stream stream, RawPcmFormat format, int sampleRate, int channels, string inputName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(inputName);
        SampleEncoding encoding = RawPcmReader.ToEncoding(format);
        RawPcmReader.ValidateLayout(sampleRate, channels);
        return new PcmStreamReader(stream, inputName, encoding, sampleRate, channels, -1);
    }

    /// <summary>
    /// Blocks until at least one whole frame is available (or the stream ends), then writes up to
    /// <c>destination.Length</c> mono frames (channel average). Returns the frames written; 0 only at end of stream.
    /// </summary>
    /// <exception cref="AudioFormatException">The declared WAV data ends early, or a float sample is NaN, infinite or beyond <see cref="InputLimits.MaxSampleMagnitude"/>.</exception>
    public int ReadMono(Span<float> destination)
    {
        byte[] bytes = _bytes ?? throw new ObjectDisposedException(nameof(PcmStreamReader));
        float[] samples = _samples!;
        if (destination.IsEmpty || _ended)
            return 0;
        int maxFrames = Math.Min(destination.Length, _bufferFrames);
        int bytesPerSample = SampleDecoder.BytesPerSample(_encoding);
        while (true)
        {
            int have = _carried;
            long want = (long)maxFrames * _frameBytes - have;
            if (_remaining >= 0)
                want = Math.Min(want, _remaining);
            int n = want > 0 ? _stream.Read(bytes, have, (int)want) : 0;
            if (n <= 0)
            {
                _ended = true;
                if (_remaining > 0)
                    throw new AudioFormatException(_inputName, $"truncated data: stream ended {_remaining} bytes before the end of the declared data chunk");
                return 0;
            }
            if (_remaining >= 0)
                _remaining -= n;
            have += n;
            int frames = have / _frameBytes;
            if (frames == 0)
            {
                _carried = have;
                continue;
            }
            int sampleCount = frames * Channels;
            Span<float> decoded = samples.AsSpan(0, sampleCount);
            SampleDecoder.Decode(bytes.AsSpan(0, sampleCount * bytesPerSample), _encoding, decoded);
            if (SampleDecoder.IsFloat(_encoding) && InputLimits.IndexOfInvalidSample(decoded) is int bad and >= 0)
                throw new AudioFormatException(_inputName, InputLimits.InvalidSampleProblem(decoded, bad, Channels, FramesRead));
            ChannelMixer.AverageToMono(decoded, Channels, destination);
            _carried = have - frames * _frameBytes;
            if (_carried > 0)
                Buffer.BlockCopy(bytes, frames * _frameBytes, bytes, 0, _carried);
            FramesRead += frames;
            return frames;
        }
    }

    /// <summary>Returns the pooled buffers. The stream is not closed.</summary>
    public void Dispose()
    {
        if (_bytes is { } b)
            ArrayPool<byte>.Shared.Return(b);
        if (_samples is { } s)
            ArrayPool<float>.Shared.Return(s);
        _bytes = null;
        _samples = null;
    }
}
