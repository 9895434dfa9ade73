using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Tests.Dsp;

[Trait("Category", "unit")]
public class DctAndDecibelTests
{
    [Fact]
    public void Full_orthonormal_DCT_II_preserves_energy_and_matches_the_definition()
    {
        const int n = 128;
        var rng = new Random(2);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var full = new double[n];
        new DctII(n, n).Transform(x, full);
        Assert.Equal(x.Sum(v => v * v), full.Sum(v => v * v), 9);
        for (int k = 0; k < n; k += 17)
        {
            double s = k == 0 ? Math.Sqrt(1.0 / n) : Math.Sqrt(2.0 / n), acc = 0;
            for (int i = 0; i < n; i++)
                acc += x[i] * Math.Cos(Math.PI * k * (2 * i + 1) / (2.0 * n));
            Assert.Equal(s * acc, full[k], 12);
        }
        var first50 = new double[50];
        new DctII(n, 50).Transform(x, first50);
        Assert.Equal(full[..50], first50);
    }

    [Fact]
    public void Dct_rejects_wrong_lengths()
    {
        var dct = new DctII(128, 50);
        var ex = Assert.Throws<ArgumentException>(() => dct.Transform(new double[127], new double[50]));
        Assert.StartsWith("Input has 127 points; this DCT takes 128.", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DctII(10, 11));
    }

    [Fact]
    public void Power_to_db_uses_amin_and_a_floor_from_the_global_maximum()
    {
        float[] power = [1f, 0.1f, 0f, 1e-12f, 100f];
        var db = new float[power.Length];
        PowerToDb.Convert(power, db);
        Assert.Equal(0f, db[0], 4);
        Assert.Equal(-10f, db[1], 4);
        Assert.Equal(-100f, db[2], 3);   // amin 1e-10
        Assert.Equal(-100f, db[3], 3);
        Assert.Equal(20f, db[4], 4);
        float floor = PowerToDb.Floor(db.Max());
        Assert.Equal(-60f, floor, 4);
        PowerToDb.ClampBelow(db, floor);
        Assert.Equal(new[] { 0f, -10f, -60f, -60f, 20f }, db.Select(v => MathF.Round(v, 3)).ToArray());
    }
}
