using System.Buffers;
using System.Runtime.ExceptionServices;

namespace EmoSer.Runtime.Classifier;

// The speed-copy scheduler: a clip's copies extracted by thread-pool helpers while the calling thread extracts the clip.
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
            work.ExtractRemaining(worker);
        }
        finally
        {
            // Closes the claims and waits for the copies helpers did claim, whatever happened to the clip, so no
            // copy reads the shared array once it is back in the pool. A helper that has not started by now (a busy
            // pool) finds nothing to claim and is not waited for.
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

        /// <summary>A helper: extracts copies with a worker of its own until none is left.</summary>
        public void Help()
        {
            // Started after every copy was claimed (the pool was busy): nothing to do, and no worker to take.
            if (Volatile.Read(ref _next) + 1 >= copies.Length)
                return;
            var worker = owner._pool.Rent();
            try
            {
                ExtractRemaining(worker);
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

        /// <summary>Ends claiming and waits until every claimed copy is finished.</summary>
        public void CloseAndWait()
        {
            int claimed = Math.Min(Interlocked.Exchange(ref _next, copies.Length) + 1, copies.Length);
            Interlocked.Exchange(ref _target, claimed);
            if (Volatile.Read(ref _done) >= claimed)
                return;
            lock (this)
            {
                while (Volatile.Read(ref _done) < claimed)
                    Monitor.Wait(this);
            }
        }

        /// <summary>Rethrows the first copy's failure, as thrown.</summary>
        public void ThrowIfFailed() => _failure?.Throw();
    }
}
