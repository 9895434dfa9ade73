namespace EmoSer.Runtime.Model;

/// <summary>
/// Scratch memory for one <see cref="EmotionModel.Predict(ReadOnlySpan{float}, Span{float}, InferenceWorkspace)"/>
/// call at a time: reuse it to predict without allocating. Not thread-safe: give each thread its own
/// (from <see cref="EmotionModel.CreateWorkspace"/>).
/// </summary>
internal sealed class InferenceWorkspace
{
    internal InferenceWorkspace(EmotionModel owner, int activationElements, int scratchElements, int labels, int speakerElements)
    {
        SpeakerMean = new float[speakerElements];
        SpeakerStd = new float[speakerElements];
        SpeakerInput = new float[speakerElements];
        Owner = owner;
        Ping = new float[activationElements];
        Pong = new float[activationElements];
        Scratch = new float[Math.Max(1, scratchElements)];
        MemberProbabilities = new float[labels];
    }

    internal EmotionModel Owner { get; }

    internal float[] Ping { get; }

    internal float[] Pong { get; }

    internal float[] Scratch { get; }

    internal float[] MemberProbabilities { get; }

    internal float[] SpeakerMean { get; }

    internal float[] SpeakerStd { get; }

    internal float[] SpeakerInput { get; }
}
