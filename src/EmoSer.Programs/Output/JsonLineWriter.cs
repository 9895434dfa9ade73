using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EmoSer.Programs.Output;

/// <summary>
/// Writes JSON Lines (one compact object per line) to a <see cref="TextWriter"/> with a reused
/// <see cref="Utf8JsonWriter"/> (no reflection, AOT-safe). Floats use the shortest round-trip form.
/// </summary>
internal sealed class JsonLineWriter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        // Output goes to terminals and pipes, never into HTML: keep non-ASCII file names readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly TextWriter _output;
    private readonly ArrayBufferWriter<byte> _bytes = new(4096);
    private readonly Utf8JsonWriter _json;
    private char[] _chars = new char[4096];

    public JsonLineWriter(TextWriter output)
    {
        _output = output;
        _json = new Utf8JsonWriter(_bytes, s_options);
    }

    /// <summary>Starts a line: returns the writer positioned before the line's first token.</summary>
    public Utf8JsonWriter Begin()
    {
        _bytes.ResetWrittenCount();
        _json.Reset(_bytes);
        return _json;
    }

    /// <summary>Ends the line started by <see cref="Begin"/> and writes it, optionally flushing the output.</summary>
    public void End(bool flush = false)
    {
        _json.Flush();
        ReadOnlySpan<byte> utf8 = _bytes.WrittenSpan;
        int max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        if (_chars.Length < max)
            _chars = new char[Math.Max(max, _chars.Length * 2)];
        int count = Encoding.UTF8.GetChars(utf8, _chars);
        _output.Write(_chars, 0, count);
        _output.Write('\n');
        if (flush)
            _output.Flush();
    }

    /// <summary>Writes <c>"name": [values...]</c>.</summary>
    public static void WriteArray(Utf8JsonWriter json, string name, ReadOnlySpan<float> values)
    {
        json.WriteStartArray(name);
        foreach (float v in values)
            json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    /// <summary>Writes <c>"name": {label: p, ...}</c> in label order.</summary>
    public static void WriteProbabilities(Utf8JsonWriter json, string name, IReadOnlyList<string> labels, ReadOnlySpan<float> probabilities)
    {
        json.WriteStartObject(name);
        for (int i = 0; i < labels.Count; i++)
            json.WriteNumber(labels[i], probabilities[i]);
        json.WriteEndObject();
    }

    /// <summary>Writes <c>"speaker": {"source": ..., "utterances": n}</c> (docs/cli-json.md).</summary>
    public static void WriteSpeaker(Utf8JsonWriter json, string source, long utterances)
    {
        json.WriteStartObject("speaker");
        json.WriteString("source", source);
        json.WriteNumber("utterances", utterances);
        json.WriteEndObject();
    }
}
