using System.Globalization;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EmoSer.Serve;

/// <summary>
/// Turns a <c>POST /predict</c> request into audio: an audio file body (any <c>audio/*</c> type, or none; the format
/// is told from the bytes by the runtime's <see cref="AudioFile"/>: WAV, AIFF, FLAC, and MP3, Ogg, M4A, WebM through
/// ffmpeg), a multipart/form-data upload (the "file" field, else the first file), or headerless PCM when
/// <c>?rate=</c> is given (<c>&amp;channels=</c>, <c>&amp;format=s16le|f32le</c>). The body is read with a hard
/// byte limit before anything is decoded, so no header value can make the server allocate more. A multipart
/// upload may also carry a <c>speaker</c> text field.
/// </summary>
internal static class AudioUpload
{
    /// <summary>Bytes Kestrel accepts beyond the audio limit, for multipart framing.</summary>
    public const int MultipartSlack = 64 * 1024;

    // Besides audio/*: what browsers and tools label audio files with (a .webm or .ogg recording, an unknown type).
    private static readonly string[] s_fileTypes = ["application/octet-stream", "application/ogg", "video/webm", "video/mp4", "video/ogg"];

    /// <summary>Longest <c>speaker</c> form field read; longer values are cut here and refused by the id check.</summary>
    private const int MaxFieldBytes = 256;

    /// <summary>Largest header block of one multipart section (the reader's own default).</summary>
    public const int MaxSectionHeaderBytes = 16 * 1024;

    /// <summary>Most headers of one multipart section.</summary>
    public const int MaxSectionHeaders = 16;

    /// <summary>Reads and decodes the request's audio.</summary>
    /// <exception cref="ApiException">400/413/415 with a one-line reason.</exception>
    public static async Task<AudioClip> ReadAsync(HttpRequest request, ServeOptions options, CancellationToken ct) =>
        (await ReadUploadAsync(request, options, ct).ConfigureAwait(false)).Clip;

    /// <summary>Reads and decodes the request's audio and the multipart <c>speaker</c> field (null when absent or not multipart).</summary>
    /// <exception cref="ApiException">400/413/415 with a one-line reason.</exception>
    public static async Task<(AudioClip Clip, string? SpeakerField)> ReadUploadAsync(HttpRequest request, ServeOptions options, CancellationToken ct)
    {
        // A body that cannot fit even with multipart framing is refused before reading it. Slightly larger
        // bodies are read up to the limit, so the small remainder can be drained and the connection kept.
        if (request.ContentLength > options.MaxBodyBytes + MultipartSlack)
            throw TooLarge(options);

        string? rate = request.Query["rate"];
        string? contentType = request.ContentType;
        AudioClip clip;
        string? speaker = null;
        if (rate is not null)
        {
            var (format, sampleRate, channels) = ParseRawQuery(request.Query);
            using var body = await ReadBoundedAsync(request.Body, options, ct).ConfigureAwait(false);
            clip = Decode(() => RawPcmReader.Read(body, format, sampleRate, channels, "upload", options.MaxAudioSeconds));
        }
        else if (contentType is not null && contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var (name, body, field) = await ReadMultipartFileAsync(request, options, ct).ConfigureAwait(false);
            speaker = field;
            using (body)
                clip = Decode(() => AudioFile.Read(body, name, options.DecodeOptions));
        }
        else if (contentType is null || contentType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) || s_fileTypes.Any(t => MediaTypeIs(contentType, t)))
        {
            using var body = await ReadBoundedAsync(request.Body, options, ct).ConfigureAwait(false);
            clip = Decode(() => AudioFile.Read(body, "upload", options.DecodeOptions));
        }
        else
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                $"unsupported Content-Type '{contentType}': send an audio file (audio/*), multipart/form-data with a file field, or raw PCM with ?rate=&channels=&format=");
        }

        // The readers refused empty audio, invalid samples and audio over the limit (from the header, before decoding).
        return (clip, speaker);
    }

    private static bool MediaTypeIs(string contentType, string mediaType)
    {
        int semicolon = contentType.IndexOf(';');
        ReadOnlySpan<char> type = (semicolon >= 0 ? contentType.AsSpan(0, semicolon) : contentType.AsSpan()).Trim();
        return type.Equals(mediaType, StringComparison.OrdinalIgnoreCase);
    }

    private static AudioClip Decode(Func<AudioClip> decode)
    {
        try
        {
            return decode();
        }
        catch (AudioTooLongException e)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, e.Message);
        }
        catch (AudioFormatException e)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    /// <summary>A <c>rate</c> query parameter (raw uploads, <c>/stream</c>): an integer within the runtime's sample-rate limits.</summary>
    /// <exception cref="ApiException">400 naming the range.</exception>
    public static int ParseRate(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int rate) && InputLimits.SampleRateProblem(rate) is null
            ? rate
            : throw new ApiException(StatusCodes.Status400BadRequest, $"rate must be an integer sample rate in [{InputLimits.MinSampleRate}, {InputLimits.MaxSampleRate}]");

    private static (RawPcmFormat Format, int Rate, int Channels) ParseRawQuery(IQueryCollection query)
    {
        int rate = ParseRate(query["rate"]);
        int channels = 1;
        string? channelsText = query["channels"];
        if (channelsText is not null
            && (!int.TryParse(channelsText, NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels < 1 || channels > InputLimits.MaxChannels))
            throw new ApiException(StatusCodes.Status400BadRequest, $"channels must be an integer in [1, {InputLimits.MaxChannels}]");
        RawPcmFormat format = (string?)query["format"] switch
        {
            null or "s16le" => RawPcmFormat.S16Le,
            "f32le" => RawPcmFormat.F32Le,
            var other => throw new ApiException(StatusCodes.Status400BadRequest, $"format must be s16le or f32le, not '{other}'"),
        };
        return (format, rate, channels);
    }

    private static async Task<(string Name, MemoryStream Body, string? Speaker)> ReadMultipartFileAsync(HttpRequest request, ServeOptions options, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            throw new ApiException(StatusCodes.Status400BadRequest, "multipart/form-data without a valid boundary");
        // The reader's own limits are set high and ours checked on each section: its exceptions say nothing a client
        // can use (and are framework texts). The body as a whole is bounded by Kestrel, each file by ReadBoundedAsync.
        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersLengthLimit = (int)Math.Min(options.MaxBodyBytes, int.MaxValue),
            HeadersCountLimit = 1000,
        };
        MemoryStream? file = null, firstFile = null;
        try
        {
            string fileName = "upload", firstName = "upload";
            string? speaker = null;
            // Every section is read (the body is bounded anyway) so a speaker field after the file is still seen.
            while (await reader.ReadNextSectionAsync(ct).ConfigureAwait(false) is { } section)
            {
                CheckSectionHeaders(section);
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    continue;
                string field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                string? sectionFile = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (field == "speaker" && sectionFile is null)
                {
                    if (speaker is not null)
                        throw new ApiException(StatusCodes.Status400BadRequest, "the form has more than one 'speaker' field");
                    speaker = await ReadFieldAsync(section.Body, ct).ConfigureAwait(false);
                    continue;
                }
                if (field == "file" ? file is not null : sectionFile is null || firstFile is not null || file is not null)
                    continue;
                var body = await ReadBoundedAsync(section.Body, options, ct, section: true).ConfigureAwait(false);
                string name = string.IsNullOrEmpty(sectionFile) ? "upload" : Path.GetFileName(sectionFile);
                if (field == "file")
                {
                    firstFile?.Dispose();
                    firstFile = null;
                    (file, fileName) = (body, name);
                }
                else
                {
                    (firstFile, firstName) = (body, name);
                }
            }
            if (file is not null)
                return (fileName, file, speaker);
            if (firstFile is not null)
                return (firstName, firstFile, speaker);
            throw new ApiException(StatusCodes.Status400BadRequest, "multipart/form-data has no file field: send the audio as the 'file' field");
        }
        catch (InvalidDataException)
        {
            Dispose(file, firstFile);
            throw new ApiException(StatusCodes.Status400BadRequest, "malformed multipart/form-data: a boundary or section header does not follow the format");
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            // The multipart reader's "unexpected end of stream": the body ended inside a section (or its chunked
            // encoding broke, which Kestrel reports the same way).
            Dispose(file, firstFile);
            throw new ApiException(StatusCodes.Status400BadRequest, "malformed multipart/form-data: the body ends before the final boundary");
        }
        catch
        {
            Dispose(file, firstFile);
            throw;
        }
    }

    /// <summary>Our limits on one section's headers: their size (413) and count (400).</summary>
    private static void CheckSectionHeaders(MultipartSection section)
    {
        if (section.Headers is not { } headers)
            return;
        long bytes = 0;
        int count = 0;
        foreach (var (key, values) in headers)
        {
            foreach (string? value in values)
            {
                count++;
                bytes += key.Length + (value?.Length ?? 0) + 4;
            }
        }
        if (bytes > MaxSectionHeaderBytes)
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"the headers of a multipart/form-data section are larger than the {MaxSectionHeaderBytes / 1024} KB limit");
        if (count > MaxSectionHeaders)
            throw new ApiException(StatusCodes.Status400BadRequest, $"a multipart/form-data section has {count} headers, more than {MaxSectionHeaders}");
    }

    private static void Dispose(MemoryStream? a, MemoryStream? b)
    {
        a?.Dispose();
        b?.Dispose();
    }

    /// <summary>A short text field (UTF-8), cut at <see cref="MaxFieldBytes"/>.</summary>
    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        byte[] buffer = new byte[MaxFieldBytes];
        int length = 0, n;
        while (length < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false)) > 0)
            length += n;
        // The rest of an over-long value is skipped by the reader; the id check refuses the value anyway.
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>Copies a body into memory, refusing (413) as soon as it passes the limit.</summary>
    private static async Task<MemoryStream> ReadBoundedAsync(Stream body, ServeOptions options, CancellationToken ct, bool section = false)
    {
        var memory = new MemoryStream();
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (memory.Length + n > options.MaxBodyBytes)
                    throw TooLarge(options);
                memory.Write(buffer, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(options);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested && !section)
        {
            // A section's body ending early is the multipart reader's to report (ReadMultipartFileAsync).
            throw BrokenBody();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        memory.Position = 0;
        return memory;
    }

    /// <summary>
    /// A body Kestrel could not decode (a chunk size that overflows, say), which it reports as a plain IOException;
    /// a client that went away cancels the request instead.
    /// </summary>
    internal static ApiException BrokenBody() =>
        new(StatusCodes.Status400BadRequest, "the request body could not be read: its chunked encoding is malformed");

    private static ApiException TooLarge(ServeOptions options) =>
        new(StatusCodes.Status413PayloadTooLarge,
            string.Create(CultureInfo.InvariantCulture, $"the request body is larger than the {options.MaxBodyBytes / (1024.0 * 1024.0):0.##} MB limit"));
}
