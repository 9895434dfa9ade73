using EmoSer.Trainer.Cli;
using EmoSer.Trainer.Torch;

// Must run before the first TorchSharp call: see docs/torchsharp-glibcxx.md.
LibTorchSharpCompat.EnsureLoadable();
return TrainCommands.Build().Parse(args).Invoke();
