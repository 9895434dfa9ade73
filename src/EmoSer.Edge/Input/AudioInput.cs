using EmoSer.Edge.CommandLine;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;

namespace EmoSer.Edge.Input;

/// <summary>
/// Turns the FILE arguments of a command into audio: a path, or <c>-</c> for standard input; any audio file the
/// runtime's <see cref="AudioFile"/> opens (ffmpeg for the compressed formats) unless <c>--raw</c> is given. Every
/// failure becomes an exception whose message is <c>"&lt;input&gt;: &lt;problem&gt;"</c>.
/// </summary>
internal static class AudioInput
{
    /// <summary>The argument that means standard input.</summary>
    public const string StdinArgument = "-";

    /// <summary>The name under which standard input appears in output and error messages.</summary>
    public const string StdinName = "<stdin>";

    /// <summary>The name that output and error messages use for the argument.</summary>
    public static string DisplayName(string argument) => argument == StdinArgument ? StdinName : argument;

    /// <summary>
    /// Reads one whole input of at most <paramref name="maxSeconds"/>: refused from a WAV header's declared size before
    /// reading, or as soon as reading passes the limit (an endless pipe stops there).
    /// </summary>
    /// <param name="argument">The FILE argument.</param>
    /// <param name="raw">The raw layout, or null for WAV.</param>
    /// <param name="context">The command's streams.</param>
    /// <param name="maxSeconds">The command's <c>--max-duration</c>.</param>
    /// <param name="tooLongHint">What the error for too long an input suggests (after the limit).</param>
    /// <exception cref="AudioFormatException">The bytes are not usable audio.</exception>
    /// <exception cref="InputException">The file cannot be opened or read, or is too long.</exception>
    public static AudioClip Load(string argument, RawAudioSettings? raw, CliContext context, double maxSeconds, string tooLongHint)
    {
        string name = DisplayName(argument);
        AudioFileOptions options = context.AudioOptions with { MaxDurationSeconds = maxSeconds };
        AudioClip clip;
        try
        {
            if (argument == StdinArgument)
            {
                clip = Decode(context.In, name, raw, options);
            }
            else if (raw is null)
            {
                // Opened first for the CLI's own messages (missing, a folder, no permission); then by path, so that
                // ffmpeg, when a format needs it, opens the file itself.
                OpenFile(argument).Dispose();
                clip = DecodeFile(argument, options);
            }
            else
            {
                using FileStream file = OpenFile(argument);
                clip = Decode(file, name, raw, options);
            }
        }
        catch (AudioTooLongException e)
        {
            throw new InputException(name, $"{e.Problem}: {tooLongHint}");
        }
        if (clip.FrameCount == 0)
            throw new InputException(name, "no audio samples (0 frames)");
        return clip;
    }

    /// <summary>The <c>--max-duration SECONDS</c> option of the whole-clip commands.</summary>
    public static OptionSpec<double> CreateMaxDurationOption() => new("--max-duration")
    {
        Description = $"Longest input in seconds (default {InputLimits.DefaultMaxDurationSeconds:0}); longer input is refused before it is read.",
        DefaultValue = InputLimits.DefaultMaxDurationSeconds,
        HelpName = "SECONDS",
        Parse = NumberParsers.DoubleInRange(0.001, InputLimits.MaxDurationCeilingSeconds, " seconds"),
    };

    /// <summary>The error for audio whose rate the resampler cannot bring to the model's, or null when it can.</summary>
    public static InputException? RateProblem(string name, int rate, int modelRate) =>
        Resampler.SupportsRatio(rate, modelRate) ? null : UnsupportedRate(name, rate, modelRate);

    /// <summary>The error for audio whose rate the resampler cannot bring to the model's (ratio beyond 1:1024).</summary>
    public static InputException UnsupportedRate(string name, int rate, int modelRate) =>
        new(name, $"sample rate {rate} Hz cannot be resampled to the model's {modelRate} Hz (ratio beyond 1:{Resampler.MaxRatio})");

    /// <summary>Opens a file for reading, naming the problem when that is impossible.</summary>
    /// <exception cref="InputException">Missing, a directory, not readable.</exception>
    public static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path))
            throw new InputException(path, "is a directory, not a file");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException(path, "no such file");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputException(path, "permission denied");
        }
        catch (IOException e)
        {
            throw new InputException(path, $"cannot open: {ErrorText.Describe(e)}");
        }
    }

    private static AudioClip Decode(Stream stream, string name, RawAudioSettings? raw, AudioFileOptions options)
    {
        try
        {
            return raw is null
                ? AudioFile.Read(stream, name, options)
                : RawPcmReader.Read(stream, raw.Format, raw.SampleRate, raw.Channels, name, options.MaxDurationSeconds);
        }
        catch (IOException e)
        {
            throw new InputException(name, $"read error: {ErrorText.Describe(e)}");
        }
    }

    /// <summary>A file by its path, which lets ffmpeg open it itself (no copy in memory).</summary>
    private static AudioClip DecodeFile(string path, AudioFileOptions options)
    {
        try
        {
            return AudioFile.Read(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, $"read error: {ErrorText.Describe(e)}");
        }
    }
}
