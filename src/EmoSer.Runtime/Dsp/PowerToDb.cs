using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Dsp;

/// <summary>
/// Decibels of power values with librosa's <c>power_to_db</c> semantics for its defaults (ref 1, amin 1e-10,
/// top_db 80): <c>10 log10(max(amin, S))</c>, then everything below <c>max(dB) - top_db</c> raised to that
/// floor, where the maximum is taken over the WHOLE matrix (all frames), not per frame.
/// </summary>
internal static class PowerToDb
{
    /// <summary>Smallest power considered (librosa's default amin).</summary>
    public const float Amin = 1e-10f;

    /// <summary>Dynamic range kept below the global maximum (librosa's default top_db).</summary>
    public const float TopDb = 80f;

    private const float TenOverLn10 = (float)(10.0 / 2.302585092994046);

    /// <summary>Per-element <c>10 log10(max(Amin, power))</c> (no top_db clamp), in single precision like librosa.</summary>
    public static void Convert(ReadOnlySpan<float> power, Span<float> db)
    {
        if (db.Length < power.Length)
            throw new ArgumentException("The output span is shorter than the input.", nameof(db));
        var d = db[..power.Length];
        AtLeast(power, Amin, d);
        // 10 log10(x) as (10 / ln 10) ln(x): the vectorised natural log is about twice as fast as Log10 here,
        // and the result differs from numpy's float32 log10 by an ulp or two.
        TensorPrimitives.Log(d, d);
        TensorPrimitives.Multiply(d, TenOverLn10, d);
    }

    /// <summary>The floor applied by top_db given the global maximum in dB: <c>maxDb - TopDb</c>.</summary>
    public static float Floor(float maxDb) => maxDb - TopDb;

    /// <summary>In-place <c>max(db, floor)</c> (the top_db clamp once the global floor is known).</summary>
    public static void ClampBelow(Span<float> db, float floor) => AtLeast(db, floor, db);

    /// <summary>
    /// <c>destination[i] = max(source[i], floor)</c> with a plain compare-and-select (TensorPrimitives.Max
    /// implements IEEE maximum with NaN and signed-zero handling, several times slower here).
    /// </summary>
    internal static void AtLeast(ReadOnlySpan<float> source, float floor, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException("The output span is shorter than the input.", nameof(destination));
        int n = source.Length, i = 0;
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(floor);
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, f), v, f).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var f = Vector128.Create(floor);
            for (; i + 4 <= n; i += 4)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                Vector128.ConditionalSelect(Vector128.GreaterThan(v, f), v, f).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = source[i];
            destination[i] = v > floor ? v : floor;
        }
    }
}
