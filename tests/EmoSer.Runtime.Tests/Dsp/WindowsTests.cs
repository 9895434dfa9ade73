using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Tests.Dsp;

[Trait("Category", "unit")]
public class WindowsTests
{
    [Theory]
    [InlineData(2048)]
    [InlineData(16)]
    [InlineData(7)]
    public void Periodic_hann_is_the_textbook_formula_over_N(int n)
    {
        var w = new float[n];
        Windows.Hann(w);
        for (int k = 0; k < n; k++)
            Assert.Equal(0.5 - 0.5 * Math.Cos(2 * Math.PI * k / n), w[k], 1e-7);
        Assert.Equal(0f, w[0]);
        if (n % 2 == 0)
            Assert.Equal(1f, w[n / 2]);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(9)]
    public void Symmetric_hann_is_the_formula_over_N_minus_1_and_ends_in_zero(int n)
    {
        var w = new float[n];
        Windows.Hann(w, periodic: false);
        for (int k = 0; k < n; k++)
            Assert.Equal(0.5 - 0.5 * Math.Cos(2 * Math.PI * k / (n - 1)), w[k], 1e-7);
        Assert.Equal(w[0], w[n - 1], 7);
    }

    [Fact]
    public void Empty_window_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Windows.Hann(Span<float>.Empty));
        Assert.StartsWith("The window needs at least one point.", ex.Message);
    }
}
