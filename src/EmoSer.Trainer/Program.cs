using EmoSer.Trainer.Cli;

// TorchSharp's native shim is made loadable by this assembly's module initializer (Torch/TorchSharpLoadability.cs).
return TrainCommands.Build().Parse(args).Invoke();
