using System.Diagnostics;
using EmoSer.Fuzz;
using EmoSer.Runtime.Model;

// emoser-fuzz TARGET                 run under afl-fuzz (persistent mode; scripts/fuzz/run.sh)
// emoser-fuzz TARGET --replay PATH...  run each input once (files, or folders of them): outcome, time, allocations
//                                    (an uninstrumented build: the instrumented one runs only under afl-fuzz)
// emoser-fuzz seeds DIR              write the generated seed inputs into DIR/<target>/
// Targets: wav, weights, profile (docs/fuzzing.md).
const double MaxSeconds = 2;
const long MaxAllocatedBytes = 256L << 20;

if (args.Length >= 2 && args[0] == "seeds")
{
    Seeds.Write(args[1]);
    return 0;
}
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine("usage: emoser-fuzz wav|weights|profile [--replay PATH...] | emoser-fuzz seeds DIR");
    return 2;
}
string target = args[0];

if (args.Length >= 2 && args[1] == "--replay")
{
    var targets = new FuzzTargets(LoadShippedModel());
    int failed = 0, count = 0;
    foreach (string file in args[2..].SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]))
    {
        byte[] input = File.ReadAllBytes(file);
        count++;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        string outcome;
        bool ok;
        try
        {
            outcome = targets.Run(target, input);
            ok = true;
        }
        catch (Exception e)
        {
            outcome = $"FAILED: {e.GetType().Name}: {e.Message}";
            ok = false;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (seconds > MaxSeconds)
            (ok, outcome) = (false, $"SLOW: {seconds:0.00} s; {outcome}");
        if (allocated > MaxAllocatedBytes)
            (ok, outcome) = (false, $"ALLOCATED {allocated >> 20} MB; {outcome}");
        failed += ok ? 0 : 1;
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {Path.GetFileName(file)} ({input.Length} B, {seconds * 1000:0} ms, {allocated >> 20} MB): {Shorten(outcome)}");
    }
    Console.WriteLine($"emoser-fuzz {target}: {count} inputs replayed, {failed} failed");
    return failed == 0 ? 0 : 1;
}

// afl-fuzz's persistent mode: every input runs in this process. An unexpected exception is a crash; so is an input
// that allocates more than 256 MB (the run also sets DOTNET_GCHeapHardLimit) or, through afl's -t, runs over 2 s.
// The instrumented runtime writes coverage to afl's shared memory, which exists only inside Fuzzer.Run: the targets
// (and the model) are made there, on the first input.
FuzzTargets? fuzzed = null;
SharpFuzz.Fuzzer.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    fuzzed ??= new FuzzTargets(LoadShippedModel());
    long before = GC.GetTotalAllocatedBytes(precise: false);
    fuzzed.Run(target, memory.ToArray());
    long allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
    if (allocated > MaxAllocatedBytes)
        throw new FuzzFailure($"one input allocated {allocated >> 20} MB");
});
return 0;

static EmotionModel LoadShippedModel()
{
    using Stream resource = typeof(FuzzTargets).Assembly.GetManifestResourceStream("model-a.emow")
        ?? throw new InvalidOperationException("this build of emoser-fuzz has no embedded model-a.emow");
    return EmotionModel.Load(resource, "model-a.emow");
}

static string Shorten(string s) => s.Length <= 160 ? s : s[..160] + "...";
