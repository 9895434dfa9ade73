using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EmoSer.Serve.Tests;

/// <summary>One HTTP response read off a raw socket: status, headers and body.</summary>
internal sealed record RawResponse(int Status, string Head, string Body)
{
    /// <summary>The <c>error</c> member of a JSON error body, or null when the body is not one.</summary>
    public string? Error
    {
        get
        {
            try
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public bool IsJson => Head.Contains("\r\nContent-Type: application/json", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Head}\r\n\r\n{(Body.Length > 300 ? Body[..300] + "..." : Body)}";
}

/// <summary>Sends bytes that are not necessarily HTTP to a server and reads what comes back, as a hostile client would.</summary>
internal static class RawHttp
{
    /// <summary>
    /// Connects to <paramref name="port"/> on loopback, sends <paramref name="request"/>, optionally closes the sending
    /// side, and reads the first response (null when the server closed without one).
    /// </summary>
    public static async Task<RawResponse?> SendAsync(int port, byte[] request, bool closeSending = false, double seconds = 30)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cts.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            // The server may refuse and close before the whole request is sent: read what it answered.
        }
        if (closeSending)
            socket.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                    break;
                received.Write(buffer, 0, n);
                if (Complete(received.ToArray()))
                    break;
            }
        }
        catch (SocketException)
        {
            // Reset after the answer: keep what arrived.
        }
        return Parse(received.ToArray());
    }

    /// <summary>A request line, headers and body as bytes (no Content-Length added).</summary>
    public static byte[] Build(string head, byte[]? body = null) => [.. Encoding.Latin1.GetBytes(head), .. body ?? []];

    private static bool Complete(byte[] data)
    {
        int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return false;
        string head = Encoding.Latin1.GetString(data, 0, end);
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                return data.Length - end - 4 >= int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        // Chunked or close-delimited: read until the server closes.
        return false;
    }

    private static RawResponse? Parse(byte[] data)
    {
        int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return null;
        string head = Encoding.Latin1.GetString(data, 0, end);
        string[] status = head.Split("\r\n")[0].Split(' ');
        string body = Encoding.UTF8.GetString(data, end + 4, data.Length - end - 4);
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        return new RawResponse(int.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture), head, body);
    }

    private static string Dechunk(string body)
    {
        var sb = new StringBuilder();
        int at = 0;
        while (at < body.Length)
        {
            int eol = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (eol < 0)
                break;
            int size = Convert.ToInt32(body[at..eol], 16);
            if (size == 0)
                break;
            sb.Append(body, eol + 2, size);
            at = eol + 2 + size + 2;
        }
        return sb.ToString();
    }
}
