using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EmoSer.Edge;
using EmoSer.Serve;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The WebSocket <c>/stream</c>: PCM in, one JSON message per hop out, the very lines <c>emoser stream</c> prints for
/// the same audio (whatever the message sizes), and its errors; and uploads of every format the runtime decodes.
/// </summary>
[Trait("Category", "golden")]
public sealed class LiveStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>About 6 s of three Emo-DB utterances of different emotions, mono float at 16 kHz.</summary>
    private static float[] Speech()
    {
        string[] files = TestData.EmoDbFiles();
        return [.. new[] { "T", "W", "F" }.Select(l => files.First(f => Path.GetFileName(f)[5..6] == l)).SelectMany(f => WavReader.ReadFile(f).ToMono())];
    }

    [Theory]
    [InlineData(16000, "s16le", 3001)]
    [InlineData(48000, "f32le", 8192)]
    public async Task Messages_equal_the_lines_of_emoser_stream(int rate, string format, int messageBytes)
    {
        TestData.RequireEmoDb();
        await using var server = await StartRealAsync();
        float[] speech = Speech();
        float[] audio = rate == 16000 ? speech : ResamplingDither.Resample(speech, 16000, rate);
        byte[] pcm = format == "s16le"
            ? [.. audio.SelectMany(v => BitConverter.GetBytes((short)Math.Clamp(Math.Round(v * 32768), short.MinValue, short.MaxValue)))]
            : [.. audio.SelectMany(BitConverter.GetBytes)];

        // The same bytes through the CLI.
        var stdout = new StringWriter { NewLine = "\n" };
        int code = Cli.Run(["stream", "--model", RealModel.Path, "--raw", "--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sample-format", format, "--window", "2", "--hop", "0.5", "-"], new MemoryStream(pcm), stdout, new StringWriter());
        Assert.Equal(0, code);
        string[] expected = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Odd message sizes split samples across messages.
        var (messages, close) = await StreamAsync(server, $"/stream?rate={rate}&format={format}&window=2&hop=0.5", pcm, messageBytes, sendEnd: true);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close);
        Assert.True(expected.Length >= 8, $"{expected.Length} lines");
        Assert.Equal(expected, messages);
        Assert.Contains(messages, m => m.Contains("\"silence\":false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_get_is_426_and_bad_parameters_are_400_before_the_upgrade()
    {
        await using var server = await StartProbeAsync();
        await AssertErrorAsync(await server.Client.GetAsync("/stream", Ct), 426,
            "/stream is a WebSocket endpoint: connect with a WebSocket client and send binary PCM (docs/http-api.md)");
        var socket = new ClientWebSocket();
        var e = await Assert.ThrowsAnyAsync<WebSocketException>(() => socket.ConnectAsync(WsUri(server, "/stream?rate=16000&hop=5&window=2"), Ct));
        Assert.Contains("400", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_finite_floats_and_unknown_text_end_the_session_with_an_error_message()
    {
        TestData.RequireEmoDb();
        await using var server = await StartRealAsync();
        byte[] nan = [.. new float[100].Select((_, i) => i == 57 ? float.NaN : 0.1f).SelectMany(BitConverter.GetBytes)];
        var (messages, close) = await StreamAsync(server, "/stream?format=f32le", nan, nan.Length, sendEnd: false);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, close);
        Assert.Equal("non-finite sample (NaN) at frame 57: is the input really f32le?", Error(Assert.Single(messages)));

        // A finite sample beyond the runtime's bound would make every later window NaN: refused the same way.
        byte[] huge = [.. new float[100].Select((_, i) => i == 57 ? 1e20f : 0.1f).SelectMany(BitConverter.GetBytes)];
        (messages, close) = await StreamAsync(server, "/stream?format=f32le", huge, huge.Length, sendEnd: false);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, close);
        Assert.Equal("sample 1E+20 at frame 57 is beyond ±65536 (96 dB above full scale): the features would overflow: is the input really f32le?",
            Error(Assert.Single(messages)));

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(WsUri(server, "/stream"), Ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, Ct);
        var (text, status) = await ReceiveAllAsync(socket);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);
        Assert.Equal("unknown text message 'hello': send binary PCM, or 'end'", Error(Assert.Single(text)));
    }

    [Fact]
    public async Task Uploads_in_every_built_in_format_classify_like_their_wav()
    {
        await using var server = await StartRealAsync();
        string dir = Path.Combine(TestData.Fixtures, "audio");
        foreach (string name in new[] { "flac-16-stereo-lpc32", "aiff-24-stereo", "aifc-fl32" })
        {
            string encoded = Directory.GetFiles(dir, name + ".*").Single(f => !f.EndsWith(".ref.wav", StringComparison.Ordinal));
            JsonElement wav = await PredictAsync(server, File.ReadAllBytes(Path.Combine(dir, name + ".ref.wav")), "audio/wav");
            JsonElement other = await PredictAsync(server, File.ReadAllBytes(encoded), name.StartsWith("flac", StringComparison.Ordinal) ? "audio/flac" : "audio/aiff");
            Assert.Equal(wav.GetProperty("probabilities").ToString(), other.GetProperty("probabilities").ToString());
            Assert.Equal(wav.GetProperty("sample_rate").GetInt32(), other.GetProperty("sample_rate").GetInt32());
        }
    }

    private static string? Error(string message)
    {
        using var doc = JsonDocument.Parse(message);
        Assert.Single(doc.RootElement.EnumerateObject());
        return doc.RootElement.GetProperty("error").GetString();
    }

    private static async Task<JsonElement> PredictAsync(ServeTestServer server, byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        var response = await server.Client.PostAsync("/predict", content, Ct);
        JsonElement json = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }

    private static Uri WsUri(ServeTestServer server, string path) =>
        new(new Uri(server.Client.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), path);

    /// <summary>Sends <paramref name="pcm"/> in messages of <paramref name="messageBytes"/>, then "end"; returns every text message and the close status.</summary>
    private static async Task<(List<string> Messages, WebSocketCloseStatus? Close)> StreamAsync(ServeTestServer server, string path, byte[] pcm, int messageBytes, bool sendEnd)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(WsUri(server, path), Ct);
        // Receive while sending, as a live client does.
        Task<(List<string>, WebSocketCloseStatus?)> receiving = ReceiveAllAsync(socket);
        try
        {
            for (int at = 0; at < pcm.Length; at += messageBytes)
                await socket.SendAsync(pcm.AsMemory(at, Math.Min(messageBytes, pcm.Length - at)), WebSocketMessageType.Binary, true, Ct);
            if (sendEnd)
                await socket.SendAsync(Encoding.UTF8.GetBytes("end"), WebSocketMessageType.Text, true, Ct);
        }
        catch (WebSocketException)
        {
            // The server closed on an error: what it said is in the messages.
        }
        return await receiving;
    }

    private static async Task<(List<string> Messages, WebSocketCloseStatus? Close)> ReceiveAllAsync(WebSocket socket)
    {
        var messages = new List<string>();
        var buffer = new byte[64 * 1024];
        var text = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult r = await socket.ReceiveAsync(buffer, Ct);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", Ct);
                return (messages, r.CloseStatus);
            }
            text.Write(buffer, 0, r.Count);
            if (r.EndOfMessage)
            {
                messages.Add(Encoding.UTF8.GetString(text.ToArray()));
                text.SetLength(0);
            }
        }
    }
}
