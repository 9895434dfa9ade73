using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace EmoSer.Trainer.Torch;

/// <summary>
/// Makes TorchSharp's native shim loadable before any code of this assembly runs (docs/torchsharp-glibcxx.md).
/// .NET caches a failed type initializer for the life of the process, so a single TorchSharp call that comes
/// before <see cref="LibTorchSharpCompat.EnsureLoadable"/> would break every later one: running the fix from the
/// module initializer leaves no code path of the trainer, its tests or its benchmarks that reaches TorchSharp first.
/// </summary>
internal static class TorchSharpLoadability
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Every use of this assembly may reach TorchSharp, which must not load before the fix.")]
    internal static void Initialize() => LibTorchSharpCompat.EnsureLoadable();
}
