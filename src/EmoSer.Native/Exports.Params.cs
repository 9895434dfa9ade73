using System.Globalization;
using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    /// <summary>The C layout of <c>emoser_classify_params</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ClassifyParamsAbi
    {
        public int SpeedCopies;
        public float MinConfidence;
        public nint Profile;
    }

    /// <summary>The C layout of <c>emoser_stream_params</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StreamParamsAbi
    {
        public double WindowSeconds;
        public double HopSeconds;
        public double SilenceDbfs;
        public int SampleRate;
        public int SpeakerMode;
        public nint Profile;
    }

    /// <summary>The values of <c>emoser_speaker_mode</c>.</summary>
    private enum SpeakerMode
    {
        Adaptive = 0,
        Population = 1,
        Profile = 2,
    }

    private static readonly ClassifyParamsAbi s_classifyDefaults = new() { SpeedCopies = 1, MinConfidence = 0, Profile = 0 };

    private static readonly StreamParamsAbi s_streamDefaults = new()
    {
        WindowSeconds = 3,
        HopSeconds = 1,
        SilenceDbfs = InputLimits.DefaultStreamSilenceDbfs,
        SampleRate = 16000,
        SpeakerMode = (int)SpeakerMode.Adaptive,
        Profile = 0,
    };

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_default_params")]
    public static ClassifyParamsAbi ClassifyDefaultParams() => s_classifyDefaults;

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_default_params")]
    public static StreamParamsAbi StreamDefaultParams() => s_streamDefaults;

    /// <summary>The texts of <c>emoser_status_str</c> (documented in include/emoser.h), allocated once.</summary>
    private static readonly Dictionary<int, nint> s_statusTexts = new()
    {
        [(int)EmoserStatus.Ok] = (nint)NativeString.Alloc("ok"),
        [(int)EmoserStatus.NoResult] = (nint)NativeString.Alloc("no result ready"),
        [(int)EmoserStatus.NullArgument] = (nint)NativeString.Alloc("null argument"),
        [(int)EmoserStatus.InvalidArgument] = (nint)NativeString.Alloc("invalid argument"),
        [(int)EmoserStatus.InvalidHandle] = (nint)NativeString.Alloc("invalid handle"),
        [(int)EmoserStatus.BufferTooSmall] = (nint)NativeString.Alloc("buffer too small"),
        [(int)EmoserStatus.IO] = (nint)NativeString.Alloc("i/o error"),
        [(int)EmoserStatus.AudioFormat] = (nint)NativeString.Alloc("invalid or unsupported audio"),
        [(int)EmoserStatus.ModelFormat] = (nint)NativeString.Alloc("invalid model"),
        [(int)EmoserStatus.Busy] = (nint)NativeString.Alloc("in use by another thread"),
        [(int)EmoserStatus.Internal] = (nint)NativeString.Alloc("internal error"),
        [(int)EmoserStatus.ProfileFormat] = (nint)NativeString.Alloc("invalid speaker profile"),
    };

    private static readonly byte* s_unknownStatus = NativeString.Alloc("unknown status");

    [UnmanagedCallersOnly(EntryPoint = "emoser_status_str")]
    public static byte* StatusString(int status) => s_statusTexts.TryGetValue(status, out nint text) ? (byte*)text : s_unknownStatus;

    /// <summary>What a classify call runs with: the classifier (with or without speed copies), the minimum confidence and a profile.</summary>
    private readonly record struct ClassifyOptions(EmotionClassifier Classifier, float MinConfidence, NativeProfile? Profile);

    /// <summary>The options of a 0.2 classify call: the handle's settings and the profile argument, if any.</summary>
    private static ClassifyOptions HandleOptions(NativeModel m, nint? profile) =>
        new(m.Classifier, m.MinConfidence, profile is { } handle ? s_profiles.Get(handle) : null);

    /// <summary>Reads and checks a 0.3 call's <c>emoser_classify_params</c> (null: the defaults).</summary>
    private static ClassifyOptions ReadClassifyParams(NativeModel m, ClassifyParamsAbi* parameters)
    {
        ClassifyParamsAbi p = parameters == null ? s_classifyDefaults : *parameters;
        if (p.SpeedCopies is not (0 or 1))
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"params->speed_copies must be 0 or 1, got {p.SpeedCopies}");
        if (!(p.MinConfidence >= 0 && p.MinConfidence <= 1))
            throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"params->min_confidence must be a number in [0, 1], got {p.MinConfidence.ToString(CultureInfo.InvariantCulture)}");
        NativeProfile? profile = p.Profile == 0 ? null : s_profiles.Get(p.Profile);
        return new ClassifyOptions(m.ClassifierWithSpeedCopies(p.SpeedCopies == 1), p.MinConfidence, profile);
    }

    /// <summary>Reads and checks a 0.3 call's <c>emoser_stream_params</c> (null: the defaults) into a stream over <paramref name="m"/>.</summary>
    private static EmotionStream OpenStream(NativeModel m, StreamParamsAbi* parameters)
    {
        StreamParamsAbi p = parameters == null ? s_streamDefaults : *parameters;
        if (InputLimits.StreamWindowProblem(p.WindowSeconds, "params->window_s") is { } window)
            throw new NativeCallException(EmoserStatus.InvalidArgument, window);
        if (InputLimits.StreamHopProblem(p.HopSeconds, "params->hop_s") is { } hop)
            throw new NativeCallException(EmoserStatus.InvalidArgument, hop);
        if (InputLimits.SilenceThresholdProblem(p.SilenceDbfs, "params->silence_dbfs") is { } silence)
            throw new NativeCallException(EmoserStatus.InvalidArgument, silence);
        CheckSampleRate(p.SampleRate, "params->sample_rate");
        CheckRatio(p.SampleRate, m, "params->sample_rate");
        StreamSpeaker speaker = (SpeakerMode)p.SpeakerMode switch
        {
            SpeakerMode.Adaptive or SpeakerMode.Population when p.Profile != 0 => throw new NativeCallException(EmoserStatus.InvalidArgument,
                "params->profile is set but params->speaker_mode is not EMOSER_SPEAKER_PROFILE"),
            SpeakerMode.Adaptive => StreamSpeaker.Adaptive,
            SpeakerMode.Population => StreamSpeaker.Population,
            SpeakerMode.Profile when p.Profile == 0 => throw new NativeCallException(EmoserStatus.InvalidArgument,
                "params->speaker_mode is EMOSER_SPEAKER_PROFILE but params->profile is NULL"),
            SpeakerMode.Profile => StreamSpeaker.Fixed(FittingSnapshot(s_profiles.Get(p.Profile), m)),
            _ => throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"params->speaker_mode must be EMOSER_SPEAKER_ADAPTIVE (0), _POPULATION (1) or _PROFILE (2), got {p.SpeakerMode}"),
        };
        return new EmotionStream(m.Classifier, new EmotionStreamOptions
        {
            WindowSeconds = p.WindowSeconds, HopSeconds = p.HopSeconds, SilenceDbfs = p.SilenceDbfs, InputSampleRate = p.SampleRate, Speaker = speaker,
        });
    }

    /// <summary>A copy of <paramref name="p"/>'s statistics, after checking they are the features <paramref name="m"/> takes.</summary>
    private static Runtime.Speakers.SpeakerProfile FittingSnapshot(NativeProfile p, NativeModel m)
    {
        CheckProfileFits(p, m);
        return p.Snapshot();
    }
}
