namespace EmoSer.Runtime.Speakers;

/// <summary>
/// Per-speaker standardization (weights format normalization <c>2</c>, docs/speaker-normalization.md): before the
/// model's own standardization, each feature vector is standardized with its speaker's statistics,
/// <c>z = (x - m) / s</c>. A speaker's <c>m</c> and <c>s</c> come from a <see cref="SpeakerProfile"/> of that speaker's
/// utterances, shrunk towards the population statistics of the training speakers with <see cref="PriorWeight"/>
/// pseudo-utterances; with no profile (or an empty one) they are the population statistics themselves.
/// </summary>
/// <param name="PriorWeight">Pseudo-utterance count of the population prior (finite, &gt; 0).</param>
/// <param name="PopulationMean">Mean over the training speakers of each speaker's feature mean.</param>
/// <param name="PopulationStd">Square root of the mean over the training speakers of each speaker's feature variance (every value &gt; 0).</param>
public sealed record SpeakerNormalization(float PriorWeight, float[] PopulationMean, float[] PopulationStd);
