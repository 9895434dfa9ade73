using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    private static readonly HandleTable<NativeProfile> s_profiles = new(HandleKinds.Profile, "profile");

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_new")]
    public static int ProfileNew(nint model, nint* profileOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(profileOut, "profile_out");
            *profileOut = s_profiles.Add(new NativeProfile(m));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_add_f32")]
    public static int ProfileAddF32(nint profile, float* samples, long frames, int sampleRate, int channels, int* addedOut) =>
        ProfileAdd(profile, samples, PcmSampleType.F32, frames, sampleRate, channels, addedOut);

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_add_s16")]
    public static int ProfileAddS16(nint profile, short* samples, long frames, int sampleRate, int channels, int* addedOut) =>
        ProfileAdd(profile, samples, PcmSampleType.S16, frames, sampleRate, channels, addedOut);

    /// <summary>The body of emoser_profile_add_f32 and _s16.</summary>
    private static int ProfileAdd(nint profile, void* samples, PcmSampleType type, long frames, int sampleRate, int channels, int* addedOut)
    {
        try
        {
            NativeProfile p = s_profiles.Get(profile);
            int count = CheckPcmArguments(p.Model, samples, frames, sampleRate, channels);
            using PcmInput input = PcmInput.Read(samples, type, count);
            p.EnterWrite();
            bool added;
            try
            {
                added = p.Model.Classifier.Enroll(input.Samples, channels, sampleRate, p.Profile);
            }
            finally
            {
                p.ExitWrite();
            }
            if (addedOut != null)
                *addedOut = added ? 1 : 0;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_count")]
    public static int ProfileCount(nint profile, long* countOut)
    {
        try
        {
            NativeProfile p = s_profiles.Get(profile);
            RequireNotNull(countOut, "count_out");
            p.EnterRead();
            try
            {
                *countOut = p.Profile.Count;
            }
            finally
            {
                p.ExitRead();
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_free")]
    public static int ProfileFree(nint profile)
    {
        try
        {
            s_profiles.Remove(profile);
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_save")]
    public static int ProfileSave(nint profile, byte* path)
    {
        try
        {
            NativeProfile p = s_profiles.Get(profile);
            string file = RequirePath(path);
            SpeakerProfile copy = p.Snapshot();
            try
            {
                SpeakerProfileFile.ForModel(p.Model.Model, copy).Save(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NativeCallException(EmoserStatus.IO, $"{file}: cannot write: {ErrorText.Describe(e)}");
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_load")]
    public static int ProfileLoad(nint model, byte* path, nint* profileOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            string file = RequirePath(path);
            RequireNotNull(profileOut, "profile_out");
            SpeakerProfileFile loaded;
            try
            {
                loaded = SpeakerProfileFile.Load(file);
            }
            catch (SpeakerProfileFormatException e)
            {
                // The loader reports unreadable files the same way; the inner exception tells them from bad content.
                bool io = e.InnerException is IOException or UnauthorizedAccessException;
                throw new NativeCallException(io ? EmoserStatus.IO : EmoserStatus.ProfileFormat, e.Message);
            }
            if (loaded.Mismatch(m.Model) is { } problem)
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"{file}: {problem}");
            *profileOut = s_profiles.Add(new NativeProfile(m, loaded.Profile));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static string RequirePath(byte* path)
    {
        RequireNotNull(path, "path");
        string file = NativeString.Read(path);
        if (file.Length == 0)
            throw new NativeCallException(EmoserStatus.InvalidArgument, "path is empty");
        return file;
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_f32_profile")]
    public static int ClassifyF32Profile(nint model, float* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint profile) =>
        Classify(model, samples, PcmSampleType.F32, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, profile);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_s16_profile")]
    public static int ClassifyS16Profile(nint model, short* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint profile) =>
        Classify(model, samples, PcmSampleType.S16, frames, sampleRate, channels, probsOut, probsLen, topIndexOut, profile);

    private static void CheckProfileFits(NativeProfile p, NativeModel m)
    {
        if (p.MismatchWith(m) is { } problem)
            throw new NativeCallException(EmoserStatus.InvalidArgument, problem);
    }
}
