using System.Net.Http.Headers;
using System.Text;
using EmoSer.Serve;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>Bad uploads get a specific status and one-line JSON error; the server keeps serving.</summary>
[Trait("Category", "unit")]
public sealed class UploadErrorTests
{
    private static ByteArrayContent Body(byte[] bytes, string type = "audio/wav")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Empty_body_is_400()
    {
        await using var server = await StartProbeAsync();
        var response = await server.Client.PostAsync("/predict", Body([]), Ct);
        await AssertErrorAsync(response, 400, "upload: empty input (0 bytes)");
    }

    [Fact]
    public async Task Truncated_wav_is_400_naming_the_declared_and_actual_sizes()
    {
        await using var server = await StartProbeAsync();
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        byte[] truncated = wav[..(wav.Length - 1000)];
        var response = await server.Client.PostAsync("/predict", Body(truncated), Ct);
        await AssertErrorAsync(response, 400, $"upload: data chunk larger than the file: declares {wav.Length - 44} bytes, only {wav.Length - 44 - 1000} follow");
    }

    [Fact]
    public async Task Text_sent_as_wav_is_400_not_an_audio_file()
    {
        await using var server = await StartProbeAsync();
        var response = await server.Client.PostAsync("/predict", Body(Encoding.UTF8.GetBytes("hello, this is not audio at all")), Ct);
        await AssertErrorAsync(response, 400, "upload: not a supported audio file: no WAV, AIFF, FLAC, MP3, Ogg, MP4 or WebM header (starts with 68 65 6C 6C)");
    }

    [Fact]
    public async Task Compressed_audio_without_ffmpeg_is_400_naming_the_format_and_the_remedy()
    {
        await using var server = await StartProbeAsync(new ServeOptions { AudioOptions = EmoSer.Runtime.Audio.AudioFileOptions.BuiltIn });
        byte[] mp3 = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0, 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0];
        var response = await server.Client.PostAsync("/predict", Body(mp3, "audio/mpeg"), Ct);
        await AssertErrorAsync(response, 400, "upload: MP3 audio is not decoded here (WAV, AIFF and FLAC are): convert it first, e.g. 'ffmpeg -i INPUT OUTPUT.wav'");
    }

    [Fact]
    public async Task Unsupported_content_type_is_415()
    {
        await using var server = await StartProbeAsync();
        var response = await server.Client.PostAsync("/predict", Body(Encoding.UTF8.GetBytes("hi"), "text/plain"), Ct);
        await AssertErrorAsync(response, 415,
            "unsupported Content-Type 'text/plain': send an audio file (audio/*), multipart/form-data with a file field, or raw PCM with ?rate=&channels=&format=");
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_413_with_and_without_content_length()
    {
        await using var server = await StartProbeAsync(new ServeOptions { MaxBodyBytes = 1024 * 1024 });
        // 1.06 MB: over the limit, but close enough that the server reads up to the limit and drains the rest.
        byte[] wav = TestAudio.Wav(TestAudio.Tone(33, 16000), 16000, 1);
        Assert.InRange(wav.Length, 1024 * 1024 + 1, 1024 * 1024 + AudioUpload.MultipartSlack - 1000);
        var response = await server.Client.PostAsync("/predict", Body(wav), Ct);
        await AssertErrorAsync(response, 413, "the request body is larger than the 1 MB limit");

        // Chunked (no Content-Length): refused while reading.
        var chunked = new StreamContent(new MemoryStream(wav));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        response = await server.Client.SendAsync(request, Ct);
        await AssertErrorAsync(response, 413, "the request body is larger than the 1 MB limit");

        // Multipart: the file part is bounded too.
        var form = new MultipartFormDataContent { { Body(wav), "file", "big.wav" } };
        response = await server.Client.PostAsync("/predict", form, Ct);
        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("1 MB limit", (await JsonAsync(response)).GetProperty("error").GetString());

        // Still serving.
        response = await server.Client.PostAsync("/predict", Body(TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1)), Ct);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Audio_over_the_duration_limit_is_413()
    {
        await using var server = await StartProbeAsync(new ServeOptions { MaxAudioSeconds = 5 });
        var response = await server.Client.PostAsync("/predict", Body(TestAudio.Wav(TestAudio.Tone(6, 8000), 8000, 1)), Ct);
        await AssertErrorAsync(response, 413, "upload: 6 s of audio is longer than the 5 s limit");
        response = await server.Client.PostAsync("/predict", Body(TestAudio.Wav(TestAudio.Tone(4.5, 8000), 8000, 1)), Ct);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Default_duration_limit_is_ten_minutes()
    {
        await using var server = await StartProbeAsync();
        // 601 s at 8 kHz 16-bit mono is 9.6 MB: under the 25 MB body limit, over the 600 s limit.
        var response = await server.Client.PostAsync("/predict", Body(TestAudio.Wav(TestAudio.Tone(601, 8000), 8000, 1)), Ct);
        await AssertErrorAsync(response, 413, "upload: 601 s of audio is longer than the 600 s limit");
    }

    [Fact]
    public async Task Rates_below_8_kHz_are_400_before_the_audio_is_decoded()
    {
        await using var server = await StartProbeAsync();
        // A 16 Hz header made a 60 KB file cost 8 s and 0.8 GB of resampling: refused as bad input, from the header.
        var raw = await server.Client.PostAsync("/predict?rate=16&format=s16le", Body(new byte[64], "application/octet-stream"), Ct);
        await AssertErrorAsync(raw, 400, "rate must be an integer sample rate in [8000, 768000]");
        byte[] low = TestAudio.Wav(new float[64], 8000, 1);
        BitConverter.GetBytes(16).CopyTo(low, 24);
        var wav = await server.Client.PostAsync("/predict", Body(low), Ct);
        await AssertErrorAsync(wav, 400, "upload: sample rate 16 Hz is below the minimum of 8000 Hz");
        var edge = await server.Client.PostAsync("/predict?rate=8000&format=s16le", Body(new byte[16000], "application/octet-stream"), Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, edge.StatusCode);
    }

    [Fact]
    public async Task Raw_pcm_parameters_are_validated()
    {
        await using var server = await StartProbeAsync();
        var response = await server.Client.PostAsync("/predict?rate=abc", Body([0, 0], "application/octet-stream"), Ct);
        await AssertErrorAsync(response, 400, "rate must be an integer sample rate in [8000, 768000]");
        response = await server.Client.PostAsync("/predict?rate=16000&channels=0", Body([0, 0], "application/octet-stream"), Ct);
        await AssertErrorAsync(response, 400, "channels must be an integer in [1, 64]");
        response = await server.Client.PostAsync("/predict?rate=16000&format=mp3", Body([0, 0], "application/octet-stream"), Ct);
        await AssertErrorAsync(response, 400, "format must be s16le or f32le, not 'mp3'");
        response = await server.Client.PostAsync("/predict?rate=16000&channels=2", Body([0, 0, 0], "application/octet-stream"), Ct);
        await AssertErrorAsync(response, 400, "upload: 3 bytes are not a whole number of 4-byte frames (3 left over): wrong raw format or channel count?");
    }

    [Fact]
    public async Task Segment_must_be_a_sensible_number_of_seconds()
    {
        await using var server = await StartProbeAsync();
        byte[] wav = TestAudio.Wav(TestAudio.Tone(1, 16000), 16000, 1);
        // The runtime's rule (InputLimits.SegmentLengthProblem), as for the CLI and the C API.
        foreach (var (bad, message) in new[]
        {
            ("abc", "segment must be a finite number of seconds of at least 0.1, got NaN"),
            ("1%0Aforged: line", "segment must be a finite number of seconds of at least 0.1, got NaN"),
            ("0", "segment must be a finite number of seconds of at least 0.1, got 0"),
            ("0.05", "segment must be a finite number of seconds of at least 0.1, got 0.05"),
            ("-3", "segment must be a finite number of seconds of at least 0.1, got -3"),
            ("NaN", "segment must be a finite number of seconds of at least 0.1, got NaN"),
            ("Infinity", "segment must be a finite number of seconds of at least 0.1, got Infinity"),
        })
        {
            var response = await server.Client.PostAsync($"/predict?segment={bad}", Body(wav), Ct);
            await AssertErrorAsync(response, 400, message);
        }
        // The shortest segment the runtime allows is taken: a 1 s clip in 0.1 s segments is a timeline of ten.
        var shortest = await JsonAsync(await server.Client.PostAsync("/predict?segment=0.1", Body(wav), Ct));
        Assert.Equal(10, shortest.GetProperty("timeline").GetArrayLength());
    }

    [Fact]
    public async Task Multipart_without_a_file_is_400()
    {
        await using var server = await StartProbeAsync();
        var form = new MultipartFormDataContent { { new StringContent("x"), "note" } };
        var response = await server.Client.PostAsync("/predict", form, Ct);
        await AssertErrorAsync(response, 400, "multipart/form-data has no file field: send the audio as the 'file' field");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_json_errors()
    {
        await using var server = await StartProbeAsync();
        await AssertErrorAsync(await server.Client.GetAsync("/nope", Ct), 404, "no such endpoint: GET /nope");
        await AssertErrorAsync(await server.Client.DeleteAsync("/healthz", Ct), 405, "method DELETE is not allowed on /healthz");
        await AssertErrorAsync(await server.Client.GetAsync("/static/nope.js", Ct), 404, "no such file: nope.js");
    }
}
