using System.Buffers;

namespace EmoSer.Native;

/// <summary>How the samples of a <c>_f32</c> or <c>_s16</c> entry point are encoded.</summary>
internal enum PcmSampleType
{
    /// <summary>32-bit float, nominally in [-1, 1].</summary>
    F32,

    /// <summary>16-bit signed integer.</summary>
    S16,
}

/// <summary>
/// Interleaved PCM from a C caller as float samples, so each pair of <c>_f32</c> / <c>_s16</c> entry points shares one
/// body: f32 is used in place once it is known to be finite; s16 is scaled by 1/32768 into a pooled buffer (the one
/// place a 16-bit classify or profile call converts). Dispose returns the buffer.
/// </summary>
internal readonly unsafe ref struct PcmInput
{
    private readonly float[]? _pooled;

    private PcmInput(ReadOnlySpan<float> samples, float[]? pooled)
    {
        Samples = samples;
        _pooled = pooled;
    }

    /// <summary>The interleaved samples as floats.</summary>
    public ReadOnlySpan<float> Samples { get; }

    /// <summary>Reads <paramref name="count"/> interleaved samples of <paramref name="type"/> at <paramref name="samples"/> (already checked non-null).</summary>
    /// <exception cref="NativeCallException">A float sample is NaN, infinite or beyond the magnitude bound.</exception>
    public static PcmInput Read(void* samples, PcmSampleType type, int count)
    {
        if (type == PcmSampleType.F32)
        {
            var input = new ReadOnlySpan<float>(samples, count);
            Pcm.RequireValid(input, "samples");
            return new PcmInput(input, null);
        }
        float[] pooled = ArrayPool<float>.Shared.Rent(count);
        Pcm.S16ToFloat(new ReadOnlySpan<short>(samples, count), pooled);
        return new PcmInput(pooled.AsSpan(0, count), pooled);
    }

    /// <summary>Returns the conversion buffer, if any.</summary>
    public void Dispose()
    {
        if (_pooled is not null)
            ArrayPool<float>.Shared.Return(_pooled);
    }
}
