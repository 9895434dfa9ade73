using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>Which implementation the model kernels use. All paths compute the same function.</summary>
internal enum KernelPath
{
    /// <summary>Plain scalar loops (reference behaviour, any CPU).</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE on x64, AdvSimd on ARM64).</summary>
    V128,

    /// <summary>256-bit vectors (AVX2 + FMA on x64).</summary>
    V256,
}

/// <summary>Chooses the kernel path: <c>EMOSER_KERNELS=scalar|v128|v256</c> forces one, else the widest accelerated.</summary>
internal static class KernelSelection
{
    public const string EnvironmentVariable = "EMOSER_KERNELS";

    /// <summary>The path chosen once per process.</summary>
    public static KernelPath Default { get; } = Choose(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The widest vector path the hardware accelerates.</summary>
    public static KernelPath Best =>
        Vector256.IsHardwareAccelerated ? KernelPath.V256
        : Vector128.IsHardwareAccelerated ? KernelPath.V128
        : KernelPath.Scalar;

    /// <summary>Parses a forced path; an empty or unknown value means <see cref="Best"/>.</summary>
    public static KernelPath Choose(string? forced) => forced?.Trim().ToLowerInvariant() switch
    {
        "scalar" => KernelPath.Scalar,
        "v128" => KernelPath.V128,
        "v256" => KernelPath.V256,
        _ => Best,
    };
}
