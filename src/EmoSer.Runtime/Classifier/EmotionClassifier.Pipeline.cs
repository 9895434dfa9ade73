using System.Buffers;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Classifier;

// One call's work on a rented worker: mix-down and resampling, front end, extraction (and speed copies), prediction.
public sealed partial class EmotionClassifier
{
    /// <summary>
    /// True when a clip at the model's rate is silent, so that it is not enrolled: with a front end, when no 10 ms
    /// block reaches its activity floor (a quiet microphone is not silence); without one, when its mean square is
    /// below the enrollment silence level.
    /// </summary>
    private bool IsSilentClip(ReadOnlySpan<float> mono) =>
        Model.FrontEnd is { } frontEnd ? FrontEnd.IsSilent(mono, Model.SampleRate, frontEnd) : IsSilent(mono);

    /// <summary>True when the mean square of <paramref name="mono"/> is below the enrollment silence level.</summary>
    internal static bool IsSilent(ReadOnlySpan<float> mono)
    {
        double sum = 0;
        foreach (float v in mono)
            sum += (double)v * v;
        return sum < EnrollmentSilenceMeanSquare * mono.Length;
    }

    /// <summary>
    /// The audio as the model takes it: averaged to mono (<see cref="AudioClip.ToMono"/>'s sums) into the worker's
    /// buffer, then resampled and dithered (<see cref="ResamplingDither.Resample"/>) when the rate is not the model's.
    /// Mono audio at the model's rate is returned as it is.
    /// </summary>
    private ReadOnlySpan<float> ToModelRate(ClassifierWorker worker, ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        ReadOnlySpan<float> mono = interleaved;
        if (channels > 1)
        {
            Span<float> mix = worker.MixBuffer(interleaved.Length / channels);
            ChannelMixer.AverageToMono(interleaved, channels, mix);
            mono = mix;
        }
        // Resampled audio gets a 16-bit noise floor above the resampler's passband, as the training recordings had.
        return sampleRate == Model.SampleRate ? mono : ResamplingDither.Resample(mono, sampleRate, Model.SampleRate);
    }

    /// <summary>As <see cref="ToModelRate"/>, into an array of the caller's own (the span of a worker's buffer cannot outlive the rental).</summary>
    private float[] ModelRateArray(ReadOnlySpan<float> interleaved, int channels, int sampleRate)
    {
        float[] mono;
        if (channels == 1)
        {
            if (sampleRate != Model.SampleRate)
                return ResamplingDither.Resample(interleaved, sampleRate, Model.SampleRate);
            return interleaved.ToArray();
        }
        mono = new float[interleaved.Length / channels];
        ChannelMixer.AverageToMono(interleaved, channels, mono);
        return sampleRate == Model.SampleRate ? mono : ResamplingDither.Resample(mono, sampleRate, Model.SampleRate);
    }

    /// <summary>
    /// Every feature extraction of this classifier goes through here, so tests can count them: the clip's features
    /// and, for each of <paramref name="copies"/> (one per speed factor, or none), those of its speed copy. One clip
    /// extraction, however many copies. With more than one core, helper threads (CopyHelperThreads) start on the copies while this
    /// thread extracts the clip and then takes any copy left: each extraction is independent and deterministic, so the features
    /// are the same bits either way, and on two cores a clip with two copies takes about two thirds of the wall time
    /// it takes one after the other.
    /// </summary>
    /// <remarks>With <paramref name="predict"/> (whose <c>ClipFeatures</c> is <paramref name="features"/>), the clip and each
    /// copy are also predicted, by the thread that extracted them or, for the clip, by a helper that ran out of copies
    /// first (so the predictions run in parallel too); <see cref="PredictMean"/> then only sums them.</remarks>
    private void ExtractInto(ClassifierWorker worker, ReadOnlySpan<float> mono, Span<float> features, float[][] copies, CopyPrediction? predict = null)
    {
        // The model's front end first (docs/front-end.md): the features, and the speed copies made from the clip,
        // are of the processed clip, as in training.
        if (Model.FrontEnd is { } frontEnd)
        {
            float[] buffer = worker.FrontEndBuffer(mono.Length);
            int length = FrontEnd.Process(mono, Model.SampleRate, frontEnd, buffer).Length;
            mono = buffer.AsSpan(0, length);
        }
        if (copies.Length == 0 || !ParallelCopies)
        {
            worker.Extractor.Extract(mono, features);
            if (predict is { } p)
                Model.Predict(p.ClipFeatures, p.ClipProbabilities, worker.Workspace, p.Speaker);
            for (int i = 0; i < copies.Length; i++)
                ExtractCopy(worker, mono, i, copies[i], predict);
        }
        else
        {
            ExtractWithCopiesInParallel(worker, mono, features, copies, predict);
        }
        Interlocked.Increment(ref _extractions);
    }

    private void ExtractCopy(ClassifierWorker worker, ReadOnlySpan<float> mono, int index, float[] features, CopyPrediction? predict)
    {
        // The worker's own converter for this factor and a pooled buffer: a new array per copy would be a
        // large-object allocation per call (a 3 s copy is ~200 KB), and those trigger full collections that stall
        // every thread. Process + Flush of a reset converter gives exactly SpeedChange.Apply's samples.
        Resampler resampler = worker.CopyResampler(index, _speedFactors[index]);
        resampler.Reset();
        float[] copy = ArrayPool<float>.Shared.Rent(resampler.MaxOutputLength(mono.Length) + resampler.MaxOutputLength(0));
        try
        {
            int length = resampler.Process(mono, copy);
            length += resampler.Flush(copy.AsSpan(length));
            worker.Extractor.Extract(copy.AsSpan(0, length), features);
            Interlocked.Increment(ref _copyExtractions);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(copy);
        }
        if (predict is { } p)
            Model.Predict(features, p.CopyProbabilities[index], worker.Workspace, p.Speaker);
    }

    /// <summary>
    /// Where <see cref="ExtractInto"/> puts the predictions it makes: the clip's features and probabilities (the
    /// calling worker's arrays), one probability array per copy, and the speaker's profile.
    /// </summary>
    private readonly record struct CopyPrediction(float[] ClipFeatures, float[] ClipProbabilities, float[][] CopyProbabilities, SpeakerProfile? Speaker)
    {
        /// <summary>Predictions into <paramref name="worker"/>'s own arrays (what <see cref="PredictMean"/> sums with <c>predicted</c>).</summary>
        public static CopyPrediction Into(ClassifierWorker worker, SpeakerProfile? speaker) =>
            new(worker.Features, worker.Probabilities, worker.CopyPredictions, speaker);
    }

    /// <summary>
    /// Probabilities into <c>worker.Probabilities</c>: of <paramref name="features"/> alone, or the mean over it and
    /// <paramref name="copies"/>, summed in float in that order and then divided by the count.
    /// </summary>
    /// <remarks><paramref name="predicted"/>: <see cref="ExtractInto"/> already predicted the clip and its copies into the
    /// worker's arrays (<see cref="CopyPrediction.Into"/>); only the mean is left.</remarks>
    private void PredictMean(ClassifierWorker worker, ReadOnlySpan<float> features, float[][] copies, SpeakerProfile? speaker, bool predicted = false)
    {
        float[] sum = worker.Probabilities;
        if (!predicted)
            Model.Predict(features, sum, worker.Workspace, speaker);
        if (copies.Length == 0)
            return;
        for (int c = 0; c < copies.Length; c++)
        {
            float[] copyProbabilities = worker.CopyProbabilities;
            if (predicted)
                copyProbabilities = worker.CopyPredictions[c];
            else
                Model.Predict(copies[c], copyProbabilities, worker.Workspace, speaker);
            for (int j = 0; j < sum.Length; j++)
                sum[j] += copyProbabilities[j];
        }
        float count = copies.Length + 1;
        for (int j = 0; j < sum.Length; j++)
            sum[j] /= count;
    }

    private Classification ClassifyAtModelRate(ReadOnlySpan<float> mono, double durationSeconds, SpeakerProfile? speaker)
    {
        var worker = _pool.Rent();
        try
        {
            ExtractInto(worker, mono, worker.Features, worker.CopyFeatures, CopyPrediction.Into(worker, speaker));
            PredictMean(worker, worker.Features, worker.CopyFeatures, speaker, predicted: true);
            return ToClassification(worker.Probabilities, durationSeconds);
        }
        finally
        {
            _pool.Return(worker);
        }
    }
}
