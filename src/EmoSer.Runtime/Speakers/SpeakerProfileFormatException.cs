namespace EmoSer.Runtime.Speakers;

/// <summary>
/// Thrown when a speaker profile file (docs/speaker-normalization.md) is unreadable or malformed, or does not fit the
/// model it is used with. The message is one line that names the input and the problem, e.g.
/// <c>"alice.json: \"count\" is -1; it must be a whole number >= 0"</c>.
/// </summary>
public sealed class SpeakerProfileFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="inputName"/> with a short description of the problem.</summary>
    /// <param name="inputName">File path or stream name the problem was found in.</param>
    /// <param name="problem">What is wrong, without the input name.</param>
    public SpeakerProfileFormatException(string inputName, string problem)
        : base($"{inputName}: {problem}")
    {
        InputName = inputName;
        Problem = problem;
    }

    /// <summary>Creates the exception with an underlying cause (e.g. an I/O or JSON syntax error).</summary>
    /// <param name="inputName">File path or stream name the problem was found in.</param>
    /// <param name="problem">What is wrong, without the input name.</param>
    /// <param name="innerException">The underlying exception.</param>
    public SpeakerProfileFormatException(string inputName, string problem, Exception innerException)
        : base($"{inputName}: {problem}", innerException)
    {
        InputName = inputName;
        Problem = problem;
    }

    /// <summary>The file path or stream name the problem was found in.</summary>
    public string InputName { get; }

    /// <summary>The problem description without the input name.</summary>
    public string Problem { get; }
}
