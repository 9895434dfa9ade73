namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// Thrown when a weights file is malformed, truncated or describes an invalid network. The message is one
/// line that names the input and the problem, e.g. <c>"model.emow: CRC-32 mismatch: stored 0x1234ABCD, computed 0x0BADF00D"</c>.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="inputName"/> with a short description of the problem.</summary>
    /// <param name="inputName">File path or stream name the problem was found in.</param>
    /// <param name="problem">What is wrong, without the input name.</param>
    public ModelFormatException(string inputName, string problem)
        : base($"{inputName}: {problem}")
    {
        InputName = inputName;
        Problem = problem;
    }

    /// <summary>Creates the exception with an underlying cause (e.g. an I/O error while reading).</summary>
    /// <param name="inputName">File path or stream name the problem was found in.</param>
    /// <param name="problem">What is wrong, without the input name.</param>
    /// <param name="innerException">The underlying exception.</param>
    public ModelFormatException(string inputName, string problem, Exception innerException)
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
