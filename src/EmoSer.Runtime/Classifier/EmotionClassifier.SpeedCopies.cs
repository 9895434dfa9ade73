using System.Buffers;
using System.Runtime.ExceptionServices;

namespace EmoSer.Runtime.Classifier;

// The speed-copy scheduler: a clip's copies extracted by helper threads (CopyHelperThreads) while the calling thread extracts the clip.
public sealed partial class EmotionClassifier
{
    private void ExtractWithCopiesInParallel(ClassifierWorker worker, ReadOnlySpan<float> mono, Span<float> features, float[][] copies, CopyPrediction? predict)
    {
        // A span cannot cross threads: the copies read the clip from a pooled array.
        float[] shared = ArrayPool<float>.Shared.Rent(mono.Length);
        mono.CopyTo(shared);
        // At most one helper per other core, so that no more threads than cores compete. Helpers and then this
        // thread, once the clip is done, claim the copies in factor order from one counter; on two cores the helper
        // takes the first copy while this thread extracts the clip and then the second copy.
        var work = new CopyWork(this, shared, mono.Length, copies, predict);
        try
        {
            for (int h = Math.Min(copies.Length, Environment.ProcessorCount - 1); h > 0; h--)
                StartHelper(work.Help);
            worker.Extractor.Extract(mono, features);
            work.OfferClip();
            work.ExtractRemaining(worker);
            work.PredictClipIfOffered(worker);
        }
        finally
        {
            // Closes the claims and waits for the copies helpers did claim, whatever happened to the clip, so no
            // copy reads the shared array once it is back in the pool. A helper that has not started by now (busy
            // helper threads) finds nothing to claim and is not waited for.
            work.CloseAndWait();
            ArrayPool<float>.Shared.Return(shared);
        }
        work.ThrowIfFailed();
    }

    /// <summary>The copies of one clip, claimed one at a time by whichever thread is free.</summary>
    private sealed class CopyWork(EmotionClassifier owner, float[] clip, int length, float[][] copies, CopyPrediction? predict)
    {
        private int _next = -1;      // last claimed index
        private int _done;           // claimed copies finished (or failed)
        private int _target = int.MaxValue; // copies CloseAndWait waits for
        private ExceptionDispatchInfo? _failure;
        // The clip's prediction (only with a CopyPrediction): 0 until its features exist, 1 offered, 2 claimed by a thread.
        private int _clip;
        private bool _clipDone;      // guarded by this: the clip's prediction finished (or failed)

        /// <summary>
        /// A helper: extracts copies with a worker of its own until none is left, then predicts the clip if its
        /// features are ready and no thread has taken it (the caller is then still busy with its last copy).
        /// </summary>
        public void Help()
        {
            // Started after every copy was claimed (the helper threads were busy) and with no clip to predict: nothing to do.
            if (Volatile.Read(ref _next) + 1 >= copies.Length && Volatile.Read(ref _clip) != 1)
                return;
            var worker = owner._pool.Rent();
            try
            {
                ExtractRemaining(worker);
                PredictClipIfOffered(worker);
            }
            finally
            {
                owner._pool.Return(worker);
            }
            // Idle while the caller finishes the clip or its last copy: pack the model's weights now, so that the
            // caller's first prediction finds them ready (a one-shot command otherwise packs them on its critical
            // path). A failure here is left for the caller's own Prepare to report.
            try
            {
                owner.Model.Prepare();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
            }
        }

        /// <summary>Marks the clip's features as ready to be predicted by whichever thread is free first.</summary>
        public void OfferClip()
        {
            if (predict is not null)
                Volatile.Write(ref _clip, 1);
        }

        /// <summary>Predicts the clip unless another thread took it; a failure is kept for the caller, not thrown here.</summary>
        public void PredictClipIfOffered(ClassifierWorker worker)
        {
            if (predict is not { } p || Interlocked.CompareExchange(ref _clip, 2, 1) != 1)
                return;
            try
            {
                owner.Model.Predict(p.ClipFeatures, p.ClipProbabilities, worker.Workspace, p.Speaker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                lock (this)
                {
                    _clipDone = true;
                    Monitor.PulseAll(this);
                }
            }
        }

        /// <summary>Claims and extracts copies until none is left; a failure is kept for the caller, not thrown here.</summary>
        public void ExtractRemaining(ClassifierWorker worker)
        {
            for (int i = Interlocked.Increment(ref _next); i < copies.Length; i = Interlocked.Increment(ref _next))
            {
                try
                {
                    owner.ExtractCopy(worker, clip.AsSpan(0, length), i, copies[i], predict);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    // Interlocked on both sides: either this sees the waiter's target or the waiter sees this count.
                    if (Interlocked.Increment(ref _done) >= Volatile.Read(ref _target))
                    {
                        lock (this)
                            Monitor.PulseAll(this);
                    }
                }
            }
        }

        /// <summary>
        /// Ends claiming and waits until every claimed copy is finished, and the clip's prediction if a thread took
        /// it. An offered clip nobody took is withdrawn (this happens only when the caller failed before predicting it).
        /// </summary>
        public void CloseAndWait()
        {
            int claimed = Math.Min(Interlocked.Exchange(ref _next, copies.Length) + 1, copies.Length);
            Interlocked.Exchange(ref _target, claimed);
            bool clipTaken = Interlocked.Exchange(ref _clip, 2) == 2;
            lock (this)
            {
                while (Volatile.Read(ref _done) < claimed || (clipTaken && !_clipDone))
                    Monitor.Wait(this);
            }
        }

        /// <summary>Rethrows the first copy's failure, as thrown.</summary>
        public void ThrowIfFailed() => _failure?.Throw();
    }
}
