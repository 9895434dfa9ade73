using System.Text.Json;
using EmoSer.Runtime;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Programs.Output;

/// <summary>
/// One <see cref="StreamResult"/> as JSON: the line of <c>emoser stream</c> and the message of <c>serve</c>'s WebSocket
/// <c>/stream</c>, written by this one method so the two stay the same (docs/cli-json.md, docs/http-api.md).
/// </summary>
internal static class StreamResultJson
{
    /// <summary>Writes the result object; <paramref name="speakerSource"/> null leaves out <c>speaker</c> (a model without speaker normalization).</summary>
    public static void Write(Utf8JsonWriter w, StreamResult r, IReadOnlyList<string> labels, string? speakerSource)
    {
        w.WriteStartObject();
        w.WriteNumber("start", r.Start);
        w.WriteNumber("end", r.End);
        w.WriteBoolean("silence", r.Silence);
        if (r.Silence || r.Emotion is null)
        {
            w.WriteNull("emotion");
            w.WriteNull("confidence");
            w.WriteNull("probabilities");
            if (speakerSource is not null)
                w.WriteNull("speaker");
        }
        else
        {
            w.WriteString("emotion", r.Emotion);
            w.WriteNumber("confidence", r.Confidence);
            JsonLineWriter.WriteProbabilities(w, "probabilities", labels, r.Probabilities);
            if (speakerSource is not null)
                JsonLineWriter.WriteSpeaker(w, speakerSource, r.SpeakerUtterances);
        }
        w.WriteEndObject();
    }
}
