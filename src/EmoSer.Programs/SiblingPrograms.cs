namespace EmoSer.Programs;

/// <summary>
/// Finds the other EmoSer programs (<c>emoser-serve</c>, <c>emoser-train</c>): next to the running binary first, as
/// they are installed together, else on <c>PATH</c>.
/// </summary>
internal static class SiblingPrograms
{
    /// <summary>The full path of the program called <paramref name="name"/>, or null when it is in neither place.</summary>
    public static string? Find(string name)
    {
        string beside = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(beside))
            return beside;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
