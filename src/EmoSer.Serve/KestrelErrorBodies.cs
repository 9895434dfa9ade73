using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EmoSer.Serve;

/// <summary>
/// Gives Kestrel's own error responses the JSON body every error of the API has. Kestrel refuses a malformed request
/// (400), too long a request line (414), too large headers (431) and a few others before any middleware runs, with an
/// empty body and no hook to change it. This connection middleware sits between Kestrel and the socket: when the
/// bytes flushed end with an HTTP/1.x response head of status 400 or more with <c>Content-Length: 0</c> and
/// <c>Connection: close</c> (what Kestrel writes before it closes the connection; the application's errors always
/// have a body), the head gets a JSON body naming the problem. Everything else passes through unchanged.
/// </summary>
internal static class KestrelErrorBodies
{
    // A head longer than this is not Kestrel's error head (it writes a status line and four short headers).
    private const int MaxHead = 1024;

    /// <summary>Adds the middleware to every endpoint Kestrel listens on.</summary>
    public static void Use(KestrelServerOptions kestrel) =>
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => RunAsync(connection, next, kestrel.Limits)));

    private static async Task RunAsync(ConnectionContext connection, ConnectionDelegate next, KestrelServerLimits limits)
    {
        IDuplexPipe transport = connection.Transport;
        var output = new Pipe(new PipeOptions(useSynchronizationContext: false));
        connection.Transport = new DuplexPipe(transport.Input, output.Writer);
        Task pump = PumpAsync(output.Reader, transport.Output, limits);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            await output.Writer.CompleteAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            connection.Transport = transport;
        }
    }

    private static async Task PumpAsync(PipeReader reader, PipeWriter socket, KestrelServerLimits limits)
    {
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> data = read.Buffer;
                if (!data.IsEmpty)
                {
                    byte[]? rewritten = Rewrite(data, limits);
                    if (rewritten is null)
                    {
                        foreach (ReadOnlyMemory<byte> segment in data)
                            socket.Write(segment.Span);
                    }
                    else
                    {
                        socket.Write(rewritten);
                    }
                    FlushResult flush = await socket.FlushAsync().ConfigureAwait(false);
                    reader.AdvanceTo(data.End);
                    if (flush.IsCompleted || flush.IsCanceled)
                        break;
                }
                else
                {
                    reader.AdvanceTo(data.End);
                }
                if (read.IsCompleted || read.IsCanceled)
                    break;
            }
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The socket went away: Kestrel sees its writes end, as it would without this middleware.
            await reader.CompleteAsync(e).ConfigureAwait(false);
        }
    }

    /// <summary>The bytes with a JSON body added to a trailing Kestrel error head, or null to pass them through.</summary>
    internal static byte[]? Rewrite(ReadOnlySequence<byte> data, KestrelServerLimits limits)
    {
        // Only the tail can hold the head: take at most MaxHead bytes of it.
        long tailLength = Math.Min(data.Length, MaxHead);
        byte[] tail = data.Slice(data.Length - tailLength).ToArray();
        if (!tail.AsSpan().EndsWith("\r\n\r\n"u8))
            return null;
        int start = tail.AsSpan().LastIndexOf("HTTP/1."u8);
        if (start < 0)
            return null;
        ReadOnlySpan<byte> head = tail.AsSpan(start, tail.Length - start - 4);
        // One head only: no blank line inside it.
        if (head.IndexOf("\r\n\r\n"u8) >= 0)
            return null;
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code) || code < 400)
            return null;
        bool emptyBody = false, closes = false;
        foreach (string line in lines.Skip(1))
        {
            if (line.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase))
                emptyBody = true;
            else if (line.Equals("Connection: close", StringComparison.OrdinalIgnoreCase))
                closes = true;
            else if (line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase))
                return null;
        }
        if (!emptyBody || !closes)
            return null;

        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(Describe(code, limits)), ServeJsonContext.Default.ErrorResponse);
        var head2 = new StringBuilder();
        foreach (string line in lines)
        {
            head2.Append(line.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase)
                ? string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}")
                : line).Append("\r\n");
        }
        head2.Append("Content-Type: application/json; charset=utf-8\r\n\r\n");
        byte[] before = data.Slice(0, data.Length - tailLength + start).ToArray();
        return [.. before, .. Encoding.Latin1.GetBytes(head2.ToString()), .. body];
    }

    /// <summary>What Kestrel refused, in the API's words.</summary>
    private static string Describe(int code, KestrelServerLimits limits) => code switch
    {
        StatusCodes.Status400BadRequest => "bad request: the request line or headers are not valid HTTP/1.1",
        StatusCodes.Status408RequestTimeout => "the request headers did not arrive in time",
        StatusCodes.Status411LengthRequired => "a request with a body needs a Content-Length or chunked transfer encoding",
        StatusCodes.Status413PayloadTooLarge => "the request body is too large",
        StatusCodes.Status414UriTooLong => string.Create(CultureInfo.InvariantCulture, $"the request line is longer than the {limits.MaxRequestLineSize / 1024} KB limit"),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => string.Create(CultureInfo.InvariantCulture,
            $"the request headers are larger than the {limits.MaxRequestHeadersTotalSize / 1024} KB limit or more than {limits.MaxRequestHeaderCount}"),
        StatusCodes.Status501NotImplemented => "not implemented: the request uses a transfer coding this server does not support",
        StatusCodes.Status505HttpVersionNotsupported => "HTTP version not supported: use HTTP/1.1",
        _ => string.Create(CultureInfo.InvariantCulture, $"HTTP {code}"),
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
