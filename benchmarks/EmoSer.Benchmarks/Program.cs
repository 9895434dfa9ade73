using EmoSer.Benchmarks.Features;

// `corpus-features DIR [REPEATS]`: timed feature extraction over a folder of WAVs; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "corpus-features")
    return CorpusFeatureRun.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile-stages")
    return StageProfile.Run();
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
