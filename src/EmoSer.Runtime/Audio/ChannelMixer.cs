namespace EmoSer.Runtime.Audio;

/// <summary>Down-mixes interleaved frames to mono the way numpy's float32 mean over the channel axis does.</summary>
internal static class ChannelMixer
{
    /// <summary>mono[f] = (x[f,0] + x[f,1] + ...) / channels, summed in channel order in float32.</summary>
    public static void AverageToMono(ReadOnlySpan<float> interleaved, int channels, Span<float> mono)
    {
        int frames = interleaved.Length / channels;
        if (mono.Length < frames)
            throw new ArgumentException("Destination is shorter than the frame count.", nameof(mono));
        if (channels == 1)
        {
            interleaved[..frames].CopyTo(mono);
            return;
        }
        float divisor = channels;
        if (channels == 2)
        {
            for (int f = 0; f < frames; f++)
                mono[f] = (interleaved[2 * f] + interleaved[2 * f + 1]) / divisor;
            return;
        }
        for (int f = 0, i = 0; f < frames; f++)
        {
            float sum = 0f;
            for (int c = 0; c < channels; c++)
                sum += interleaved[i++];
            mono[f] = sum / divisor;
        }
    }
}
