namespace EmoSer.Runtime.Features;

/// <summary>
/// Names of the eGeMAPSv02 outputs, exactly as openSMILE 3.0.2 writes them in its CSV files: the 25 per-frame
/// low-level descriptors (one frame every 10 ms) and the 88 functionals, in output order.
/// </summary>
public static class EgemapsLayout
{
    /// <summary>Number of per-frame descriptors.</summary>
    public const int DescriptorCount = 25;

    /// <summary>Number of functionals.</summary>
    public const int FunctionalCount = 88;

    /// <summary>Seconds between two frames (and the time of frame k is k times this).</summary>
    public const double FramePeriodSeconds = 0.010;

    /// <summary>Index of <c>F0semitoneFrom27.5Hz_sma3nz</c> (0 in unvoiced frames) among the descriptors.</summary>
    public const int F0Descriptor = 10;

    /// <summary>The 25 descriptor names (openSMILE's <c>-lldcsvoutput</c> header after name and frameTime).</summary>
    public static IReadOnlyList<string> DescriptorNames { get; } =
    [
        "Loudness_sma3", "alphaRatio_sma3", "hammarbergIndex_sma3", "slope0-500_sma3", "slope500-1500_sma3",
        "spectralFlux_sma3", "mfcc1_sma3", "mfcc2_sma3", "mfcc3_sma3", "mfcc4_sma3",
        "F0semitoneFrom27.5Hz_sma3nz", "jitterLocal_sma3nz", "shimmerLocaldB_sma3nz", "HNRdBACF_sma3nz",
        "logRelF0-H1-H2_sma3nz", "logRelF0-H1-A3_sma3nz",
        "F1frequency_sma3nz", "F1bandwidth_sma3nz", "F1amplitudeLogRelF0_sma3nz",
        "F2frequency_sma3nz", "F2bandwidth_sma3nz", "F2amplitudeLogRelF0_sma3nz",
        "F3frequency_sma3nz", "F3bandwidth_sma3nz", "F3amplitudeLogRelF0_sma3nz",
    ];

    /// <summary>The 88 functional names (openSMILE's <c>-csvoutput</c> header after name and frameTime).</summary>
    public static IReadOnlyList<string> FunctionalNames { get; } = BuildFunctionalNames();

    private static string[] BuildFunctionalNames()
    {
        var names = new List<string>(FunctionalCount);
        foreach (string c in (string[])["F0semitoneFrom27.5Hz_sma3nz", "loudness_sma3"])
        {
            names.AddRange([c + "_amean", c + "_stddevNorm", c + "_percentile20.0", c + "_percentile50.0", c + "_percentile80.0",
                c + "_pctlrange0-2", c + "_meanRisingSlope", c + "_stddevRisingSlope", c + "_meanFallingSlope", c + "_stddevFallingSlope"]);
        }
        string[] meanStd =
        [
            "spectralFlux_sma3", "mfcc1_sma3", "mfcc2_sma3", "mfcc3_sma3", "mfcc4_sma3",
            "jitterLocal_sma3nz", "shimmerLocaldB_sma3nz", "HNRdBACF_sma3nz", "logRelF0-H1-H2_sma3nz", "logRelF0-H1-A3_sma3nz",
            "F1frequency_sma3nz", "F1bandwidth_sma3nz", "F1amplitudeLogRelF0_sma3nz",
            "F2frequency_sma3nz", "F2bandwidth_sma3nz", "F2amplitudeLogRelF0_sma3nz",
            "F3frequency_sma3nz", "F3bandwidth_sma3nz", "F3amplitudeLogRelF0_sma3nz",
            "alphaRatioV_sma3nz", "hammarbergIndexV_sma3nz", "slopeV0-500_sma3nz", "slopeV500-1500_sma3nz",
            "spectralFluxV_sma3nz", "mfcc1V_sma3nz", "mfcc2V_sma3nz", "mfcc3V_sma3nz", "mfcc4V_sma3nz",
        ];
        foreach (string c in meanStd)
            names.AddRange([c + "_amean", c + "_stddevNorm"]);
        foreach (string c in (string[])["alphaRatioUV_sma3nz", "hammarbergIndexUV_sma3nz", "slopeUV0-500_sma3nz", "slopeUV500-1500_sma3nz", "spectralFluxUV_sma3nz"])
            names.Add(c + "_amean");
        names.AddRange(["loudnessPeaksPerSec", "VoicedSegmentsPerSec", "MeanVoicedSegmentLengthSec", "StddevVoicedSegmentLengthSec",
            "MeanUnvoicedSegmentLength", "StddevUnvoicedSegmentLength", "equivalentSoundLevel_dBp"]);
        return [.. names];
    }
}
