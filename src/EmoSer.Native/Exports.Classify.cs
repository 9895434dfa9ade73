using System.Runtime.InteropServices;
using EmoSer.Runtime;
using System.Globalization;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_pcm_f32")]
    public static int ClassifyPcmF32(nint model, float* samples, long frames, int sampleRate, int channels,
        ClassifyParamsAbi* parameters, float* probsOut, int probsLen, int* topIndexOut) =>
        ClassifyWithParams(model, samples, PcmSampleType.F32, frames, sampleRate, channels, parameters, probsOut, probsLen, topIndexOut);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_pcm_s16")]
    public static int ClassifyPcmS16(nint model, short* samples, long frames, int sampleRate, int channels,
        ClassifyParamsAbi* parameters, float* probsOut, int probsLen, int* topIndexOut) =>
        ClassifyWithParams(model, samples, PcmSampleType.S16, frames, sampleRate, channels, parameters, probsOut, probsLen, topIndexOut);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_f32")]
    public static int ClassifyF32(nint model, float* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut) =>
        Classify(model, samples, PcmSampleType.F32, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, null);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_s16")]
    public static int ClassifyS16(nint model, short* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut) =>
        Classify(model, samples, PcmSampleType.S16, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, null);

    /// <summary>The body of emoser_classify_pcm_f32 / _s16: the options come from the params struct.</summary>
    private static int ClassifyWithParams(nint model, void* samples, PcmSampleType type, long frames, int sampleRate, int channels,
        ClassifyParamsAbi* parameters, float* probsOut, int probsLen, int* topIndexOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            return ClassifyPcm(m, ReadClassifyParams(m, parameters), samples, type, frames, sampleRate, channels, probsOut, probsLen, topIndexOut);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// The body of the 0.2 emoser_classify_f32 / _s16 and their _profile variants: the options are the handle's
    /// (<paramref name="profile"/> null: no profile argument; a handle, even 0, is looked up and must fit the model).
    /// </summary>
    private static int Classify(nint model, void* samples, PcmSampleType type, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint? profile)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            return ClassifyPcm(m, HandleOptions(m, profile), samples, type, frames, sampleRate, channels, probsOut, probsLen, topIndexOut);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Classifies interleaved PCM with <paramref name="o"/>; throws on bad arguments (the callers turn that into a status).</summary>
    private static int ClassifyPcm(NativeModel m, ClassifyOptions o, void* samples, PcmSampleType type, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut)
    {
        int count = CheckClassifyArguments(m, samples, frames, sampleRate, channels, probsOut, probsLen);
        NativeProfile? p = o.Profile;
        if (p is not null)
            CheckProfileFits(p, m);
        using PcmInput input = PcmInput.Read(samples, type, count);
        // The runtime's span call writes the probabilities only once the classification succeeded.
        var probs = new Span<float>(probsOut, m.LabelCount);
        int top;
        p?.EnterRead();
        try
        {
            top = o.Classifier.Classify(input.Samples, channels, sampleRate, probs, p?.Profile);
        }
        finally
        {
            p?.ExitRead();
        }
        WriteTopIndex(m, probs, top, topIndexOut, o.MinConfidence);
        return (int)EmoserStatus.Ok;
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_audio_file")]
    public static int ClassifyAudioFile(nint model, byte* path, ClassifyParamsAbi* parameters, float* probsOut, int probsLen, int* topIndexOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            return ClassifyFile(m, ReadClassifyParams(m, parameters), path, probsOut, probsLen, topIndexOut);
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
            return ClassifyFile(m, HandleOptions(m, null), path, probsOut, probsLen, topIndexOut);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static int ClassifyFile(NativeModel m, ClassifyOptions o, byte* path, float* probsOut, int probsLen, int* topIndexOut)
    {
        RequireNotNull(path, "path");
        CheckProbsBuffer(m, probsOut, probsLen);
        string file = NativeString.Read(path);
        if (file.Length == 0)
            throw new NativeCallException(EmoserStatus.InvalidArgument, "path is empty");
        if (o.Profile is { } p)
            CheckProfileFits(p, m);
        RequireFile(file);
        AudioClip clip;
        try
        {
            // WAV, AIFF and FLAC, decoded by the runtime itself: the library never runs another program. At most the
            // handle's maximum duration: a longer file is refused from its header, before its samples are decoded.
            clip = AudioFile.Read(file, AudioFileOptions.BuiltIn with { MaxDurationSeconds = m.MaxDurationSeconds });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NativeCallException(EmoserStatus.IO, $"{file}: cannot read: {ErrorText.Describe(e)}");
        }
        CheckRatio(clip.SampleRate, m, file + ": sample rate");
        Classification c;
        o.Profile?.EnterRead();
        try
        {
            c = o.Classifier.Classify(clip, o.Profile?.Profile);
        }
        finally
        {
            o.Profile?.ExitRead();
        }
        return WriteClassification(c, probsOut, topIndexOut, o.MinConfidence);
    }

    /// <summary>Validates a classify call's buffer arguments; returns the interleaved sample count.</summary>
    private static int CheckClassifyArguments(NativeModel m, void* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen)
    {
        RequireNotNull(samples, "samples");
        CheckProbsBuffer(m, probsOut, probsLen);
        return CheckPcmArguments(m, samples, frames, sampleRate, channels);
    }

    /// <summary>
    /// Validates interleaved PCM arguments (classify and profile add) before any work: channels, a rate within
    /// <see cref="InputLimits"/> that the resampler can bring to the model's, and at most the handle's maximum
    /// duration. Returns the interleaved sample count.
    /// </summary>
    private static int CheckPcmArguments(NativeModel m, void* samples, long frames, int sampleRate, int channels)
    {
        RequireNotNull(samples, "samples");
        if (channels < 1 || channels > InputLimits.MaxChannels)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"channels must be in [1, {InputLimits.MaxChannels}], got {channels}");
        CheckSampleRate(sampleRate, "sample_rate");
        CheckRatio(sampleRate, m, "sample_rate");
        long maxFrames = (long)int.MaxValue / 2 / channels;
        if (frames < 1 || frames > maxFrames)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"n_frames must be in [1, {maxFrames}], got {frames}");
        double limit = m.MaxDurationSeconds;
        if (InputLimits.ExceedsDuration(frames, sampleRate, limit))
        {
            throw new NativeCallException(EmoserStatus.InvalidArgument, string.Create(CultureInfo.InvariantCulture,
                $"n_frames {frames} at {sampleRate} Hz are {(double)frames / sampleRate:0.#} s, longer than the model handle's maximum duration of {limit:0.###} s (emoser_model_set_max_duration)"));
        }
        return (int)(frames * channels);
    }

    /// <summary>Throws unless <paramref name="sampleRate"/> lies within <see cref="InputLimits"/>' range.</summary>
    private static void CheckSampleRate(int sampleRate, string name)
    {
        if (sampleRate < InputLimits.MinSampleRate || sampleRate > InputLimits.MaxSampleRate)
            throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"{name} must be in [{InputLimits.MinSampleRate}, {InputLimits.MaxSampleRate}], got {sampleRate}");
    }

    /// <summary>Throws unless the resampler can bring <paramref name="sampleRate"/> to the model's rate.</summary>
    private static void CheckRatio(int sampleRate, NativeModel m, string what)
    {
        if (!Resampler.SupportsRatio(sampleRate, m.Model.SampleRate))
            throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"{what} {sampleRate} Hz cannot be resampled to the model's {m.Model.SampleRate} Hz (ratio beyond 1:{Resampler.MaxRatio})");
    }

    private static void CheckProbsBuffer(NativeModel m, float* probsOut, int probsLen)
    {
        RequireNotNull(probsOut, "probs_out");
        if (probsLen < m.LabelCount)
            throw new NativeCallException(EmoserStatus.BufferTooSmall, $"probs_len is {probsLen} but the model has {m.LabelCount} labels");
    }

    /// <summary>The <c>top_index_out</c> of a classification below the model's minimum confidence (<c>EMOSER_LABEL_UNCERTAIN</c>).</summary>
    public const int UncertainIndex = -2;

    private static int WriteClassification(Classification c, float* probsOut, int* topIndexOut, float minConfidence)
    {
        c.Probabilities.CopyTo(new Span<float>(probsOut, c.Probabilities.Length));
        if (topIndexOut != null)
            *topIndexOut = c.WithMinConfidence(minConfidence).IsUncertain ? UncertainIndex : c.TopIndex;
        return (int)EmoserStatus.Ok;
    }

    /// <summary>The <c>top_index_out</c> of a span classification: the runtime's minimum-confidence rule, as classify --min-confidence and the HTTP API apply it.</summary>
    private static void WriteTopIndex(NativeModel m, ReadOnlySpan<float> probs, int top, int* topIndexOut, float minConfidence)
    {
        if (topIndexOut != null)
            *topIndexOut = Classification.IsUncertainAt(probs[top], minConfidence, m.Model.Labels) ? UncertainIndex : top;
    }
}
