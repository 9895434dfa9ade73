namespace EmoSer.Edge.Input;

/// <summary>A usage error found after parsing (e.g. no embedded model and no <c>--model</c>). Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
