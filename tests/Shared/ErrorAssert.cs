namespace EmoSer.Tests.Shared;

/// <summary>
/// Error assertions on the kind of error and the words that say what is wrong, not on the whole text: .NET decorates
/// argument exceptions (the parameter name, "Actual value was ...") in ways that are not ours to pin down.
/// </summary>
public static class ErrorAssert
{
    /// <summary>The argument exception names <paramref name="parameter"/> and its message contains each of <paramref name="fragments"/>.</summary>
    public static void Argument(ArgumentException e, string parameter, params string[] fragments)
    {
        Assert.Equal(parameter, e.ParamName);
        foreach (string fragment in fragments)
            Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}
