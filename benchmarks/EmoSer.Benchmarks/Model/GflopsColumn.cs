using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EmoSer.Benchmarks.Model;

/// <summary>Marks a benchmark with the floating-point operations one invocation performs.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(double flops) : Attribute
{
    public double Flops { get; } = flops;
}

/// <summary>
/// A "GFLOP/s" column: [Flops] of the method divided by its minimum iteration time. The minimum, not the mean,
/// because the shared build machine is heavily loaded and the fastest iteration is the best estimate of what
/// one uncontended core does (the peak row is measured the same way, so the ratio stays fair).
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s (min)";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Floating-point operations per second (2 per multiply-add) from the method's [Flops] count and its minimum time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var flops = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttributes(typeof(FlopsAttribute), false);
        var report = summary[benchmarkCase];
        if (flops.Length == 0 || report?.ResultStatistics is not { } stats)
            return "-";
        return (((FlopsAttribute)flops[0]).Flops / stats.Min).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}
