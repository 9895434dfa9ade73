namespace EmoSer.Runtime.Dsp;

/// <summary>
/// Orthonormal DCT-II (<c>scipy.fftpack.dct(x, type=2, norm='ortho')</c>), keeping the first
/// <see cref="OutputCount"/> coefficients: <c>X[k] = s_k sum_n x[n] cos(pi k (2n + 1) / 2N)</c> with
/// <c>s_0 = sqrt(1/N)</c>, <c>s_k = sqrt(2/N)</c>. A precomputed double-precision matrix; meant for short inputs
/// (the 128 mel bands of an MFCC), where a matrix product is as fast as any fast algorithm.
/// </summary>
internal sealed class DctII
{
    private readonly double[] _basis;

    /// <summary>Creates the transform of <paramref name="inputLength"/> points keeping <paramref name="outputCount"/> coefficients.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or more outputs than inputs are asked for.</exception>
    public DctII(int inputLength, int outputCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputCount, inputLength);
        InputLength = inputLength;
        OutputCount = outputCount;
        _basis = new double[outputCount * inputLength];
        for (int k = 0; k < outputCount; k++)
        {
            double s = k == 0 ? Math.Sqrt(1.0 / inputLength) : Math.Sqrt(2.0 / inputLength);
            for (int n = 0; n < inputLength; n++)
                _basis[k * inputLength + n] = s * Math.Cos(Math.PI * k * (2 * n + 1) / (2.0 * inputLength));
        }
    }

    /// <summary>Number of input points N.</summary>
    public int InputLength { get; }

    /// <summary>Number of coefficients produced.</summary>
    public int OutputCount { get; }

    /// <summary>First <see cref="OutputCount"/> coefficients of <paramref name="input"/> (length N).</summary>
    public void Transform(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length != InputLength)
            throw new ArgumentException($"Input has {input.Length} points; this DCT takes {InputLength}.", nameof(input));
        if (output.Length < OutputCount)
            throw new ArgumentException($"Output needs {OutputCount} coefficients.", nameof(output));
        for (int k = 0; k < OutputCount; k++)
        {
            ReadOnlySpan<double> row = _basis.AsSpan(k * InputLength, InputLength);
            double acc = 0;
            for (int n = 0; n < row.Length; n++)
                acc += row[n] * input[n];
            output[k] = acc;
        }
    }
}
