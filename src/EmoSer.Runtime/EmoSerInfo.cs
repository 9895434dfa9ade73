namespace EmoSer.Runtime;

/// <summary>Version information of the EmoSer runtime.</summary>
public static class EmoSerInfo
{
    /// <summary>Semantic version of the runtime library.</summary>
    public const string Version = "0.3.0";
}
