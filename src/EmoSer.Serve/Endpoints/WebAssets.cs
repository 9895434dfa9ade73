using System.Collections.Frozen;
using System.Reflection;

namespace EmoSer.Serve;

/// <summary>
/// The web page and the OpenAPI document, embedded in the binary as resources (logical names "web/...")
/// so the service needs no files on disk and no CDN.
/// </summary>
internal static class WebAssets
{
    private const string Prefix = "web/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> s_assets = new(Load);

    /// <summary>Names of the embedded assets (without the prefix).</summary>
    public static IEnumerable<string> Names => s_assets.Value.Keys;

    /// <summary>Maps GET / (index.html), GET /openapi.json, GET /api and GET /static/{name}.</summary>
    public static void Map(WebApplication app)
    {
        app.MapGet("/", () => Serve("index.html"));
        app.MapGet("/openapi.json", () => Serve("openapi.json"));
        app.MapGet("/api", () => Serve("openapi.json"));
        app.MapGet("/static/{name}", (string name) => Serve(name));
    }

    private static IResult Serve(string name)
    {
        if (!s_assets.Value.TryGetValue(name, out byte[]? bytes))
            throw new ApiException(StatusCodes.Status404NotFound, $"no such file: {name}");
        string type = s_contentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
        return Results.Bytes(bytes, type);
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        Assembly assembly = typeof(WebAssets).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal))
                continue;
            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            assets[resource[Prefix.Length..]] = memory.ToArray();
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
