using System.Runtime.InteropServices;
using EmoSer.Runtime;

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
    public static int ProfileAddF32(nint profile, float* samples, long frames, int sampleRate, int channels, int* addedOut)
    {
        try
        {
            NativeProfile p = s_profiles.Get(profile);
            int count = CheckPcmArguments(samples, frames, sampleRate, channels);
            var input = new ReadOnlySpan<float>(samples, count);
            Pcm.RequireFinite(input, "samples");
            p.EnterWrite();
            bool added;
            try
            {
                added = p.Model.Enroll(input, (int)frames, sampleRate, channels, p.Profile);
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

    [UnmanagedCallersOnly(EntryPoint = "emoser_profile_add_s16")]
    public static int ProfileAddS16(nint profile, short* samples, long frames, int sampleRate, int channels, int* addedOut)
    {
        try
        {
            NativeProfile p = s_profiles.Get(profile);
            int count = CheckPcmArguments(samples, frames, sampleRate, channels);
            p.EnterWrite();
            bool added;
            try
            {
                added = p.Model.Enroll(new ReadOnlySpan<short>(samples, count), (int)frames, sampleRate, channels, p.Profile);
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

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_f32_profile")]
    public static int ClassifyF32Profile(nint model, float* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint profile)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            NativeProfile p = s_profiles.Get(profile);
            int count = CheckClassifyArguments(m, samples, frames, sampleRate, channels, probsOut, probsLen);
            CheckProfileFits(p, m);
            var input = new ReadOnlySpan<float>(samples, count);
            Pcm.RequireFinite(input, "samples");
            p.EnterRead();
            Classification c;
            try
            {
                c = m.Classify(input, (int)frames, sampleRate, channels, p.Profile);
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

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_s16_profile")]
    public static int ClassifyS16Profile(nint model, short* samples, long frames, int sampleRate, int channels,
        float* probsOut, int probsLen, int* topIndexOut, nint profile)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            NativeProfile p = s_profiles.Get(profile);
            int count = CheckClassifyArguments(m, samples, frames, sampleRate, channels, probsOut, probsLen);
            CheckProfileFits(p, m);
            p.EnterRead();
            Classification c;
            try
            {
                c = m.Classify(new ReadOnlySpan<short>(samples, count), (int)frames, sampleRate, channels, p.Profile);
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

    private static void CheckProfileFits(NativeProfile p, NativeModel m)
    {
        if (p.MismatchWith(m) is { } problem)
            throw new NativeCallException(EmoserStatus.InvalidArgument, problem);
    }
}
