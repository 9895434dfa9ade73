using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using EmoSer.Trainer.Torch;

namespace EmoSer.Trainer.Tests.Torch;

/// <summary>
/// Code in this assembly that calls TorchSharp directly (<c>TorchReferenceForward</c>, tensors built by tests) may run
/// before any trainer type is touched, and so before the trainer's own module initializer: the assembly makes
/// TorchSharp loadable as it loads. Linked into the benchmarks for the same reason.
/// </summary>
internal static class TorchSharpFirst
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Runs before any test or benchmark can reach TorchSharp.")]
    internal static void Initialize() => LibTorchSharpCompat.EnsureLoadable();
}
