namespace EmoSer.Runtime.ModelFile;

/// <summary>Constants and limits of the weights file format, versions 1 to 3 (docs/weights-format.md).</summary>
internal static class ModelFileFormat
{
    public static ReadOnlySpan<byte> Magic => "EMOSERWF"u8;

    /// <summary>Version 1: no test-time speed factors. Written whenever a model has none, so such files stay byte-identical.</summary>
    public const uint VersionWithoutSpeedFactors = 1;

    /// <summary>Version 2: version 1 plus the test-time speed factors after the input normalization block.</summary>
    public const uint VersionWithSpeedFactors = 2;

    /// <summary>Version 3: version 2 plus the front end and the temperature after the speed factors.</summary>
    public const uint VersionWithFrontEnd = 3;

    /// <summary>Front end flag bits of version 3.</summary>
    public const uint FrontEndRemoveDc = 1, FrontEndTrim = 2, FrontEndLevel = 4, FrontEndPresent = 8, FrontEndKnownFlags = 15;

    public const int FixedHeaderBytes = 32;
    public const int Alignment = 64;
    public const string KindCnn1dSequential = "cnn1d-sequential";
    public const uint NormalizationNone = 0;
    public const uint NormalizationStandardize = 1;
    public const uint NormalizationSpeakerStandardize = 2;
    public const uint DTypeFloat32 = 1;
    public const uint PaddingSame = 0;
    public const uint FlattenChannelsLast = 0;
    public const string MeanTensorName = "input.mean";
    public const string StdTensorName = "input.std";
    public const string SpeakerMeanTensorName = "speaker.mean";
    public const string SpeakerStdTensorName = "speaker.std";
    public const float MaxSpeakerPriorWeight = 1e6f;
    public const int MaxSpeedFactors = 8;

    public const int MaxLabels = 1024;
    public const int MaxModelCardBytes = 1 << 20;
    public const int MaxMembers = 64;
    public const int MaxLayers = 64;
    public const int MaxLayerParams = 8;
    public const int MaxLayerTensors = 8;
    public const int MaxTensors = 4096;
    public const int MaxRank = 4;

    /// <summary>Largest file the loader accepts (the shipped model is ~1.3 MB).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Largest input length, channel count, kernel or layer width the loader accepts.</summary>
    public const int MaxDimension = 1 << 20;

    /// <summary>Largest activation (elements) any layer may produce, so a header cannot ask for a huge workspace.</summary>
    public const long MaxActivationElements = 1L << 24;

    public static long AlignUp(long value) => (value + Alignment - 1) & ~(long)(Alignment - 1);
}
