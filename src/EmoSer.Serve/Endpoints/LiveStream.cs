using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EmoSer.Programs.Output;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using Microsoft.AspNetCore.Http.Timeouts;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Serve;

/// <summary>
/// <c>GET /stream</c>, a WebSocket: binary messages of mono PCM in (s16le or f32le at <c>?rate=</c>), one text message
/// per hop out with the emotion of the last window, exactly as <c>emoser stream</c> prints it (the same runtime
/// <see cref="EmotionStream"/> and the same JSON writer). A text message <c>end</c> ends the input: the last window is
/// classified and the server closes normally. Spec: docs/http-api.md.
/// </summary>
internal static class LiveStream
{
    private const int ReceiveBytes = 32 * 1024;
    private const int MaxTextBytes = 256;

    /// <summary>What a connection asked for in its query.</summary>
    private sealed record Settings(int Rate, bool Float32, double Window, double Hop, double SilenceDb, bool Adapt);

    public static void Map(WebApplication app, ServeOptions options, ModelHolder models)
    {
        int open = 0;
        app.MapGet("/stream", async (HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
                throw new ApiException(StatusCodes.Status426UpgradeRequired,
                    "/stream is a WebSocket endpoint: connect with a WebSocket client and send binary PCM (docs/http-api.md)");
            Settings settings = Parse(ctx.Request.Query);
            ServedModel model = models.Current;
            EmotionClassifier classifier = model.Engine.StreamClassifier
                ?? throw new ApiException(StatusCodes.Status501NotImplemented, $"the served model '{model.Engine.Name}' cannot classify streams");
            if (!Resampler.SupportsRatio(settings.Rate, model.Engine.SampleRate))
                throw new ApiException(StatusCodes.Status400BadRequest,
                    $"rate {settings.Rate} Hz cannot be resampled to the model's {model.Engine.SampleRate} Hz (ratio beyond 1:{Resampler.MaxRatio})");
            if (Interlocked.Increment(ref open) > options.MaxStreams)
            {
                Interlocked.Decrement(ref open);
                throw new ApiException(StatusCodes.Status503ServiceUnavailable, $"too many open streams (limit {options.MaxStreams}); retry shortly") { RetryAfterSeconds = 1 };
            }
            try
            {
                using WebSocket socket = await ctx.WebSockets.AcceptWebSocketAsync();
                await RunAsync(socket, classifier, model.Engine.SpeakerFeatures is not null, settings, ctx.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        }).WithMetadata(new DisableRequestTimeoutAttribute()).Limit(ClientRateLimits.Uploads, options); // each session is one upload
    }

    private static Settings Parse(IQueryCollection query)
    {
        int rate = query["rate"] is { Count: > 0 } rateText ? AudioUpload.ParseRate(rateText) : 16000;
        bool float32 = (string?)query["format"] switch
        {
            null or "s16le" => false,
            "f32le" => true,
            var other => throw new ApiException(StatusCodes.Status400BadRequest, $"format must be s16le or f32le, not '{other}'"),
        };
        double window = Number(query, "window", 3, InputLimits.MinStreamWindowSeconds, InputLimits.MaxStreamWindowSeconds);
        double hop = Number(query, "hop", 1, InputLimits.MinStreamHopSeconds, InputLimits.MaxStreamHopSeconds);
        if (hop > window)
            throw new ApiException(StatusCodes.Status400BadRequest, "hop must not exceed window");
        double silence = Number(query, "silence_db", InputLimits.DefaultStreamSilenceDbfs, -200, 0);
        bool adapt = (string?)query["adapt"] switch
        {
            null or "true" or "1" => true,
            "false" or "0" => false,
            var other => throw new ApiException(StatusCodes.Status400BadRequest, $"adapt must be true or false, not '{other}'"),
        };
        return new Settings(rate, float32, window, hop, silence, adapt);
    }

    private static double Number(IQueryCollection query, string name, double value, double min, double max)
    {
        if (query[name] is { Count: > 0 } text
            && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !(value >= min && value <= max)))
            throw new ApiException(StatusCodes.Status400BadRequest, string.Create(CultureInfo.InvariantCulture, $"{name} must be a number in [{min}, {max}]"));
        return value;
    }

    private static async Task RunAsync(WebSocket socket, EmotionClassifier classifier, bool speakerModel, Settings settings, CancellationToken ct)
    {
        // As `emoser stream`: a model with speaker normalization adapts to the stream's speaker unless told not to.
        StreamSpeaker speaker = settings.Adapt ? StreamSpeaker.Adaptive : StreamSpeaker.Population;
        string? speakerSource = speakerModel ? (settings.Adapt ? "adaptive" : "population") : null;
        var stream = new EmotionStream(classifier, new EmotionStreamOptions
        {
            WindowSeconds = settings.Window, HopSeconds = settings.Hop, SilenceDbfs = settings.SilenceDb, InputSampleRate = settings.Rate, Speaker = speaker,
        });
        IReadOnlyList<string> labels = classifier.Model.Labels;
        var json = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(json);
        byte[] received = ArrayPool<byte>.Shared.Rent(ReceiveBytes + 4);
        float[] samples = ArrayPool<float>.Shared.Rent(ReceiveBytes / 2 + 2);
        int carried = 0;                       // bytes of a sample split across messages, at the start of received
        int sampleBytes = settings.Float32 ? 4 : 2;
        long pushed = 0;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult message = await socket.ReceiveAsync(received.AsMemory(carried, ReceiveBytes), ct);
                if (message.MessageType == WebSocketMessageType.Close)
                {
                    // The client left without "end": nothing more can be sent, only the closing handshake.
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
                    return;
                }
                if (message.MessageType == WebSocketMessageType.Text)
                {
                    string text = await ReadTextAsync(socket, received.AsMemory(carried, message.Count), message.EndOfMessage, ct);
                    if (text.Trim() != "end")
                    {
                        await FailAsync(socket, WebSocketCloseStatus.InvalidMessageType, $"unknown text message '{Truncate(text)}': send binary PCM, or 'end'", ct);
                        return;
                    }
                    stream.Complete();
                    await SendResultsAsync(socket, stream, writer, json, labels, speakerSource, ct);
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "end of input", ct);
                    return;
                }
                int available = carried + message.Count;
                int count = available / sampleBytes;
                for (int i = 0; i < count; i++)
                {
                    samples[i] = settings.Float32
                        ? BinaryPrimitives.ReadSingleLittleEndian(received.AsSpan(4 * i))
                        : BinaryPrimitives.ReadInt16LittleEndian(received.AsSpan(2 * i)) * (1f / 32768f);
                }
                // The runtime's bound (finite, within ±65536): larger samples would overflow the features.
                if (settings.Float32 && InputLimits.IndexOfInvalidSample(samples.AsSpan(0, count)) is int bad and >= 0)
                {
                    await FailAsync(socket, WebSocketCloseStatus.InvalidPayloadData,
                        InputLimits.InvalidSampleProblem(samples.AsSpan(0, count), bad, 1, pushed) + ": is the input really f32le?", ct);
                    return;
                }
                carried = available - count * sampleBytes;
                if (carried > 0)
                    Buffer.BlockCopy(received, count * sampleBytes, received, 0, carried);
                stream.Push(samples.AsSpan(0, count));
                pushed += count;
                await SendResultsAsync(socket, stream, writer, json, labels, speakerSource, ct);
            }
        }
        catch (WebSocketException)
        {
            // The connection broke: nobody to tell.
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(received);
            ArrayPool<float>.Shared.Return(samples);
        }
    }

    private static async Task SendResultsAsync(WebSocket socket, EmotionStream stream, Utf8JsonWriter writer, ArrayBufferWriter<byte> json,
        IReadOnlyList<string> labels, string? speakerSource, CancellationToken ct)
    {
        while (stream.TryRead(out StreamResult r))
        {
            json.ResetWrittenCount();
            writer.Reset(json);
            StreamResultJson.Write(writer, r, labels, speakerSource);
            writer.Flush();
            await socket.SendAsync(json.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
    }

    private static async Task<string> ReadTextAsync(WebSocket socket, Memory<byte> first, bool complete, CancellationToken ct)
    {
        var text = new StringBuilder(Encoding.UTF8.GetString(first.Span));
        byte[] more = new byte[MaxTextBytes];
        while (!complete && text.Length <= MaxTextBytes)
        {
            ValueWebSocketReceiveResult r = await socket.ReceiveAsync(more.AsMemory(), ct);
            text.Append(Encoding.UTF8.GetString(more, 0, r.Count));
            complete = r.EndOfMessage;
        }
        return text.ToString();
    }

    private static async Task FailAsync(WebSocket socket, WebSocketCloseStatus status, string error, CancellationToken ct)
    {
        byte[] message = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(error), ServeJsonContext.Default.ErrorResponse);
        await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);
        // The close reason is limited to 123 bytes of UTF-8 (not characters: "±" takes two); the full text went in the
        // message above.
        await socket.CloseAsync(status, CloseReason(error), ct);
    }

    /// <summary><paramref name="error"/> cut to fit a close frame's 123 bytes, "..." marking a cut, never inside a character.</summary>
    internal static string CloseReason(string error)
    {
        const int MaxBytes = 123;
        if (Encoding.UTF8.GetByteCount(error) <= MaxBytes)
            return error;
        int length = 0, bytes = 0;
        foreach (System.Text.Rune rune in error.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes - 3)
                break;
            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }
        return error[..length] + "...";
    }

    private static string Truncate(string text, int length = 40) => text.Length <= length ? text : text[..length] + "...";
}
