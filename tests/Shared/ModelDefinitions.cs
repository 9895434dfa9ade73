using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Tests.Shared;

/// <summary>Variants of a model definition for tests (ModelDefinition has init-only properties and no copy).</summary>
public static class ModelDefinitions
{
    /// <summary>A copy of <paramref name="d"/> with <paramref name="speaker"/> as its speaker normalization (null: none).</summary>
    public static ModelDefinition WithSpeaker(ModelDefinition d, SpeakerNormalization? speaker) =>
        Copy(d, speaker, d.TestTimeSpeedFactors, d.FrontEnd, d.Temperature);

    /// <summary>A copy of <paramref name="d"/> with <paramref name="factors"/> as its test-time speed factors (none: a version 1 file).</summary>
    public static ModelDefinition WithSpeedFactors(ModelDefinition d, params float[] factors) =>
        Copy(d, d.Speaker, factors, d.FrontEnd, d.Temperature);

    /// <summary>A copy of <paramref name="d"/> made for feature extractor version <paramref name="version"/>.</summary>
    public static ModelDefinition WithExtractorVersion(ModelDefinition d, int version) =>
        Copy(d, d.Speaker, d.TestTimeSpeedFactors, d.FrontEnd, d.Temperature, extractorVersion: version);

    /// <summary>A copy of <paramref name="d"/> with <paramref name="card"/> as its model card.</summary>
    public static ModelDefinition WithCard(ModelDefinition d, string? card) =>
        Copy(d, d.Speaker, d.TestTimeSpeedFactors, d.FrontEnd, d.Temperature, card: card, keepCard: false);

    /// <summary>A copy of <paramref name="d"/> with <paramref name="frontEnd"/> and <paramref name="temperature"/> (format version 3 unless null and 1).</summary>
    public static ModelDefinition WithFrontEnd(ModelDefinition d, EmoSer.Runtime.Audio.FrontEndSettings? frontEnd, float temperature = 1) =>
        Copy(d, d.Speaker, d.TestTimeSpeedFactors, frontEnd, temperature);

    private static ModelDefinition Copy(ModelDefinition d, SpeakerNormalization? speaker, IReadOnlyList<float> factors,
        EmoSer.Runtime.Audio.FrontEndSettings? frontEnd, float temperature, int? extractorVersion = null, string? card = null, bool keepCard = true) => new()
    {
        Kind = d.Kind, Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = extractorVersion ?? d.ExtractorVersion,
        InputLength = d.InputLength, InputChannels = d.InputChannels, Labels = d.Labels, InputMean = d.InputMean, InputStd = d.InputStd,
        Speaker = speaker, ModelCardJson = keepCard ? d.ModelCardJson : card, TestTimeSpeedFactors = factors, Members = d.Members,
        FrontEnd = frontEnd, Temperature = temperature,
    };
}
