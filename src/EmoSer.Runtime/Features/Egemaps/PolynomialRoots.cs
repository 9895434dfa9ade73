namespace EmoSer.Runtime.Features.Egemaps;

/// <summary>
/// Complex roots of a real polynomial as the eigenvalues of its companion matrix: the matrix is balanced by
/// powers of two and reduced by Francis double-shift QR iterations on the upper Hessenberg form (the
/// companion matrix already is one). Real roots come out with an imaginary part of exactly 0, complex ones in
/// conjugate pairs. Allocates nothing per call.
/// </summary>
internal sealed class PolynomialRoots
{
    private readonly int _n;
    private readonly double[] _h;

    public PolynomialRoots(int degree)
    {
        _n = degree;
        _h = new double[degree * degree];
    }

    /// <summary>
    /// Roots of sum_i a[i] x^i (a has degree + 1 coefficients, a[degree] != 0) into (re, im) pairs: by the
    /// Ehrlich-Aberth iteration (about a tenth of the companion-matrix QR's work for LPC polynomials), falling back
    /// to <see cref="SolveQr"/> when it does not converge. Both are backward stable; the root sets agree to rounding,
    /// though not in order.
    /// </summary>
    /// <returns>False when neither converged (roots then undefined).</returns>
    public bool Solve(ReadOnlySpan<double> a, Span<double> roots) => SolveAberth(a, roots) || SolveQr(a, roots);

    /// <summary>Ehrlich-Aberth simultaneous iteration from points on the unit circle (LPC roots lie near it).</summary>
    internal bool SolveAberth(ReadOnlySpan<double> a, Span<double> roots)
    {
        int n = _n;
        Span<double> zr = stackalloc double[n];
        Span<double> zi = stackalloc double[n];
        Span<double> c = stackalloc double[n + 1];
        Span<bool> done = stackalloc bool[n];
        Span<double> lastStep = stackalloc double[n];
        double lead = a[n];
        if (lead == 0.0 || !double.IsFinite(lead))
            return false;
        for (int k = 0; k <= n; k++)
        {
            c[k] = a[k] / lead;
            if (!double.IsFinite(c[k]))
                return false;
        }
        for (int i = 0; i < n; i++)
        {
            double phi = 2.0 * Math.PI * i / n + 0.4;
            zr[i] = Math.Cos(phi);
            zi[i] = Math.Sin(phi);
            done[i] = false;
            lastStep[i] = double.MaxValue;
        }
        int remaining = n;
        for (int iter = 0; iter < 500 && remaining > 0; iter++)
        {
            for (int i = 0; i < n; i++)
            {
                if (done[i]) continue;
                double xr = zr[i], xi = zi[i];
                // Horner: p and p'
                double pr = c[n], pi = 0.0, dr = 0.0, di = 0.0;
                for (int k = n - 1; k >= 0; k--)
                {
                    double tr = dr * xr - di * xi + pr, ti = dr * xi + di * xr + pi;
                    dr = tr; di = ti;
                    tr = pr * xr - pi * xi + c[k];
                    ti = pr * xi + pi * xr;
                    pr = tr; pi = ti;
                }
                if (pr == 0.0 && pi == 0.0)
                {
                    done[i] = true;
                    remaining--;
                    continue;
                }
                // w = p / p'
                double dd = dr * dr + di * di;
                if (dd == 0.0) return false;
                double wr = (pr * dr + pi * di) / dd, wi = (pi * dr - pr * di) / dd;
                // s = sum 1 / (z_i - z_j)
                double sr = 0.0, si = 0.0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double er = xr - zr[j], ei = xi - zi[j];
                    double ee = er * er + ei * ei;
                    if (ee == 0.0) return false;
                    sr += er / ee;
                    si -= ei / ee;
                }
                // dz = w / (1 - w s)
                double qr = 1.0 - (wr * sr - wi * si), qi = -(wr * si + wi * sr);
                double qq = qr * qr + qi * qi;
                if (qq == 0.0) return false;
                double zr1 = (wr * qr + wi * qi) / qq, zi1 = (wi * qr - wr * qi) / qq;
                zr[i] = xr - zr1;
                zi[i] = xi - zi1;
                if (!double.IsFinite(zr[i]) || !double.IsFinite(zi[i])) return false;
                // Converged: the step is at rounding level, or (near a multiple root, whose accuracy is limited
                // to about the square root of the rounding) small and no longer shrinking.
                double step = zr1 * zr1 + zi1 * zi1, mag = xr * xr + xi * xi + 1e-300;
                bool stalled = step <= 1e-16 * mag && step >= 0.25 * lastStep[i];
                lastStep[i] = step;
                if (step <= 1e-26 * mag || stalled)
                {
                    done[i] = true;
                    remaining--;
                }
            }
        }
        if (remaining > 0)
            return false;
        for (int i = 0; i < n; i++)
        {
            roots[2 * i] = zr[i];
            roots[2 * i + 1] = zi[i];
        }
        return true;
    }

    /// <summary>Roots as the eigenvalues of the balanced companion matrix (Francis double-shift QR).</summary>
    internal bool SolveQr(ReadOnlySpan<double> a, Span<double> roots)
    {
        int n = _n;
        double[] h = _h;
        Array.Clear(h);
        for (int i = 1; i < n; i++)
            h[i * n + i - 1] = 1.0;
        for (int i = 0; i < n; i++)
            h[i * n + n - 1] = -a[i] / a[n];
        unsafe
        {
            fixed (double* hp = h)
            {
                Balance(hp, n);
                return Hqr(hp, n, roots);
            }
        }
    }

    private static unsafe void Balance(double* a, int n)
    {
        const double radix = 2.0, sqrdx = radix * radix;
        bool done = false;
        while (!done)
        {
            done = true;
            for (int i = 0; i < n; i++)
            {
                double r = 0.0, c = 0.0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    c += Math.Abs(a[j * n + i]);
                    r += Math.Abs(a[i * n + j]);
                }
                if (c == 0.0 || r == 0.0) continue;
                double g = r / radix, f = 1.0, s = c + r;
                while (c < g) { f *= radix; c *= sqrdx; }
                g = r * radix;
                while (c > g) { f /= radix; c /= sqrdx; }
                if ((c + r) / f < 0.95 * s)
                {
                    done = false;
                    g = 1.0 / f;
                    for (int j = 0; j < n; j++) a[i * n + j] *= g;
                    for (int j = 0; j < n; j++) a[j * n + i] *= f;
                }
            }
        }
    }

    private static unsafe bool Hqr(double* a, int n, Span<double> wr)
    {
        // Eigenvalues of an upper Hessenberg matrix (row-major a[i*n+j]); results as (re, im) pairs.
        double anorm = 0.0;
        for (int i = 0; i < n; i++)
            for (int j = Math.Max(i - 1, 0); j < n; j++)
                anorm += Math.Abs(a[i * n + j]);
        int nn = n - 1;
        double t = 0.0;
        double p = 0, q = 0, r = 0, s, w, x, y, z;
        while (nn >= 0)
        {
            int its = 0, l;
            do
            {
                for (l = nn; l >= 1; l--)
                {
                    s = Math.Abs(a[(l - 1) * n + l - 1]) + Math.Abs(a[l * n + l]);
                    if (s == 0.0) s = anorm;
                    if (Math.Abs(a[l * n + l - 1]) + s == s)
                    {
                        a[l * n + l - 1] = 0.0;
                        break;
                    }
                }
                x = a[nn * n + nn];
                if (l == nn)
                {
                    wr[2 * nn] = x + t;
                    wr[2 * nn + 1] = 0.0;
                    nn--;
                }
                else
                {
                    y = a[(nn - 1) * n + nn - 1];
                    w = a[nn * n + nn - 1] * a[(nn - 1) * n + nn];
                    if (l == nn - 1)
                    {
                        p = 0.5 * (y - x);
                        q = p * p + w;
                        z = Math.Sqrt(Math.Abs(q));
                        x += t;
                        if (q >= 0.0)
                        {
                            z = p + (p >= 0 ? Math.Abs(z) : -Math.Abs(z));
                            wr[2 * (nn - 1)] = wr[2 * nn] = x + z;
                            if (z != 0.0) wr[2 * nn] = x - w / z;
                            wr[2 * (nn - 1) + 1] = wr[2 * nn + 1] = 0.0;
                        }
                        else
                        {
                            wr[2 * (nn - 1)] = wr[2 * nn] = x + p;
                            wr[2 * (nn - 1) + 1] = z;
                            wr[2 * nn + 1] = -z;
                        }
                        nn -= 2;
                    }
                    else
                    {
                        if (its == 60) return false;
                        if (its == 10 || its == 20)
                        {
                            t += x;
                            for (int i = 0; i <= nn; i++) a[i * n + i] -= x;
                            s = Math.Abs(a[nn * n + nn - 1]) + Math.Abs(a[(nn - 1) * n + nn - 2]);
                            y = x = 0.75 * s;
                            w = -0.4375 * s * s;
                        }
                        ++its;
                        int m;
                        for (m = nn - 2; m >= l; m--)
                        {
                            z = a[m * n + m];
                            r = x - z;
                            s = y - z;
                            p = (r * s - w) / a[(m + 1) * n + m] + a[m * n + m + 1];
                            q = a[(m + 1) * n + m + 1] - z - r - s;
                            r = a[(m + 2) * n + m + 1];
                            s = Math.Abs(p) + Math.Abs(q) + Math.Abs(r);
                            p /= s; q /= s; r /= s;
                            if (m == l) break;
                            double u = Math.Abs(a[m * n + m - 1]) * (Math.Abs(q) + Math.Abs(r));
                            double v = Math.Abs(p) * (Math.Abs(a[(m - 1) * n + m - 1]) + Math.Abs(z) + Math.Abs(a[(m + 1) * n + m + 1]));
                            if (u + v == v) break;
                        }
                        for (int i = m; i < nn - 1; i++)
                        {
                            a[(i + 2) * n + i] = 0.0;
                            if (i != m) a[(i + 2) * n + i - 1] = 0.0;
                        }
                        for (int k = m; k < nn; k++)
                        {
                            if (k != m)
                            {
                                p = a[k * n + k - 1];
                                q = a[(k + 1) * n + k - 1];
                                r = 0.0;
                                if (k + 1 != nn) r = a[(k + 2) * n + k - 1];
                                if ((x = Math.Abs(p) + Math.Abs(q) + Math.Abs(r)) != 0.0)
                                {
                                    p /= x; q /= x; r /= x;
                                }
                            }
                            s = Math.Sqrt(p * p + q * q + r * r);
                            if (p < 0) s = -s;
                            if (s != 0)
                            {
                                if (k == m)
                                {
                                    if (l != m) a[k * n + k - 1] = -a[k * n + k - 1];
                                }
                                else
                                {
                                    a[k * n + k - 1] = -s * x;
                                }
                                p += s;
                                x = p / s; y = q / s; z = r / s;
                                q /= p; r /= p;
                                for (int j = k; j <= nn; j++)
                                {
                                    p = a[k * n + j] + q * a[(k + 1) * n + j];
                                    if (k + 1 != nn)
                                    {
                                        p += r * a[(k + 2) * n + j];
                                        a[(k + 2) * n + j] -= p * z;
                                    }
                                    a[(k + 1) * n + j] -= p * y;
                                    a[k * n + j] -= p * x;
                                }
                                int mmin = nn < k + 3 ? nn : k + 3;
                                for (int i = l; i <= mmin; i++)
                                {
                                    p = x * a[i * n + k] + y * a[i * n + k + 1];
                                    if (k + 1 != nn)
                                    {
                                        p += z * a[i * n + k + 2];
                                        a[i * n + k + 2] -= p * r;
                                    }
                                    a[i * n + k + 1] -= p * q;
                                    a[i * n + k] -= p;
                                }
                            }
                        }
                    }
                }
            } while (l < nn - 1);
        }
        return true;
    }
}
