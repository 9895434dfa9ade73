namespace EmoSer.Edge.Input;

/// <summary>
/// Bad input that is not an <see cref="EmoSer.Runtime.Audio.AudioFormatException"/>: a missing or unreadable file,
/// audio the command cannot use. Exit code 1; <see cref="Exception.Message"/> is <c>"&lt;input&gt;: &lt;problem&gt;"</c>.
/// </summary>
internal sealed class InputException(string inputName, string problem) : Exception($"{inputName}: {problem}")
{
    /// <summary>The file as named on the command line, or <c>&lt;stdin&gt;</c>.</summary>
    public string InputName { get; } = inputName;

    /// <summary>What is wrong, without the input name.</summary>
    public string Problem { get; } = problem;
}
