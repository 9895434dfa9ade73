using System.Numerics.Tensors;

namespace EmoSer.Runtime.Dsp;

/// <summary>
/// Decibels of power values with librosa's <c>power_to_db</c> semantics for its defaults (ref 1, amin 1e-10,
/// top_db 80): <c>10 log10(max(amin, S))</c>, then everything below <c>max(dB) - top_db</c> raised to that
/// floor, where the maximum is taken over the WHOLE matrix (all frames), not per frame.
/// </summary>
public static class PowerToDb
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
        TensorPrimitives.Max(power, Amin, d);
        // 10 log10(x) as (10 / ln 10) ln(x): the vectorised natural log is about twice as fast as Log10 here,
        // and the result differs from numpy's float32 log10 by an ulp or two.
        TensorPrimitives.Log(d, d);
        TensorPrimitives.Multiply(d, TenOverLn10, d);
    }

    /// <summary>The floor applied by top_db given the global maximum in dB: <c>maxDb - TopDb</c>.</summary>
    public static float Floor(float maxDb) => maxDb - TopDb;

    /// <summary>In-place <c>max(db, floor)</c> (the top_db clamp once the global floor is known).</summary>
    public static void ClampBelow(Span<float> db, float floor) => TensorPrimitives.Max(db, floor, db);
}
