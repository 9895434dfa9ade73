using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    private static readonly HandleTable<NativeStream> s_streams = new(HandleKinds.Stream, "stream");

    /// <summary>The C layout of <c>emoser_stream_result</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StreamResultAbi
    {
        public double StartSeconds;
        public double EndSeconds;
        public int Silence;
        public int LabelIndex;
        public float Confidence;
        public int LabelCount;
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_open")]
    public static int StreamOpen(nint model, StreamParamsAbi* parameters, nint* streamOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(streamOut, "stream_out");
            *streamOut = s_streams.Add(new NativeStream(OpenStream(m, parameters), m.Model.Labels));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>The 0.2 call: emoser_stream_open with the default params but for the window, hop and rate, named as the arguments are.</summary>
    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_new")]
    public static int StreamNew(nint model, double windowSeconds, double hopSeconds, int sampleRate, nint* streamOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(streamOut, "stream_out");
            if (InputLimits.StreamWindowProblem(windowSeconds, "window_s") is { } window)
                throw new NativeCallException(EmoserStatus.InvalidArgument, window);
            if (InputLimits.StreamHopProblem(hopSeconds, "hop_s") is { } hop)
                throw new NativeCallException(EmoserStatus.InvalidArgument, hop);
            CheckSampleRate(sampleRate, "sample_rate");
            CheckRatio(sampleRate, m, "sample_rate");
            StreamParamsAbi p = s_streamDefaults with { WindowSeconds = windowSeconds, HopSeconds = hopSeconds, SampleRate = sampleRate };
            *streamOut = s_streams.Add(new NativeStream(OpenStream(m, &p), m.Model.Labels));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_push_f32")]
    public static int StreamPushF32(nint stream, float* samples, long count)
    {
        try
        {
            NativeStream s = s_streams.Get(stream);
            CheckPush(samples, count);
            s.Enter();
            try
            {
                // Spans are int-sized; push longer buffers in pieces.
                for (long done = 0; done < count;)
                {
                    int n = (int)Math.Min(count - done, 1 << 20);
                    var block = new ReadOnlySpan<float>(samples + done, n);
                    Pcm.RequireValid(block, "samples", done);
                    s.Stream.Push(block);
                    done += n;
                }
            }
            finally
            {
                s.Exit();
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_push_s16")]
    public static int StreamPushS16(nint stream, short* samples, long count)
    {
        try
        {
            NativeStream s = s_streams.Get(stream);
            CheckPush(samples, count);
            s.Enter();
            try
            {
                float[] buffer = s.ConvertBuffer;
                for (long done = 0; done < count;)
                {
                    int n = (int)Math.Min(count - done, buffer.Length);
                    Pcm.S16ToFloat(new ReadOnlySpan<short>(samples + done, n), buffer);
                    s.Stream.Push(buffer.AsSpan(0, n));
                    done += n;
                }
            }
            finally
            {
                s.Exit();
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_complete")]
    public static int StreamComplete(nint stream)
    {
        try
        {
            NativeStream s = s_streams.Get(stream);
            s.Enter();
            try
            {
                s.Stream.Complete();
            }
            finally
            {
                s.Exit();
            }
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_next")]
    public static int StreamNext(nint stream, StreamResultAbi* result, float* probsOut, int probsLen)
    {
        try
        {
            NativeStream s = s_streams.Get(stream);
            RequireNotNull(result, "result");
            RequireNotNull(probsOut, "probs_out");
            if (probsLen < s.Labels.Count)
                throw new NativeCallException(EmoserStatus.BufferTooSmall, $"probs_len is {probsLen} but the model has {s.Labels.Count} labels");
            s.Enter();
            StreamResult r;
            try
            {
                if (!s.Stream.TryRead(out r))
                    return (int)EmoserStatus.NoResult;
            }
            finally
            {
                s.Exit();
            }
            int labelIndex = -1;
            for (int i = 0; i < s.Labels.Count; i++)
            {
                probsOut[i] = r.Silence || i >= r.Probabilities.Length ? 0f : r.Probabilities[i];
                if (!r.Silence && r.Emotion == s.Labels[i])
                    labelIndex = i;
            }
            *result = new StreamResultAbi
            {
                StartSeconds = r.Start,
                EndSeconds = r.End,
                Silence = r.Silence ? 1 : 0,
                LabelIndex = labelIndex,
                Confidence = r.Silence ? 0f : r.Confidence,
                LabelCount = s.Labels.Count,
            };
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_stream_free")]
    public static int StreamFree(nint stream)
    {
        try
        {
            s_streams.Remove(stream);
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static void CheckPush(void* samples, long count)
    {
        if (count < 0)
            throw new NativeCallException(EmoserStatus.InvalidArgument, $"n_samples must not be negative, got {count}");
        if (samples == null && count > 0)
            throw new NativeCallException(EmoserStatus.NullArgument, "samples is NULL");
    }
}
