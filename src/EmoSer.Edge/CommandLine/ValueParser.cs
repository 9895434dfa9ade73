namespace EmoSer.Edge.CommandLine;

/// <summary>Turns the token of option <paramref name="option"/> into a value, or throws <see cref="OptionValueException"/>.</summary>
internal delegate T ValueParser<T>(string option, string token);
