namespace EmoSer.Programs;

/// <summary>The process exit codes of <c>emoser</c> (spec: docs/cli-json.md).</summary>
internal static class ExitCodes
{
    /// <summary>Every input was processed.</summary>
    public const int Ok = 0;

    /// <summary>Bad input: a file that cannot be read or decoded, a malformed model file. One line on stderr names it.</summary>
    public const int BadInput = 1;

    /// <summary>Usage error: unknown command or option, missing or out-of-range argument.</summary>
    public const int Usage = 2;

    /// <summary>An unexpected failure (a bug): one line on stderr with the exception type and message.</summary>
    public const int InternalError = 3;
}
