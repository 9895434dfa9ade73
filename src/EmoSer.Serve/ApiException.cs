namespace EmoSer.Serve;

/// <summary>A request the server refuses: becomes <c>{"error": Message}</c> with <see cref="StatusCode"/>.</summary>
internal sealed class ApiException(int statusCode, string message) : Exception(message)
{
    /// <summary>HTTP status of the response.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Seconds for a Retry-After header (503), if any.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The WWW-Authenticate header of a 401, if any.</summary>
    public string? Authenticate { get; init; }
}
