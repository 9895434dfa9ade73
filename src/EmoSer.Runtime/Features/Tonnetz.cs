namespace EmoSer.Runtime.Features;

/// <summary>
/// Tonal centroid (tonnetz) of one chroma frame, as <c>librosa.feature.tonnetz(chroma=...)</c> computes it
/// per column: the column is L1-normalised (librosa.util.normalize, norm=1; a column summing to less than
/// float32's smallest normal number stays as is), then projected onto the 6 × n_chroma basis
/// <c>phi[p, c] = R[p] · cos(π · (scale[p] · 12c/n_chroma − 0.5·[p even]))</c> with
/// scale = (7/6, 7/6, 3/2, 3/2, 2/3, 2/3) and R = (1, 1, 1, 1, 0.5, 0.5): fifths, minor thirds, major thirds.
/// </summary>
/// <remarks>
/// The basis depends only on the chroma length; the most recently used one is cached (one allocation per
/// new length, none per frame). The projection runs in double, as librosa's float64 einsum does.
/// Thread-safe.
/// </remarks>
internal static class Tonnetz
{
    /// <summary>Number of tonnetz dimensions.</summary>
    public const int Dimensions = 6;

    // Tuple read/written as one reference: a racing thread sees either the old or the new basis, both valid.
    private static Basis? s_basis;

    private sealed class Basis(int chromaCount, double[] phi)
    {
        public readonly int ChromaCount = chromaCount;
        public readonly double[] Phi = phi; // row-major 6 × ChromaCount
    }

    /// <summary>Tonnetz of one chroma frame, written as float32.</summary>
    /// <param name="chromaFrame">One chroma column (any length ≥ 1; the seed uses 80).</param>
    /// <param name="tonnetz6">Receives the 6 tonnetz values.</param>
    /// <exception cref="ArgumentException">The chroma frame is empty or the output does not hold 6 values.</exception>
    public static void FromChroma(ReadOnlySpan<float> chromaFrame, Span<float> tonnetz6)
    {
        if (tonnetz6.Length != Dimensions)
            throw new ArgumentException($"Expected room for {Dimensions} tonnetz values, got {tonnetz6.Length}.", nameof(tonnetz6));
        Span<double> t = stackalloc double[Dimensions];
        FromChroma(chromaFrame, t);
        for (int p = 0; p < Dimensions; p++)
            tonnetz6[p] = (float)t[p];
    }

    /// <summary>Tonnetz of one chroma frame in double precision (librosa's result type).</summary>
    /// <param name="chromaFrame">One chroma column (any length ≥ 1; the seed uses 80).</param>
    /// <param name="tonnetz6">Receives the 6 tonnetz values.</param>
    /// <exception cref="ArgumentException">The chroma frame is empty or the output does not hold 6 values.</exception>
    public static void FromChroma(ReadOnlySpan<float> chromaFrame, Span<double> tonnetz6)
    {
        if (chromaFrame.Length == 0)
            throw new ArgumentException("The chroma frame is empty.", nameof(chromaFrame));
        if (tonnetz6.Length != Dimensions)
            throw new ArgumentException($"Expected room for {Dimensions} tonnetz values, got {tonnetz6.Length}.", nameof(tonnetz6));

        int n = chromaFrame.Length;
        double[] phi = GetBasis(n);

        // util.normalize(norm=1): length = sum |x| in float64; the normalised column is stored as float32.
        double length = 0.0;
        for (int c = 0; c < n; c++)
            length += Math.Abs((double)chromaFrame[c]);
        if (length < 1.1754943508222875e-38)
            length = 1.0;

        tonnetz6.Clear();
        for (int c = 0; c < n; c++)
        {
            double x = (float)(chromaFrame[c] / length);
            for (int p = 0; p < Dimensions; p++)
                tonnetz6[p] += phi[p * n + c] * x;
        }
    }

    /// <summary>The 6 × n basis, row-major (exposed for tests).</summary>
    internal static double[] GetBasis(int chromaCount)
    {
        Basis? b = Volatile.Read(ref s_basis);
        if (b is not null && b.ChromaCount == chromaCount)
            return b.Phi;

        ReadOnlySpan<double> scale = [7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3];
        ReadOnlySpan<double> r = [1, 1, 1, 1, 0.5, 0.5];
        double step = 12.0 / chromaCount; // linspace(0, 12, n, endpoint=False)
        var phi = new double[Dimensions * chromaCount];
        for (int p = 0; p < Dimensions; p++)
        {
            for (int c = 0; c < chromaCount; c++)
            {
                double v = scale[p] * (c * step);
                if (p % 2 == 0)
                    v -= 0.5; // even rows are sines
                phi[p * chromaCount + c] = r[p] * Math.Cos(Math.PI * v);
            }
        }
        Volatile.Write(ref s_basis, new Basis(chromaCount, phi));
        return phi;
    }
}
