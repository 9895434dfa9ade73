namespace EmoSer.Edge.Serve;

/// <summary>
/// The model being served, as the HTTP layer sees it: labels, identity and a thread-safe classify call.
/// Keeping the server behind this seam lets a swap replace the whole engine with one reference write.
/// </summary>
internal interface IClassifierEngine
{
    /// <summary>Model name (from the weights file).</summary>
    string Name { get; }

    /// <summary>Identity of the loaded weights: file name and a content hash prefix.</summary>
    string Version { get; }

    /// <summary>Output labels, in probability order.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Sample rate the model's features are computed at.</summary>
    int SampleRate { get; }

    /// <summary>The model card JSON stored with the weights, if any.</summary>
    string? ModelCardJson { get; }

    /// <summary>Class probabilities of <paramref name="mono"/> at <paramref name="sampleRate"/>; thread-safe.</summary>
    float[] Classify(ReadOnlySpan<float> mono, int sampleRate);
}
