namespace EmoSer.Runtime.Streaming;

/// <summary>One hop of an <see cref="EmotionStream"/>: the classification of the window that ended there.</summary>
/// <param name="Start">Window start in seconds from the beginning of the stream.</param>
/// <param name="End">Window end in seconds.</param>
/// <param name="Silence">True when the window's RMS level is below the stream's silence threshold; then it is not classified.</param>
/// <param name="Emotion">The most probable label, or null for silence.</param>
/// <param name="Confidence">Its probability (0 for silence).</param>
/// <param name="Probabilities">One probability per label (empty for silence).</param>
public readonly record struct StreamResult(double Start, double End, bool Silence, string? Emotion, float Confidence, float[] Probabilities)
{
    /// <summary>
    /// Utterances (windows or enrollment files) in the speaker profile this window was classified with; 0 for
    /// silence, for the population statistics and for a model without speaker normalization.
    /// </summary>
    public long SpeakerUtterances { get; init; }
}
