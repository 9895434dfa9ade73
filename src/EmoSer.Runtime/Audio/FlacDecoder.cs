using System.Buffers.Binary;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Decodes a native FLAC stream (RFC 9639) held in memory: every subframe type (constant, verbatim, fixed
/// predictors 0..4, LPC orders 1..32), Rice and escaped residuals, wasted bits, and the three stereo decorrelations,
/// 4..32 bits per sample, 1..8 channels. Each frame's header CRC-8 and CRC-16 are checked. Samples are scaled as the
/// WAV reader scales the same integers (v / 2^(bits−1)), so a FLAC decodes bit-exactly to the floats of its WAV.
/// Spec and limits: docs/audio-input.md.
/// </summary>
/// <remarks>
/// Hostile input: work per frame is bounded by its block size (at most 65535) times the predictor order (at most 32),
/// a frame needs at least a few input bytes, and the decoded length is bounded by <c>maxFrames</c>, so neither the
/// work nor the memory can exceed a bound set by the caller whatever the header values say; the sample array grows
/// as frames actually decode. A stream whose rate, channel count or sample size changes between frames is refused.
/// </remarks>
internal static class FlacDecoder
{
    private const int MaxBlockSize = 65535;
    private const int InitialSamples = 1 << 16;

    /// <summary>True when <paramref name="head"/> starts a FLAC stream (<c>fLaC</c>, possibly after an ID3v2 tag).</summary>
    public static bool IsFlac(ReadOnlySpan<byte> head)
    {
        int start = Id3v2Length(head);
        return head.Length >= start + 4 && head.Slice(start, 4).SequenceEqual("fLaC"u8);
    }

    /// <summary>Length of an ID3v2 tag at the start of <paramref name="data"/> (0 without one).</summary>
    public static int Id3v2Length(ReadOnlySpan<byte> data)
    {
        if (data.Length < 10 || !data.StartsWith("ID3"u8) || ((data[6] | data[7] | data[8] | data[9]) & 0x80) != 0)
            return 0;
        int size = data[6] << 21 | data[7] << 14 | data[8] << 7 | data[9];
        bool footer = (data[5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    /// <summary>Decodes a whole FLAC file.</summary>
    /// <param name="file">The file's bytes.</param>
    /// <param name="inputName">Name used in error messages.</param>
    /// <param name="maxSeconds">Longest audio decoded: a longer stream is an <see cref="AudioTooLongException"/>, from STREAMINFO's
    /// declared length before decoding, or as frames decode when the length is unknown.</param>
    /// <exception cref="AudioFormatException">The bytes are not a well-formed FLAC stream, or hold no samples.</exception>
    public static AudioClip Decode(ReadOnlySpan<byte> file, string inputName, double maxSeconds)
    {
        int position = Id3v2Length(file);
        if (file.Length < position + 4 || !file.Slice(position, 4).SequenceEqual("fLaC"u8))
            throw new AudioFormatException(inputName, "not a FLAC file: no 'fLaC' marker");
        position += 4;
        StreamInfo info = ReadMetadata(file, ref position, inputName);
        long maxFrames = InputLimits.MaxFrames(info.SampleRate, maxSeconds);
        long limit = Math.Min(maxFrames, Array.MaxLength / info.Channels);

        var state = new DecodeState(info, inputName);
        long declared = info.TotalFrames;
        if (declared > maxFrames)
            throw new AudioTooLongException(inputName, (double)declared / info.SampleRate, maxSeconds);
        // Reserve from the declared length only up to a modest size: a header cannot make us allocate much.
        float[] samples = new float[(int)Math.Min(declared > 0 ? Math.Min(declared, limit) * info.Channels : InitialSamples, InitialSamples * 16)];
        long frames = 0;
        int frameNumber = 0;
        while (position < file.Length)
        {
            ReadOnlySpan<byte> rest = file[position..];
            if (rest.Length < 2 || rest[0] != 0xFF || (rest[1] & 0xFE) != 0xF8)
            {
                // Trailing bytes after a complete stream (an ID3v1 tag, padding) are not audio.
                if (frameNumber > 0 && (declared == 0 || frames >= declared))
                    break;
                throw new AudioFormatException(inputName, $"no FLAC frame sync at byte {position} (frame {frameNumber})");
            }
            int blockSize = state.DecodeFrame(rest, frameNumber, position, out int frameLength);
            if (frames + blockSize > limit)
                throw limit == maxFrames ? new AudioTooLongException(inputName, null, maxSeconds)
                    : new AudioFormatException(inputName, $"too long: more than {Array.MaxLength} samples do not fit in memory");
            long needed = (frames + blockSize) * info.Channels;
            if (needed > samples.Length)
                Array.Resize(ref samples, (int)Math.Min(Math.Max(needed, (long)samples.Length * 2), Array.MaxLength));
            state.WriteInterleaved(blockSize, samples.AsSpan((int)(frames * info.Channels), blockSize * info.Channels));
            frames += blockSize;
            position += frameLength;
            frameNumber++;
        }
        if (declared > 0 && frames < declared)
            throw new AudioFormatException(inputName, $"truncated: STREAMINFO declares {declared} frames, the stream holds {frames}");
        if (frames == 0)
            throw new AudioFormatException(inputName, "no audio samples (0 frames)");
        if (samples.Length != frames * info.Channels)
            Array.Resize(ref samples, (int)(frames * info.Channels));
        return new AudioClip(samples, info.SampleRate, info.Channels);
    }

    /// <summary>What STREAMINFO says. <see cref="TotalFrames"/> is 0 when unknown.</summary>
    internal readonly record struct StreamInfo(int SampleRate, int Channels, int BitsPerSample, long TotalFrames);

    private static StreamInfo ReadMetadata(ReadOnlySpan<byte> file, ref int position, string inputName)
    {
        StreamInfo? info = null;
        while (true)
        {
            if (file.Length - position < 4)
                throw new AudioFormatException(inputName, $"truncated: the input ends inside the metadata (byte {position})");
            byte header = file[position];
            int type = header & 0x7F;
            int length = file[position + 1] << 16 | file[position + 2] << 8 | file[position + 3];
            if (type == 127)
                throw new AudioFormatException(inputName, $"invalid metadata block type 127 at byte {position}");
            if (file.Length - position - 4 < length)
                throw new AudioFormatException(inputName, $"truncated: metadata block at byte {position} declares {length} bytes, {file.Length - position - 4} follow");
            ReadOnlySpan<byte> body = file.Slice(position + 4, length);
            if (info is null)
            {
                if (type != 0)
                    throw new AudioFormatException(inputName, $"the first metadata block is of type {type}, not STREAMINFO");
                info = ParseStreamInfo(body, inputName);
            }
            else if (type == 0)
            {
                throw new AudioFormatException(inputName, $"second STREAMINFO block at byte {position}");
            }
            position += 4 + length;
            if ((header & 0x80) != 0)
                return info.Value;
        }
    }

    private static StreamInfo ParseStreamInfo(ReadOnlySpan<byte> b, string inputName)
    {
        if (b.Length < 34)
            throw new AudioFormatException(inputName, $"STREAMINFO too small ({b.Length} bytes, need 34)");
        int maxBlock = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
        ulong packed = BinaryPrimitives.ReadUInt64BigEndian(b[10..]);
        int rate = (int)(packed >> 44);
        int channels = (int)((packed >> 41) & 7) + 1;
        int bits = (int)((packed >> 36) & 31) + 1;
        long total = (long)(packed & 0xF_FFFF_FFFF);
        if (rate == 0)
            throw new AudioFormatException(inputName, "zero sample rate in STREAMINFO");
        if (InputLimits.SampleRateProblem(rate) is { } rateProblem)
            throw new AudioFormatException(inputName, rateProblem);
        if (bits < 4)
            throw new AudioFormatException(inputName, $"unsupported sample size {bits} bits in STREAMINFO (FLAC allows 4..32)");
        if (maxBlock is > 0 and < 16)
            throw new AudioFormatException(inputName, $"invalid maximum block size {maxBlock} in STREAMINFO");
        return new StreamInfo(rate, channels, bits, total);
    }

    /// <summary>Per-stream decoding state: the channel buffers of the current frame, reused from frame to frame.</summary>
    private sealed class DecodeState(StreamInfo info, string inputName)
    {
        private readonly long[][] _channels = new long[info.Channels][];
        private readonly long[] _coefficients = new long[32];
        private readonly float _scale = 1f / (1L << (info.BitsPerSample - 1));
        private int _frame;         // the frame being decoded, for error messages
        private long _offset;       // its byte offset in the file

        /// <summary>Decodes the frame at the start of <paramref name="data"/> into the channel buffers.</summary>
        /// <returns>The frame's block size; <paramref name="frameLength"/> gets its length in bytes.</returns>
        public int DecodeFrame(ReadOnlySpan<byte> data, int frameNumber, long fileOffset, out int frameLength)
        {
            (_frame, _offset) = (frameNumber, fileOffset);
            int headerLength = ReadFrameHeader(data, out int blockSize, out int assignment);
            var bits = new FlacBitReader(data[headerLength..]);
            int bps = info.BitsPerSample;
            for (int ch = 0; ch < info.Channels; ch++)
            {
                // The side channel carries one more bit than the others.
                bool side = (assignment == 8 && ch == 1) || (assignment == 9 && ch == 0) || (assignment == 10 && ch == 1);
                long[] buffer = _channels[ch] is { } existing && existing.Length >= blockSize ? existing : (_channels[ch] = new long[Math.Max(blockSize, 4096)]);
                DecodeSubframe(ref bits, buffer.AsSpan(0, blockSize), side ? bps + 1 : bps, ch);
                if (bits.Overrun)
                    throw Truncated();
            }
            bits.AlignToByte();
            int footer = headerLength + bits.BytePosition;
            if (data.Length < footer + 2)
                throw Truncated();
            ushort expected = BinaryPrimitives.ReadUInt16BigEndian(data[footer..]);
            if (FlacCrc.Crc16(data[..footer]) != expected)
                throw Corrupt("CRC-16 mismatch");
            frameLength = footer + 2;
            Decorrelate(assignment, blockSize);
            return blockSize;
        }

        /// <summary>Writes the frame's samples interleaved and scaled to [-1, 1).</summary>
        public void WriteInterleaved(int blockSize, Span<float> destination)
        {
            int channels = info.Channels;
            for (int ch = 0; ch < channels; ch++)
            {
                ReadOnlySpan<long> source = _channels[ch].AsSpan(0, blockSize);
                for (int i = 0, o = ch; i < source.Length; i++, o += channels)
                    destination[o] = (float)source[i] * _scale;
            }
        }

        private int ReadFrameHeader(ReadOnlySpan<byte> data, out int blockSize, out int assignment)
        {
            if (data.Length < 6)
                throw Truncated();
            int blockCode = data[2] >> 4, rateCode = data[2] & 15;
            assignment = data[3] >> 4;
            int sizeCode = (data[3] >> 1) & 7;
            if ((data[3] & 1) != 0 || sizeCode == 3 || rateCode == 15 || blockCode == 0 || assignment > 10)
                throw Corrupt("reserved value in the frame header");
            // The coded frame or sample number: a UTF-8-like sequence of 1..7 bytes.
            int position = 4;
            int lead = data[position];
            int extra = lead < 0x80 ? 0 : lead < 0xC0 ? -1 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : lead < 0xF8 ? 3 : lead < 0xFC ? 4 : lead < 0xFE ? 5 : lead == 0xFE ? 6 : -1;
            if (extra < 0)
                throw Corrupt("invalid coded frame number");
            position++;
            for (int i = 0; i < extra; i++, position++)
            {
                if (position >= data.Length)
                    throw Truncated();
                if ((data[position] & 0xC0) != 0x80)
                    throw Corrupt("invalid coded frame number");
            }
            int explicitBlock = blockCode == 6 ? 1 : blockCode == 7 ? 2 : 0;
            int explicitRate = rateCode == 12 ? 1 : rateCode is 13 or 14 ? 2 : 0;
            if (data.Length < position + explicitBlock + explicitRate + 1)
                throw Truncated();
            blockSize = blockCode switch
            {
                1 => 192,
                >= 2 and <= 5 => 576 << (blockCode - 2),
                6 => data[position] + 1,
                7 => (data[position] << 8 | data[position + 1]) + 1,
                _ => 256 << (blockCode - 8),
            };
            position += explicitBlock;
            int rate = rateCode switch
            {
                0 => info.SampleRate,
                1 => 88200, 2 => 176400, 3 => 192000, 4 => 8000, 5 => 16000, 6 => 22050, 7 => 24000,
                8 => 32000, 9 => 44100, 10 => 48000, 11 => 96000,
                12 => data[position] * 1000,
                13 => data[position] << 8 | data[position + 1],
                _ => (data[position] << 8 | data[position + 1]) * 10,
            };
            position += explicitRate;
            if (FlacCrc.Crc8(data[..position]) != data[position])
                throw Corrupt("header CRC-8 mismatch");
            position++;
            if (blockSize > MaxBlockSize)
                throw Corrupt($"block size {blockSize} above {MaxBlockSize}");
            int channels = assignment <= 7 ? assignment + 1 : 2;
            int bps = sizeCode switch { 0 => info.BitsPerSample, 1 => 8, 2 => 12, 4 => 16, 5 => 20, 6 => 24, _ => 32 };
            if (channels != info.Channels || bps != info.BitsPerSample || rate != info.SampleRate)
                throw new AudioFormatException(inputName,
                    $"frame {_frame} at byte {_offset} changes the stream's format ({channels} channels, {bps} bits, {rate} Hz; STREAMINFO: {info.Channels}, {info.BitsPerSample}, {info.SampleRate}): not supported");
            return position;
        }

        private void DecodeSubframe(ref FlacBitReader bits, Span<long> output, int bps, int channel)
        {
            uint header = bits.ReadBits(8);
            if ((header & 0x80) != 0)
                throw Corrupt($"channel {channel}: subframe padding bit set");
            int type = (int)(header >> 1) & 0x3F;
            int wasted = 0;
            if ((header & 1) != 0)
            {
                wasted = (int)bits.ReadUnary() + 1;
                if (wasted >= bps)
                    throw Corrupt($"{wasted} wasted bits of a {bps}-bit subframe");
                bps -= wasted;
            }
            if (type == 0)
            {
                output.Fill(bits.ReadSigned(bps));
            }
            else if (type == 1)
            {
                for (int i = 0; i < output.Length && !bits.Overrun; i++)
                    output[i] = bits.ReadSigned(bps);
            }
            else if (type is >= 8 and <= 12)
            {
                int order = type - 8;
                ReadWarmUp(ref bits, output, order, bps);
                ReadResidual(ref bits, output, order);
                RestoreFixed(output, order);
            }
            else if (type >= 32)
            {
                int order = type - 31;
                ReadWarmUp(ref bits, output, order, bps);
                int precision = (int)bits.ReadBits(4) + 1;
                if (precision == 16)
                    throw Corrupt("invalid LPC coefficient precision");
                int shift = (int)bits.ReadSigned(5);
                if (shift < 0)
                    throw Corrupt("negative LPC shift");
                for (int i = 0; i < order; i++)
                    _coefficients[i] = bits.ReadSigned(precision);
                ReadResidual(ref bits, output, order);
                RestoreLpc(output, _coefficients.AsSpan(0, order), shift);
            }
            else
            {
                throw Corrupt($"channel {channel}: reserved subframe type {type}");
            }
            if (wasted > 0)
            {
                for (int i = 0; i < output.Length; i++)
                    output[i] <<= wasted;
            }
        }

        private void ReadWarmUp(ref FlacBitReader bits, Span<long> output, int order, int bps)
        {
            if (order > output.Length)
                throw Corrupt($"predictor order {order} above the block size {output.Length}");
            for (int i = 0; i < order; i++)
                output[i] = bits.ReadSigned(bps);
        }

        private void ReadResidual(ref FlacBitReader bits, Span<long> output, int order)
        {
            uint method = bits.ReadBits(2);
            if (method > 1)
                throw Corrupt("reserved residual coding method");
            int parameterBits = method == 0 ? 4 : 5;
            uint escape = method == 0 ? 15u : 31u;
            int partitionOrder = (int)bits.ReadBits(4);
            int partitions = 1 << partitionOrder;
            int perPartition = output.Length >> partitionOrder;
            if ((output.Length & (partitions - 1)) != 0 || perPartition < order || (partitionOrder > 0 && perPartition == 0))
                throw Corrupt($"residual partition order {partitionOrder} does not fit the block size {output.Length}");
            int index = order;
            for (int p = 0; p < partitions && !bits.Overrun; p++)
            {
                int count = p == 0 ? perPartition - order : perPartition;
                uint parameter = bits.ReadBits(parameterBits);
                if (parameter == escape)
                {
                    int width = (int)bits.ReadBits(5);
                    for (int i = 0; i < count; i++)
                        output[index++] = bits.ReadSigned(width);
                    continue;
                }
                // A residual must fit in 32 bits: bounds the quotient, so no unary run can overflow the value.
                uint maxQuotient = uint.MaxValue >> (int)parameter;
                for (int i = 0; i < count; i++)
                {
                    uint quotient = bits.ReadUnary();
                    if (quotient > maxQuotient)
                        throw Corrupt("residual out of range");
                    uint folded = quotient << (int)parameter | bits.ReadBits((int)parameter);
                    output[index++] = (long)(folded >> 1) ^ -(long)(folded & 1);
                }
            }
        }

        private static void RestoreFixed(Span<long> s, int order)
        {
            switch (order)
            {
                case 1:
                    for (int i = 1; i < s.Length; i++)
                        s[i] += s[i - 1];
                    break;
                case 2:
                    for (int i = 2; i < s.Length; i++)
                        s[i] += 2 * s[i - 1] - s[i - 2];
                    break;
                case 3:
                    for (int i = 3; i < s.Length; i++)
                        s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3];
                    break;
                case 4:
                    for (int i = 4; i < s.Length; i++)
                        s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4];
                    break;
            }
        }

        private static void RestoreLpc(Span<long> s, ReadOnlySpan<long> coefficients, int shift)
        {
            int order = coefficients.Length;
            for (int i = order; i < s.Length; i++)
            {
                long sum = 0;
                for (int j = 0; j < order; j++)
                    sum += coefficients[j] * s[i - 1 - j];
                s[i] += sum >> shift;
            }
        }

        private void Decorrelate(int assignment, int blockSize)
        {
            if (assignment >= 8)
            {
                Span<long> a = _channels[0].AsSpan(0, blockSize), b = _channels[1].AsSpan(0, blockSize);
                for (int i = 0; i < blockSize; i++)
                {
                    switch (assignment)
                    {
                        case 8: b[i] = a[i] - b[i]; break;                 // left, side -> left, right
                        case 9: a[i] += b[i]; break;                       // side, right -> left, right
                        default:                                           // mid, side -> left, right
                            long mid = a[i] << 1 | (b[i] & 1), side = b[i];
                            a[i] = (mid + side) >> 1;
                            b[i] = (mid - side) >> 1;
                            break;
                    }
                }
            }
            long max = (1L << (info.BitsPerSample - 1)) - 1, min = -max - 1;
            for (int ch = 0; ch < info.Channels; ch++)
            {
                foreach (long v in _channels[ch].AsSpan(0, blockSize))
                {
                    if (v < min || v > max)
                        throw Corrupt($"a decoded sample lies outside {info.BitsPerSample}-bit range");
                }
            }
        }

        private AudioFormatException Truncated() =>
            new(inputName, $"truncated: the input ends inside frame {_frame} (at byte {_offset})");

        private AudioFormatException Corrupt(string problem) =>
            new(inputName, $"corrupt frame {_frame} at byte {_offset}: {problem}");
    }
}
