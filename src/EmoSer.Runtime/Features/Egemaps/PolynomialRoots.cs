using System.Runtime.Intrinsics;

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

    /// <summary>Polynomials <see cref="SolveLanes"/> solves at once (one per Vector256&lt;double&gt; lane).</summary>
    public const int Lanes = 4;

    /// <summary>
    /// <see cref="Solve"/> of <c>ok.Length</c> (1 to <see cref="Lanes"/>) polynomials at once, bit for bit: polynomial j's
    /// <c>degree + 1</c> coefficients at <c>a[j * (degree + 1)..]</c>, its roots to <c>roots[j * 2 degree..]</c>. The
    /// Ehrlich-Aberth sweep is a serial chain (each root's update reads the roots updated before it), so one
    /// polynomial runs at the latency of its divisions; the Vector256 path runs one polynomial per lane, each lane
    /// doing <see cref="SolveAberth"/>'s operations in its order and stopping where it would, and takes the QR
    /// fallback for the lanes where it would.
    /// </summary>
    public void SolveLanes(ReadOnlySpan<double> a, Span<double> roots, Span<bool> ok)
    {
        int n = _n, count = ok.Length;
        if (!Vector256.IsHardwareAccelerated || count == 1)
        {
            for (int j = 0; j < count; j++)
                ok[j] = Solve(a.Slice(j * (n + 1), n + 1), roots.Slice(j * 2 * n, 2 * n));
            return;
        }
        uint converged = AberthLanes(a, roots, count);
        for (int j = 0; j < count; j++)
        {
            ok[j] = (converged & (1u << j)) != 0
                || SolveQr(a.Slice(j * (n + 1), n + 1), roots.Slice(j * 2 * n, 2 * n));
        }
    }

    /// <summary><see cref="SolveAberth"/> in lanes; returns the bit mask of lanes that converged (their roots written).</summary>
    private uint AberthLanes(ReadOnlySpan<double> a, Span<double> roots, int count)
    {
        int n = _n, stride = n + 1;
        Span<Vector256<double>> c = stackalloc Vector256<double>[n + 1];
        Span<Vector256<double>> zr = stackalloc Vector256<double>[n];
        Span<Vector256<double>> zi = stackalloc Vector256<double>[n];
        Span<Vector256<double>> done = stackalloc Vector256<double>[n];
        Span<Vector256<double>> lastStep = stackalloc Vector256<double>[n];
        // unused lanes repeat the first polynomial
        int s1 = count > 1 ? stride : 0, s2 = count > 2 ? 2 * stride : 0, s3 = count > 3 ? 3 * stride : 0;
        Vector256<double> zero = Vector256<double>.Zero;
        Vector256<double> lead = Vector256.Create(a[n], a[s1 + n], a[s2 + n], a[s3 + n]);
        Vector256<double> failed = Vector256.Equals(lead, zero) | ~IsFinite(lead);
        for (int k = 0; k <= n; k++)
        {
            c[k] = Vector256.Create(a[k], a[s1 + k], a[s2 + k], a[s3 + k]) / lead;
            failed |= ~IsFinite(c[k]);
        }
        for (int i = 0; i < n; i++)
        {
            double phi = 2.0 * Math.PI * i / n + 0.4;
            zr[i] = Vector256.Create(Math.Cos(phi));
            zi[i] = Vector256.Create(Math.Sin(phi));
            done[i] = zero;
            lastStep[i] = Vector256.Create(double.MaxValue);
        }
        var one = Vector256.Create(1.0);
        var signBit = Vector256.Create(-0.0);
        var tiny = Vector256.Create(1e-300);
        var quarter = Vector256.Create(0.25);
        var stallLimit = Vector256.Create(1e-16);
        var convergedLimit = Vector256.Create(1e-26);
        Vector256<double> finished = zero;   // lanes with every root done
        for (int iter = 0; iter < 500; iter++)
        {
            finished = Vector256<double>.AllBitsSet;
            for (int i = 0; i < n; i++)
                finished &= done[i];
            if (((failed | finished).ExtractMostSignificantBits() & 0xF) == 0xF)
                break;
            for (int i = 0; i < n; i++)
            {
                Vector256<double> active = ~(done[i] | failed);
                if (active.ExtractMostSignificantBits() == 0)
                    continue;
                Vector256<double> xr = zr[i], xi = zi[i];
                // Horner: p and p'
                Vector256<double> pr = c[n], pi = zero, dr = zero, di = zero;
                for (int k = n - 1; k >= 0; k--)
                {
                    Vector256<double> tr = dr * xr - di * xi + pr, ti = dr * xi + di * xr + pi;
                    dr = tr; di = ti;
                    tr = pr * xr - pi * xi + c[k];
                    ti = pr * xi + pi * xr;
                    pr = tr; pi = ti;
                }
                Vector256<double> zeroRoot = Vector256.Equals(pr, zero) & Vector256.Equals(pi, zero);
                done[i] |= active & zeroRoot;
                active &= ~zeroRoot;
                // w = p / p'
                Vector256<double> dd = dr * dr + di * di;
                Vector256<double> bad = Vector256.Equals(dd, zero);
                Vector256<double> wr = (pr * dr + pi * di) / dd, wi = (pi * dr - pr * di) / dd;
                // s = sum 1 / (z_i - z_j)
                Vector256<double> sr = zero, si = zero;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    Vector256<double> er = xr - zr[j], ei = xi - zi[j];
                    Vector256<double> ee = er * er + ei * ei;
                    bad |= Vector256.Equals(ee, zero);
                    sr += er / ee;
                    si -= ei / ee;
                }
                // dz = w / (1 - w s)
                Vector256<double> qr = one - (wr * sr - wi * si), qi = (wr * si + wi * sr) ^ signBit;
                Vector256<double> qq = qr * qr + qi * qi;
                bad |= Vector256.Equals(qq, zero);
                Vector256<double> zr1 = (wr * qr + wi * qi) / qq, zi1 = (wi * qr - wr * qi) / qq;
                Vector256<double> nr = xr - zr1, ni = xi - zi1;
                bad |= ~(IsFinite(nr) & IsFinite(ni));
                bad &= active;
                failed |= bad;
                Vector256<double> update = active & ~bad;
                zr[i] = Vector256.ConditionalSelect(update, nr, xr);
                zi[i] = Vector256.ConditionalSelect(update, ni, xi);
                Vector256<double> step = zr1 * zr1 + zi1 * zi1, mag = xr * xr + xi * xi + tiny;
                Vector256<double> stalled = Vector256.LessThanOrEqual(step, stallLimit * mag)
                    & Vector256.GreaterThanOrEqual(step, quarter * lastStep[i]);
                lastStep[i] = Vector256.ConditionalSelect(update, step, lastStep[i]);
                done[i] |= update & (Vector256.LessThanOrEqual(step, convergedLimit * mag) | stalled);
            }
        }
        finished = Vector256<double>.AllBitsSet;
        for (int i = 0; i < n; i++)
            finished &= done[i];
        uint ok = (finished & ~failed).ExtractMostSignificantBits();
        for (int j = 0; j < count; j++)
        {
            if ((ok & (1u << j)) == 0) continue;
            Span<double> r = roots.Slice(j * 2 * n, 2 * n);
            for (int i = 0; i < n; i++)
            {
                r[2 * i] = zr[i].GetElement(j);
                r[2 * i + 1] = zi[i].GetElement(j);
            }
        }
        return ok;
    }

    /// <summary>All bits set in lanes holding a finite value (x - x is 0 exactly then, NaN otherwise).</summary>
    private static Vector256<double> IsFinite(Vector256<double> x) => Vector256.Equals(x - x, Vector256<double>.Zero);

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
