namespace EmoSer.Runtime;

/// <summary>
/// Messages for people, in our words. The native builds strip the framework's texts (UseSystemResourceKeys), so an
/// exception's own message may be a resource key such as <c>IO_FileNotFound_FileName</c>: no framework message is shown
/// to a user; the front ends (CLI, HTTP server, C API) describe what happened with these instead.
/// </summary>
public static class ErrorText
{
    /// <summary>Longest message handed to a user (characters); longer ones are cut.</summary>
    public const int MaxLength = 1000;

    /// <summary><paramref name="message"/> on one line (line breaks and other control characters become spaces), at most <see cref="MaxLength"/> characters.</summary>
    public static string OneLine(string message)
    {
        var chars = new char[Math.Min(message.Length, MaxLength)];
        int n = 0;
        bool space = false;
        foreach (char c in message)
        {
            if (n == chars.Length)
                break;
            bool isSpace = char.IsControl(c) || char.IsWhiteSpace(c);
            if (isSpace && (space || n == 0))
                continue;
            chars[n++] = isSpace ? ' ' : c;
            space = isSpace;
        }
        string line = new string(chars, 0, n).TrimEnd();
        if (message.Length > MaxLength || n == MaxLength)
        {
            // Never leave half a surrogate pair at the cut.
            int cut = Math.Min(line.Length, MaxLength - 3);
            if (cut > 0 && char.IsHighSurrogate(line[cut - 1]))
                cut--;
            return message.Length > MaxLength ? line[..cut] + "..." : line;
        }
        return line;
    }

    /// <summary>
    /// What a file-system exception means, without its (framework) message: "no such file", "permission denied",
    /// "no space left on the device", ... The caller names the file.
    /// </summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such file or folder",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path is too long",
        EndOfStreamException => "the input ended early",
        // On Unix an IOException carries the errno as its HResult.
        IOException io => io.HResult switch
        {
            2 => "no such file",
            5 => "input/output error",
            13 => "permission denied",
            20 => "a part of the path is not a folder",
            21 => "is a folder, not a file",
            24 => "too many open files",
            28 => "no space left on the device",
            30 => "read-only file system",
            32 => "broken pipe (the reader went away)",
            36 => "the file name is too long",
            104 => "the connection was reset",
            122 => "disk quota exceeded",
            _ => "input/output error",
        },
        _ => "input/output error",
    };

    /// <summary>
    /// Why <paramref name="utf8"/> is not exactly one JSON object, with the line and column of the problem (empty, not
    /// an object, cut short, more data after the object, a character the grammar does not allow), or null when it is
    /// one: the message of the weights, profile and HTTP request readers.
    /// </summary>
    /// <param name="utf8">The JSON text.</param>
    /// <param name="options">The reader options the text is read with (comments, trailing commas, depth).</param>
    /// <param name="notAnObject">The start of the message when the text is valid JSON but not an object.</param>
    /// <param name="invalid">The start of the message when the text is not valid JSON.</param>
    public static string? JsonObjectProblem(ReadOnlySpan<byte> utf8, System.Text.Json.JsonReaderOptions options, string notAnObject, string invalid) =>
        IO.JsonSyntax.ObjectProblem(utf8, options, notAnObject, invalid);
}
