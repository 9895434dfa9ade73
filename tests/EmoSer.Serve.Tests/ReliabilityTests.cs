using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using EmoSer.Serve;
using EmoSer.Runtime.Audio;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The HTTP side of issue 19's reproductions: hostile uploads and profiles are 400/413 with the reader's message
/// (never a 500 or a non-finite answer), malformed multipart bodies are 400, and Kestrel's own refusals (400, 414,
/// 431) carry the JSON error body every error of the API has.
/// </summary>
[Trait("Category", "unit")]
public sealed class ReliabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static float[] ToneWith(float huge)
    {
        float[] tone = TestAudio.Tone(1, 16000);
        tone[4000] = huge;
        return tone;
    }

    private static int Port(ServeTestServer server) => server.Client.BaseAddress!.Port;

    [Theory]
    [InlineData(1e20f)]
    [InlineData(3e38f)]
    public async Task Uploads_with_a_huge_float_sample_are_400_not_500(float huge)
    {
        await using var server = await StartRealAsync();
        string value = huge.ToString("R", CultureInfo.InvariantCulture);
        var wav = await server.Client.PostAsync("/predict", Body(TestAudio.Wav(ToneWith(huge), 16000, 1, WavSampleFormat.Float32), "audio/wav"), Ct);
        await AssertErrorAsync(wav, 400, $"upload: sample {value} at frame 4000 is beyond ±65536 (96 dB above full scale): the features would overflow");
        float[] samples = ToneWith(huge);
        byte[] raw = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples, 0, raw, 0, raw.Length);
        var pcm = await server.Client.PostAsync("/predict?rate=16000&format=f32le", Body(raw, "application/octet-stream"), Ct);
        await AssertErrorAsync(pcm, 400, $"upload: sample {value} at frame 4000 is beyond ±65536 (96 dB above full scale): the features would overflow: is the input really f32le?");
    }

    [Fact]
    public async Task A_poisoned_profile_is_refused_and_the_speaker_is_still_classified()
    {
        string dir = Directory.CreateTempSubdirectory("emoser-serve-poison-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "a.wav"), TestAudio.Wav(TestAudio.Tone(1.5, 16000), 16000, 1));
            await using var server = await StartRealAsync(new ServeOptions { DataDir = dir, ModelsDir = dir });
            string json = EmoSer.Tests.Shared.HostileInputs.ProfileWithMean1e308();
            await AssertErrorAsync(await server.Client.PutAsync("/speakers/poison", Body(Encoding.UTF8.GetBytes(json), "application/json"), Ct), 400,
                "request body: \"mean\"[0] is 1E+308; every mean must be a finite number within ±1e18");
            var answer = await JsonAsync(await server.Client.GetAsync("/predict?ID=0&speaker=poison", Ct));
            Assert.All(answer.GetProperty("probabilities").EnumerateObject(), p => Assert.True(float.IsFinite(p.Value.GetSingle())));
            Assert.Equal("population", answer.GetProperty("speaker").GetProperty("source").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Malformed_multipart_bodies_are_400_and_a_large_part_header_names_its_limit()
    {
        await using var server = await StartProbeAsync();
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        byte[] Part(string extraHeader, bool final) => [.. Encoding.ASCII.GetBytes($"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav{extraHeader}\r\n\r\n"),
            .. wav, .. Encoding.ASCII.GetBytes(final ? "\r\n--XyZ--\r\n" : "\r\n")];
        const string Type = "multipart/form-data; boundary=XyZ";
        await AssertErrorAsync(await server.Client.PostAsync("/predict", Body(Part("", final: false), Type), Ct), 400,
            "malformed multipart/form-data: the body ends before the final boundary");
        var garbage = await server.Client.PostAsync("/predict", Body(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\0garbage", 100))), Type), Ct);
        var error = await JsonAsync(garbage);
        Assert.Equal(400, (int)garbage.StatusCode);
        Assert.StartsWith("malformed multipart/form-data: ", error.GetProperty("error").GetString());
        await AssertErrorAsync(await server.Client.PostAsync("/predict", Body(Part("\r\nX-Filler: " + new string('a', 20_000), final: true), Type), Ct), 413,
            "the headers of a multipart/form-data section are larger than the 16 KB limit");
        string many = string.Concat(Enumerable.Range(0, 20).Select(i => $"\r\nX-H{i}: v"));
        await AssertErrorAsync(await server.Client.PostAsync("/predict", Body(Part(many, final: true), Type), Ct), 400,
            "a multipart/form-data section has 22 headers, more than 16");
        // Still serving, and a well-formed upload is classified.
        Assert.Equal(200, (int)(await server.Client.PostAsync("/predict", Body(Part("", final: true), Type), Ct)).StatusCode);
    }

    [Fact]
    public async Task Kestrels_own_refusals_carry_a_json_error()
    {
        await using var server = await StartProbeAsync();
        int port = Port(server);
        RawResponse? uri = await RawHttp.SendAsync(port, RawHttp.Build($"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n"));
        Assert.Equal(414, uri?.Status);
        Assert.True(uri!.IsJson, uri.ToString());
        Assert.Equal("the request line is longer than the 8 KB limit", uri.Error);

        RawResponse? headers = await RawHttp.SendAsync(port, RawHttp.Build($"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: {new string('a', 40_000)}\r\n\r\n"));
        Assert.Equal(431, headers?.Status);
        Assert.Equal("the request headers are larger than the 32 KB limit or more than 100", headers!.Error);

        RawResponse? line = await RawHttp.SendAsync(port, RawHttp.Build("GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n"));
        Assert.Equal(400, line?.Status);
        Assert.Equal("bad request: the request line or headers are not valid HTTP/1.1", line!.Error);

        // A malformed chunked body: found while the application reads it.
        RawResponse? chunked = await RawHttp.SendAsync(port, RawHttp.Build("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"));
        Assert.Equal(400, chunked?.Status);
        Assert.Equal("the request body ended before its declared length, or its chunked encoding is malformed", chunked!.Error);

        // Keep-alive responses of the application pass through untouched, and the server still answers.
        RawResponse? ok = await RawHttp.SendAsync(port, RawHttp.Build("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        Assert.Equal(200, ok?.Status);
        Assert.Contains("\"status\":\"ok\"", ok!.Body);
    }
}
