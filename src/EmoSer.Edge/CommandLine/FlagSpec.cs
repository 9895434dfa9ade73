namespace EmoSer.Edge.CommandLine;

/// <summary>
/// A boolean option without a value: given is true. <c>--flag=true</c> and <c>--flag=false</c> are accepted too
/// (System.CommandLine accepted them), a separate <c>true</c> token is not: it is an argument.
/// </summary>
internal sealed class FlagSpec : OptionSpec<bool>
{
    /// <summary>A flag; <paramref name="aliases"/> are other spellings (<c>-r</c>).</summary>
    public FlagSpec(string name, params string[] aliases) : base(name, aliases, takesValue: false) =>
        Parse = static (option, token) => bool.TryParse(token, out bool value) ? value
            : throw new OptionValueException($"{option} takes no value (or true or false), got '{token}'");
}
