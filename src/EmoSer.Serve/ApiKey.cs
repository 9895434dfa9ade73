using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace EmoSer.Serve;

/// <summary>
/// The key that every request changing the server's state must carry (training jobs, speaker profiles, and
/// predictions that add to a speaker's profile), as <c>Authorization: Bearer KEY</c> or <c>X-API-Key: KEY</c>.
/// Compared in constant time (SHA-256 of both, then <see cref="CryptographicOperations.FixedTimeEquals"/>), so neither
/// the key's content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKey
{
    /// <summary>Shortest key accepted: 16 characters (a guess space no client can search at any request rate).</summary>
    public const int MinLength = 16;

    /// <summary>The environment variable read when neither <c>--api-key</c> nor <c>--api-key-file</c> is given.</summary>
    public const string EnvironmentVariable = "EMOSER_API_KEY";

    private readonly byte[] _hash;

    private ApiKey(string key) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// The key from <paramref name="file"/> (its first line), else <paramref name="value"/>, else $EMOSER_API_KEY;
    /// null when none is set.
    /// </summary>
    /// <exception cref="ServeStartupException">The file cannot be read, or the key is too short or holds spaces or control characters.</exception>
    public static ApiKey? Resolve(string? value, string? file, string? environment)
    {
        string? key;
        string source;
        if (file is not null)
        {
            try
            {
                key = File.ReadLines(file).FirstOrDefault()?.Trim() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ServeStartupException($"{file}: cannot read the API key: {EmoSer.Runtime.ErrorText.Describe(e)}");
            }
            source = file;
        }
        else if (value is not null)
        {
            (key, source) = (value, "--api-key");
        }
        else if (!string.IsNullOrEmpty(environment))
        {
            (key, source) = (environment, "$" + EnvironmentVariable);
        }
        else
        {
            return null;
        }
        if (key.Length < MinLength)
            throw new ServeStartupException($"{source}: the API key has {key.Length} characters; it needs at least {MinLength}");
        if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ServeStartupException($"{source}: the API key holds spaces or control characters");
        return new ApiKey(key);
    }

    /// <summary>Throws 401 unless <paramref name="request"/> carries this key; <paramref name="action"/> names what needs it.</summary>
    /// <exception cref="ApiException">401, with <c>WWW-Authenticate: Bearer</c>.</exception>
    public void Require(HttpContext request, string action)
    {
        string? presented = Presented(request.Request);
        if (presented is null)
        {
            throw new ApiException(StatusCodes.Status401Unauthorized,
                $"{action} changes the server's state and needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
            { Authenticate = "Bearer realm=\"emoser\"" };
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, _hash))
            throw new ApiException(StatusCodes.Status401Unauthorized, "the API key is not valid") { Authenticate = "Bearer realm=\"emoser\", error=\"invalid_token\"" };
    }

    private static string? Presented(HttpRequest request)
    {
        string? auth = request.Headers.Authorization;
        if (auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return auth["Bearer ".Length..].Trim();
        string? header = request.Headers["X-API-Key"];
        return string.IsNullOrEmpty(header) ? null : header.Trim();
    }

    /// <summary>
    /// The first of <paramref name="urls"/> that listens beyond this machine (any host but localhost, 127.0.0.0/8,
    /// ::1 or a Unix socket: 0.0.0.0, *, + or an interface's address), or null when all are loopback.
    /// </summary>
    public static string? BeyondLoopback(IEnumerable<string> urls)
    {
        foreach (string url in urls)
        {
            // Kestrel's wildcards are not valid URI hosts: 0.0.0.0 stands for all of them.
            string normal = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normal, UriKind.Absolute, out Uri? uri))
                return url;
            if (uri.Host.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || url.Contains("://unix:", StringComparison.OrdinalIgnoreCase))
                continue;
            if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
                continue;
            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address))
                continue;
            return url;
        }
        return null;
    }
}
