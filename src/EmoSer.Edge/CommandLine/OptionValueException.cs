namespace EmoSer.Edge.CommandLine;

/// <summary>A value that its option does not accept; the message is the whole usage error (<c>--hop: 'x' is not a number</c>).</summary>
internal sealed class OptionValueException(string message) : Exception(message);
