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

    /// <summary>Reads one whole input.</summary>
    /// <exception cref="AudioFormatException">The bytes are not usable audio.</exception>
    /// <exception cref="InputException">The file cannot be opened or read, or holds no samples.</exception>
    public static AudioClip Load(string argument, RawAudioSettings? raw, CliContext context)
    {
        string name = DisplayName(argument);
        AudioClip clip;
        if (argument == StdinArgument)
        {
            clip = Decode(context.In, name, raw, context.AudioOptions);
        }
        else
        {
            if (raw is null)
            {
                // Opened first for the CLI's own messages (missing, a folder, no permission); then by path, so that
                // ffmpeg, when a format needs it, opens the file itself.
                OpenFile(argument).Dispose();
                clip = DecodeFile(argument, context.AudioOptions);
            }
            else
            {
                using FileStream file = OpenFile(argument);
                clip = Decode(file, name, raw, context.AudioOptions);
            }
        }
        if (clip.FrameCount == 0)
            throw new InputException(name, "no audio samples (0 frames)");
        return clip;
    }

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
            throw new InputException(path, $"cannot open: {e.Message}");
        }
    }

    private static AudioClip Decode(Stream stream, string name, RawAudioSettings? raw, AudioFileOptions options)
    {
        try
        {
            return raw is null
                ? AudioFile.Read(stream, name, options)
                : RawPcmReader.Read(stream, raw.Format, raw.SampleRate, raw.Channels, name);
        }
        catch (IOException e)
        {
            throw new InputException(name, $"read error: {e.Message}");
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
            throw new InputException(path, $"read error: {e.Message}");
        }
    }
}
