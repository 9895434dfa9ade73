using EmoSer.Trainer.Torch;

// Must run before the first TorchSharp call: see docs/torchsharp-glibcxx.md.
LibTorchSharpCompat.EnsureLoadable();
var t = TorchSharp.torch.ones(2, 2);
Console.WriteLine($"torch ok: sum={t.sum().item<float>()}");
return 0;
