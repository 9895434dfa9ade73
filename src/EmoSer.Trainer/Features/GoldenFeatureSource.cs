using System.Text.Json;
using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Features;

/// <summary>
/// Precomputed librosa features of Emo-DB (shared/golden/emodb-librosa-193.json), looked up by file name.
/// A stand-in used only until the runtime extractor is available; it cannot extract new audio, so no augmentation.
/// </summary>
public sealed class GoldenFeatureSource : IFeatureSource
{
    private readonly Dictionary<string, float[]> _byName;

    /// <summary>Loads the golden JSON (<c>{"features": {"name.wav": [193 numbers]}}</c>).</summary>
    public GoldenFeatureSource(string jsonPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        _byName = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.GetProperty("features").EnumerateObject())
            _byName[p.Name] = p.Value.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        FeatureCount = _byName.Values.First().Length;
    }

    /// <inheritdoc/>
    public string FeatureSetId => "librosa-seed-193";
    /// <inheritdoc/>
    public int ExtractorVersion => 1;
    /// <inheritdoc/>
    public int FeatureCount { get; }
    /// <inheritdoc/>
    public int SampleRate => 16000;
    /// <inheritdoc/>
    public bool CanExtractAudio => false;

    /// <inheritdoc/>
    public float[] Get(Utterance utterance) =>
        _byName.TryGetValue(Path.GetFileName(utterance.Path), out var f)
            ? f
            : throw new CorpusException($"{utterance.Path}: no golden features for this file");

    /// <inheritdoc/>
    public float[] LoadAudio(Utterance utterance) =>
        throw new NotSupportedException("golden features have no audio (augmentation needs the runtime extractor)");

    /// <inheritdoc/>
    public float[] Extract(ReadOnlySpan<float> mono, int sampleRate) =>
        throw new NotSupportedException("golden features cannot extract new audio (augmentation needs the runtime extractor)");
}
