using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EmoSer.Runtime.Audio;

namespace EmoSer.Serve.Tests;

/// <summary>
/// A deterministic stream of hostile HTTP requests (seeded): malformed request lines and headers, oversized ones,
/// broken chunked and multipart bodies, mutated and crafted WAV files, raw PCM with hostile parameters, bad JSON for
/// <c>/train</c>, poisoned speaker profiles, path and method abuse. Each is a complete byte image sent on its own
/// connection (<c>Connection: close</c>).
/// </summary>
internal static class HostileRequests
{
    /// <summary>One request: what it is, and its bytes.</summary>
    internal sealed record Request(string Kind, byte[] Bytes);

    public static IEnumerable<Request> Generate(int count, int seed, string? apiKey)
    {
        var rng = new Random(seed);
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        string auth = apiKey is null ? "" : $"Authorization: Bearer {apiKey}\r\n";
        for (int i = 0; i < count; i++)
        {
            int kind = i % 16;
            yield return kind switch
            {
                0 => new("long request line", Head($"GET /{new string('a', rng.Next(8200, 20000))} HTTP/1.1\r\nHost: x\r\n\r\n")),
                1 => new("large header", Head($"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: {new string('b', rng.Next(33_000, 70_000))}\r\n\r\n")),
                2 => new("many headers", Head("GET /healthz HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, rng.Next(101, 300)).Select(h => $"X-{h}: v\r\n")) + "\r\n")),
                3 => new("malformed request line", Head(Pick(rng, MalformedLines))),
                4 => new("bad chunked body", Head($"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{Pick(rng, BadChunks)}")),
                5 => new("bad Content-Length", Head($"POST /predict HTTP/1.1\r\nHost: x\r\n{Pick(rng, BadLengths)}\r\nConnection: close\r\n\r\nabc")),
                6 => new("oversized body declared", Head("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: audio/wav\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n", new byte[1024])),
                7 => Multipart(rng, wav),
                8 => new("mutated WAV", Post("/predict", "audio/wav", Mutate(rng, wav), auth: "")),
                9 => new("crafted WAV", Post("/predict", "audio/wav", CraftedWav(rng, wav), auth: "")),
                10 => RawPcm(rng),
                11 => new("bad /train JSON", Post("/train", "application/json", Encoding.UTF8.GetBytes(Pick(rng, BadTrainBodies)), auth)),
                12 => new("poisoned profile", Post($"/speakers/{Pick(rng, SpeakerIds)}", "application/json", Encoding.UTF8.GetBytes(PoisonedProfile(rng)), auth, "PUT")),
                13 => new("path abuse", Head($"{Pick(rng, ["GET", "DELETE", "PUT"])} {Pick(rng, Paths)} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n")),
                14 => new("method abuse", Head($"{Pick(rng, Methods)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")),
                _ => new("query abuse", Post($"/predict?{Pick(rng, Queries)}", "audio/wav", wav, auth: "")),
            };
        }
    }

    private static readonly string[] MalformedLines =
    [
        "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "get / http/1.1\r\nHost: x\r\n\r\n",
        "\u0000\u0001\u0002\u0003\r\n\r\n", "GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", "GET  /  HTTP/1.1\r\nHost: x\r\n\r\n", "GET /\u00ff HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\nHost: x\n\n", "GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    ];

    private static readonly string[] BadChunks =
    [
        "zz\r\nabc\r\n", "ffffffffffffffff\r\nabc\r\n", "5\r\nabc\r\n", "3;ext=\"unterminated\r\nabc\r\n0\r\n\r\n", "-1\r\n\r\n", "3\r\nabcXY0\r\n\r\n",
    ];

    private static readonly string[] BadLengths =
    [
        "Content-Length: -5", "Content-Length: abc", "Content-Length: 3\r\nContent-Length: 4", "Content-Length: 99999999999999999999",
        "Content-Length: 3\r\nTransfer-Encoding: chunked", "Transfer-Encoding: gzip",
    ];

    private static readonly string[] BadTrainBodies =
    [
        "{", "[]", "\"x\"", "{\"protocol\": tpue}", "{\"epochs\": \"ten\"}", "{\"unknown\": 1}", "{\"protocol\":\"full\"} trailing",
        new string('[', 5000), "{\"protocol\":\"" + new string('x', 20_000) + "\"}", "{\"epochs\": 1e400}", "{\"test_size\": NaN}", "\u00ff\u00fe",
    ];

    private static readonly string[] SpeakerIds = ["poison", "a", "x.y-z_1", new string('a', 64)];

    private static readonly string[] Paths =
    [
        "/../../etc/passwd", "/static/../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/speakers/" + new string('x', 100),
        "/speakers/a%20b", "/speakers/%00", "/train/%ff", "/train/" + new string('9', 500), "/predict?ID=-1", "/predict?ID=99999999999999",
        "/predict?ID=0&speaker=a&speaker=b", "/%", "/speakers/a/profile/extra", "//////", "/healthz?" + new string('q', 4000),
    ];

    private static readonly string[] Methods = ["PATCH /predict", "TRACE /", "OPTIONS *", "CONNECT example.com:443", "PROPFIND /", "GET *", "BREW /pot"];

    private static readonly string[] Queries =
    [
        "segment=NaN", "segment=1e308", "segment=-1", "segment=0.1", "speaker=" + new string('s', 1000), "speaker=a%20b", "speaker=a&speaker=b",
        "rate=abc", "rate=16", "rate=16000&channels=999", "rate=16000&format=u8", "rate=99999999999999",
    ];

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static byte[] Head(string head, byte[]? body = null) => RawHttp.Build(head, body);

    private static byte[] Post(string path, string type, byte[] body, string auth, string method = "POST") =>
        Head($"{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: {type}\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n", body);

    private static byte[] Mutate(Random rng, byte[] wav)
    {
        byte[] m = (byte[])wav.Clone();
        int edits = rng.Next(1, 8);
        for (int e = 0; e < edits; e++)
        {
            // Mostly the header: that is where sizes, rates and layouts live.
            int at = rng.Next(4) == 0 ? rng.Next(m.Length) : rng.Next(Math.Min(64, m.Length));
            m[at] = rng.Next(3) switch { 0 => (byte)rng.Next(256), 1 => 0xFF, _ => 0 };
        }
        return rng.Next(5) == 0 ? m[..rng.Next(m.Length)] : m;
    }

    private static byte[] CraftedWav(Random rng, byte[] wav)
    {
        byte[] m = (byte[])wav.Clone();
        switch (rng.Next(7))
        {
            case 0: // rate field of 16 Hz
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(24), 16);
                break;
            case 1: // streaming sizes
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), uint.MaxValue);
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(40), uint.MaxValue);
                break;
            case 2: // declares 2 GiB
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(40), 0x7FFFFFFF);
                break;
            case 3: // 64 channels, 1 byte per frame
                BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(22), 64);
                break;
            case 4: // float with a huge or non-finite sample
                float[] tone = TestAudio.Tone(0.5, 16000);
                tone[rng.Next(tone.Length)] = Pick(rng, [1e20f, 3e38f, float.NaN, float.NegativeInfinity, -65537f]);
                return TestAudio.Wav(tone, 16000, 1, WavSampleFormat.Float32);
            case 5: // fmt chunk claiming 4 GB
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(16), 0xFFFFFFF0);
                break;
            default: // a chunk before fmt claiming most of the file
                return [.. m[..12], .. "LIST"u8.ToArray(), .. BitConverter.GetBytes(0x7FFFFFF0), .. m[12..]];
        }
        return m;
    }

    private static Request Multipart(Random rng, byte[] wav)
    {
        string boundary = rng.Next(6) == 0 ? new string('b', 300) : "XyZ" + rng.Next(1000).ToString(CultureInfo.InvariantCulture);
        string partHead = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav";
        byte[] body = rng.Next(7) switch
        {
            0 => [.. Encoding.ASCII.GetBytes(partHead + "\r\n\r\n"), .. wav], // no final boundary
            1 => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\0garbage", rng.Next(1, 500)))),
            2 => [.. Encoding.ASCII.GetBytes(partHead + "\r\nX-F: " + new string('f', rng.Next(17_000, 60_000)) + "\r\n\r\n"), .. wav, .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")],
            3 => [.. Encoding.ASCII.GetBytes(partHead + string.Concat(Enumerable.Range(0, rng.Next(17, 400)).Select(h => $"\r\nX-{h}: v")) + "\r\n\r\n"), .. wav, .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")],
            4 => Encoding.ASCII.GetBytes($"--{boundary}--\r\n"),
            5 => Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"speaker\"\r\n\r\n{new string('s', 5000)}\r\n--{boundary}--\r\n"),
            _ => [.. Encoding.ASCII.GetBytes(partHead + "\r\n\r\n"), .. Mutate(rng, wav), .. Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")],
        };
        string type = rng.Next(8) == 0 ? "multipart/form-data" : $"multipart/form-data; boundary={boundary}";
        return new Request("multipart", Post("/predict", type, body, auth: ""));
    }

    private static Request RawPcm(Random rng)
    {
        var samples = TestAudio.Tone(0.5, 16000);
        if (rng.Next(2) == 0)
            samples[rng.Next(samples.Length)] = Pick(rng, [1e20f, float.NaN, 3e38f]);
        byte[] raw = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples, 0, raw, 0, raw.Length);
        if (rng.Next(4) == 0)
            raw = raw[..(raw.Length - rng.Next(1, 4))];
        return new Request("raw PCM", Post("/predict?rate=16000&format=f32le", "application/octet-stream", raw, auth: ""));
    }

    private static string PoisonedProfile(Random rng)
    {
        string Values(int n, Func<int, string> value) => string.Join(",", Enumerable.Range(0, n).Select(value));
        string mean = Values(193, _ => "0.5"), m2 = Values(193, _ => "1");
        string count = "3";
        switch (rng.Next(8))
        {
            case 0: mean = Values(193, i => i == 7 ? "1e308" : "0.5"); break;
            case 1: mean = Values(193, i => i == 7 ? "NaN" : "0.5"); break;
            case 2: m2 = Values(193, i => i == 7 ? "-1" : "1"); break;
            case 3: count = "1e300"; break;
            case 4: mean = Values(100_000, _ => "0"); break;
            case 5: m2 = Values(193, i => i == 3 ? "1e308" : "1"); break;
            case 6: count = "9007199254740993"; break;
            default: return new string('{', 10_000);
        }
        return $$"""{"format":"emoser-speaker-profile","version":1,"feature_set":"librosa-seed-193","extractor_version":1,"sample_rate":16000,"count":{{count}},"mean":[{{mean}}],"m2":[{{m2}}]}""";
    }
}
