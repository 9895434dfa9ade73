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
        int n = window.Length;
        if (n == 0)
            throw new ArgumentException("The window needs at least one point.", nameof(window));
        if (n == 1)
        {
            window[0] = 1f;
            return;
        }
        int points = periodic ? n + 1 : n;
        double step = 2.0 * Math.PI / (points - 1);
        for (int k = 0; k < n; k++)
            window[k] = (float)(0.5 + 0.5 * Math.Cos(-Math.PI + k * step));
    }
}
