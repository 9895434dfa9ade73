using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_f32")]
    public static int ClassifyF32(nint model, float* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut) =>
        Classify(model, samples, PcmSampleType.F32, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, null);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_s16")]
    public static int ClassifyS16(nint model, short* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut) =>
        Classify(model, samples, PcmSampleType.S16, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, null);

    /// <summary>
    /// The body of emoser_classify_f32 / _s16 and their _profile variants (<paramref name="profile"/> null: no profile
    /// argument; a handle, even 0, is looked up and must fit the model).
    /// </summary>
    private static int Classify(nint model, void* samples, PcmSampleType type, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint? profile)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            NativeProfile? p = profile is { } handle ? s_profiles.Get(handle) : null;
            int count = CheckClassifyArguments(m, samples, frames, sampleRate, channels, probsOut, probsLen);
            if (p is not null)
                CheckProfileFits(p, m);
            using PcmInput input = PcmInput.Read(samples, type, count);
            if (p is null)
                return WriteClassification(m.Classify(input.Samples, (int)frames, sampleRate, channels), probsOut, topIndexOut);
            Classification c;
            p.EnterRead();
            try
            {
                c = m.Classify(input.Samples, (int)frames, sampleRate, channels, p.Profile);
            }
            finally
            {
                p.ExitRead();
            }
            return WriteClassification(c, probsOut, topIndexOut);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_file")]
    public static int ClassifyFile(nint model, byte* path, float* probsOut, int probsLen, int* topIndexOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(path, "path");
            CheckProbsBuffer(m, probsOut, probsLen);
            string file = NativeString.Read(path);
            if (file.Length == 0)
                throw new NativeCallException(EmoserStatus.InvalidArgument, "path is empty");
            RequireFile(file);
            // WAV, AIFF and FLAC, decoded by the runtime itself: the library never runs another program.
            AudioClip clip = AudioFile.Read(file, AudioFileOptions.BuiltIn);
            return WriteClassification(m.Classifier.Classify(clip), probsOut, topIndexOut);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Validates a classify call's buffer arguments; returns the interleaved sample count.</summary>
    private static int CheckClassifyArguments(NativeModel m, void* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen)
    {
        RequireNotNull(samples, "samples");
        CheckProbsBuffer(m, probsOut, probsLen);
        return CheckPcmArguments(samples, frames, sampleRate, channels);
    }

    /// <summary>Validates interleaved PCM arguments (classify and profile add); returns the interleaved sample count.</summary>
    private static int CheckPcmArguments(void* samples, long frames, int sampleRate, int channels)
    {
        RequireNotNull(samples, "samples");
        if (channels < 1 || channels > NativeModel.MaxChannels)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"channels must be in [1, {NativeModel.MaxChannels}], got {channels}");
        if (sampleRate < NativeModel.MinSampleRate || sampleRate > NativeModel.MaxSampleRate)
            throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"sample_rate must be in [{NativeModel.MinSampleRate}, {NativeModel.MaxSampleRate}], got {sampleRate}");
        long maxFrames = (long)int.MaxValue / 2 / channels;
        if (frames < 1 || frames > maxFrames)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"n_frames must be in [1, {maxFrames}], got {frames}");
        return (int)(frames * channels);
    }

    private static void CheckProbsBuffer(NativeModel m, float* probsOut, int probsLen)
    {
        RequireNotNull(probsOut, "probs_out");
        if (probsLen < m.LabelCount)
            throw new NativeCallException(EmoserStatus.BufferTooSmall, $"probs_len is {probsLen} but the model has {m.LabelCount} labels");
    }

    private static int WriteClassification(Classification c, float* probsOut, int* topIndexOut)
    {
        float[] probs = c.Probabilities;
        int top = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            probsOut[i] = probs[i];
            if (probs[i] > probs[top])
                top = i;
        }
        if (topIndexOut != null)
            *topIndexOut = top;
        return (int)EmoserStatus.Ok;
    }
}
