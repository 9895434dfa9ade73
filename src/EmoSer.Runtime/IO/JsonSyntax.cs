using System.Text;
using System.Text.Json;

namespace EmoSer.Runtime.IO;

/// <summary>
/// One-line descriptions, in our words, of JSON that <see cref="Utf8JsonReader"/> refused: the exception's own message
/// is a resource key in trimmed builds (and may quote kilobytes of the input), so the position comes from its line and
/// byte offset and the wording from here. Used for speaker profile files and model cards.
/// </summary>
internal static class JsonSyntax
{
    /// <summary>Why <paramref name="utf8"/> is not exactly one JSON object (described by <see cref="Describe"/>), or null when it is.</summary>
    public static string? ObjectProblem(ReadOnlySpan<byte> utf8, JsonReaderOptions options, string notAnObject, string invalid)
    {
        bool afterObject = false;
        try
        {
            var reader = new Utf8JsonReader(utf8, options);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                reader.Skip();
                afterObject = true;
                if (!reader.Read())
                    return null;
            }
        }
        catch (JsonException)
        {
        }
        return Describe(utf8, options, afterObject, notAnObject, invalid);
    }

    /// <summary>
    /// What is wrong with JSON the reader refused, with its line and column: empty, not an object, cut short, more
    /// data after the object, or the first character the grammar does not allow.
    /// </summary>
    public static string Describe(ReadOnlySpan<byte> utf8, JsonReaderOptions options, bool afterObject, string notAnObject, string invalid)
    {
        int first = utf8.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0)
            return $"{notAnObject}: it is empty";
        if (utf8[first] != (byte)'{')
            return $"{notAnObject}: expected a JSON object at line {Position(utf8, first).Line}";
        // Read again without the end in sight: input cut short then just runs out instead of being an error.
        var probe = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(options));
        int at;
        try
        {
            while (probe.Read())
            {
                if (probe.CurrentDepth == 0 && probe.TokenType == JsonTokenType.EndObject)
                    break;
            }
            if (!afterObject)
                return $"{invalid}: it ends at line {Position(utf8, utf8.Length).Line} before the object is complete";
            int end = (int)probe.BytesConsumed;
            at = end + Math.Max(0, utf8[end..].IndexOfAnyExcept(" \t\r\n"u8));
            var (line, column) = Position(utf8, at);
            return $"{invalid}: more data after the object at line {line}, column {column}";
        }
        catch (JsonException e)
        {
            at = LineStart(utf8, (int)(e.LineNumber ?? 0)) + (int)(e.BytePositionInLine ?? 0);
        }
        at = Math.Min(at, utf8.Length);
        var (l, c) = Position(utf8, at);
        if (at >= utf8.Length)
            return $"{invalid}: it ends at line {l} before the object is complete";
        if (utf8[at] is (byte)'{' or (byte)'[' && probe.CurrentDepth >= options.MaxDepth - 1)
            return $"{invalid}: nested too deeply at line {l}, column {c}";
        return $"{invalid}: unexpected {Character(utf8[at..])} at line {l}, column {c}";
    }

    /// <summary>Byte offset of the start of the 0-based line <paramref name="line"/>.</summary>
    private static int LineStart(ReadOnlySpan<byte> utf8, int line)
    {
        int start = 0;
        for (int i = 0; i < line; i++)
        {
            int next = utf8[start..].IndexOf((byte)'\n');
            if (next < 0)
                return utf8.Length;
            start += next + 1;
        }
        return start;
    }

    /// <summary>1-based line and column (in characters, not bytes) of the byte at <paramref name="offset"/>.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> utf8, int offset)
    {
        ReadOnlySpan<byte> before = utf8[..offset];
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        int column = 1;
        foreach (byte b in before[lineStart..])
        {
            // Count characters: UTF-8 continuation bytes (10xxxxxx) belong to the character before them.
            if ((b & 0xC0) != 0x80)
                column++;
        }
        return (before.Count((byte)'\n') + 1, column);
    }

    /// <summary>The character at the start of <paramref name="utf8"/>, quoted, or its code point when it is not printable.</summary>
    private static string Character(ReadOnlySpan<byte> utf8)
    {
        Rune.DecodeFromUtf8(utf8, out Rune rune, out _);
        return Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) ? $"U+{rune.Value:X4}" : $"'{rune}'";
    }
}
