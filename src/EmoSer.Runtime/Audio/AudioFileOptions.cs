namespace EmoSer.Runtime.Audio;

/// <summary>
/// How <see cref="AudioFile"/> decodes: whether compressed formats the runtime does not decode itself (MP3, Ogg,
/// MP4/M4A, WebM, ...) go through an external <c>ffmpeg</c>, and the bounds on compressed input.
/// </summary>
public sealed record AudioFileOptions
{
    /// <summary>Built-in formats only (WAV, AIFF, FLAC): what the C library uses.</summary>
    public static AudioFileOptions BuiltIn { get; } = new();

    /// <summary>Built-in formats, and the others through the <c>ffmpeg</c> found on PATH when a file needs it.</summary>
    public static AudioFileOptions WithFfmpeg { get; } = new() { Ffmpeg = "ffmpeg" };

    /// <summary>
    /// The options of the programs (the CLI, the HTTP service, the trainer): <see cref="WithFfmpeg"/>, with the ffmpeg
    /// of <c>$EMOSER_FFMPEG</c> when set (a path, or <c>none</c> for the built-in formats only).
    /// </summary>
    public static AudioFileOptions FromEnvironment() =>
        Environment.GetEnvironmentVariable("EMOSER_FFMPEG") switch
        {
            null or "" => WithFfmpeg,
            "none" => BuiltIn,
            string path => WithFfmpeg with { Ffmpeg = path },
        };

    /// <summary>
    /// The ffmpeg executable for formats the runtime does not decode: a path, or a bare name looked up on PATH when a
    /// file needs it. Null (the default) decodes only WAV, AIFF and FLAC, and names the format of any other file.
    /// </summary>
    public string? Ffmpeg { get; init; }

    /// <summary>
    /// Longest audio read, in seconds, whatever the format (default <see cref="InputLimits.DefaultMaxDurationSeconds"/>,
    /// at most <see cref="InputLimits.MaxDurationCeilingSeconds"/>): refused from the header's declared length before the
    /// samples are decoded, or as soon as decoding passes it (a few bytes of FLAC or MP3 can stand for hours of samples).
    /// Longer audio is an <see cref="AudioTooLongException"/>.
    /// </summary>
    public double MaxDurationSeconds { get; init; } = InputLimits.DefaultMaxDurationSeconds;

    /// <summary>Time after which ffmpeg is stopped and the file reported as not decodable (default two minutes).</summary>
    public TimeSpan FfmpegTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where compressed audio decoded from memory is written for ffmpeg, which needs a seekable file for MP4 (default
    /// null: <see cref="Path.GetTempPath"/>). The file is deleted once decoded, whatever the outcome.
    /// </summary>
    public string? TemporaryDirectory { get; init; }
}
