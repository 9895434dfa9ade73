namespace EmoSer.Runtime.Dsp;

/// <summary>Analysis windows.</summary>
public static class Windows
{
    /// <summary>
    /// Fills <paramref name="window"/> with a Hann window of its length N, as
    /// <c>scipy.signal.get_window('hann', N, fftbins=periodic)</c>: the periodic window is the first N points of
    /// the symmetric window of N + 1 points (the form STFTs use), the symmetric one ends in zeros at both ends.
    /// Computed in double precision the way scipy does (<c>0.5 + 0.5 cos(linspace(-pi, pi, M))</c>) and rounded once.
    /// </summary>
    /// <param name="window">Receives the N window values; N &gt;= 1.</param>
    /// <param name="periodic">True for the DFT-even (periodic) window, false for the symmetric one.</param>
    /// <exception cref="ArgumentException"><paramref name="window"/> is empty.</exception>
    public static void Hann(Span<float> window, bool periodic = true)
    {
        if (window.IsEmpty)
            throw new ArgumentException("The window needs at least one point.", nameof(window));
        for (int k = 0; k < window.Length; k++)
            window[k] = (float)HannPoint(k, window.Length, periodic);
    }

    /// <summary>The same window in double precision (the STFT multiplies in float64, as librosa does).</summary>
    internal static void Hann(Span<double> window, bool periodic = true)
    {
        for (int k = 0; k < window.Length; k++)
            window[k] = HannPoint(k, window.Length, periodic);
    }

    private static double HannPoint(int k, int n, bool periodic)
    {
        if (n == 1)
            return 1.0;
        int points = periodic ? n + 1 : n;
        double step = 2.0 * Math.PI / (points - 1);
        return 0.5 + 0.5 * Math.Cos(-Math.PI + k * step);
    }
}
