using System.Globalization;
using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    /// <summary>The C layout of <c>emoser_segment</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SegmentAbi
    {
        public double StartSeconds;
        public double EndSeconds;
        public int LabelIndex;
        public float Confidence;
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_segments_f32")]
    public static int ClassifySegmentsF32(nint model, float* samples, long frames, int sampleRate, int channels, double segmentSeconds,
        ClassifyParamsAbi* parameters, SegmentAbi* segmentsOut, float* probsOut, long capacity, long* countOut) =>
        ClassifySegments(model, samples, PcmSampleType.F32, frames, sampleRate, channels, segmentSeconds, parameters, segmentsOut, probsOut, capacity, countOut);

    [UnmanagedCallersOnly(EntryPoint = "emoser_classify_segments_s16")]
    public static int ClassifySegmentsS16(nint model, short* samples, long frames, int sampleRate, int channels, double segmentSeconds,
        ClassifyParamsAbi* parameters, SegmentAbi* segmentsOut, float* probsOut, long capacity, long* countOut) =>
        ClassifySegments(model, samples, PcmSampleType.S16, frames, sampleRate, channels, segmentSeconds, parameters, segmentsOut, probsOut, capacity, countOut);

    /// <summary>
    /// The body of emoser_classify_segments_f32 / _s16: the runtime's one segmentation
    /// (<see cref="EmotionClassifier.ClassifySegments(ReadOnlySpan{float}, int, int, double, Runtime.Speakers.SpeakerProfile?)"/>),
    /// so a C caller's timeline is the CLI's and the server's.
    /// </summary>
    private static int ClassifySegments(nint model, void* samples, PcmSampleType type, long frames, int sampleRate, int channels,
        double segmentSeconds, ClassifyParamsAbi* parameters, SegmentAbi* segmentsOut, float* probsOut, long capacity, long* countOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            ClassifyOptions o = ReadClassifyParams(m, parameters);
            RequireNotNull(countOut, "count_out");
            if (InputLimits.SegmentLengthProblem(segmentSeconds, "segment_s") is { } problem)
                throw new NativeCallException(EmoserStatus.InvalidArgument, problem);
            if (capacity < 0)
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"capacity must be >= 0, got {capacity}");
            if (capacity > 0)
                RequireNotNull(segmentsOut, "segments_out");
            int count = CheckPcmArguments(m, samples, frames, sampleRate, channels);
            NativeProfile? p = o.Profile;
            if (p is not null)
                CheckProfileFits(p, m);
            using PcmInput input = PcmInput.Read(samples, type, count);
            IReadOnlyList<SegmentClassification> timeline;
            p?.EnterRead();
            try
            {
                timeline = o.Classifier.ClassifySegments(input.Samples, channels, sampleRate, segmentSeconds, p?.Profile);
            }
            finally
            {
                p?.ExitRead();
            }
            // The count depends on the length after resampling, so it is known only now; the caller learns it either way.
            *countOut = timeline.Count;
            if (timeline.Count > capacity)
            {
                throw new NativeCallException(EmoserStatus.BufferTooSmall, string.Create(CultureInfo.InvariantCulture,
                    $"capacity is {capacity} but the audio gives {timeline.Count} segments of {segmentSeconds:0.###} s"));
            }
            int labels = m.LabelCount;
            for (int i = 0; i < timeline.Count; i++)
            {
                SegmentClassification s = timeline[i];
                Classification c = s.Classification;
                segmentsOut[i] = new SegmentAbi
                {
                    StartSeconds = s.Start,
                    EndSeconds = s.End,
                    LabelIndex = c.WithMinConfidence(o.MinConfidence).IsUncertain ? UncertainIndex : c.TopIndex,
                    Confidence = c.Confidence,
                };
                if (probsOut != null)
                    c.Probabilities.CopyTo(new Span<float>(probsOut + (long)i * labels, labels));
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }
}
