using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Decodes the formats the runtime has no decoder of its own for (MP3, Ogg Vorbis/Opus, MP4/M4A, WebM, ...) by running
/// an external ffmpeg that writes 32-bit float WAV to a pipe, read by <see cref="WavReader"/> (the samples keep their
/// rate and channels). Bounded: the output is cut by ffmpeg just past <see cref="AudioFileOptions.MaxDurationSeconds"/>
/// and read with that limit (longer audio is an <see cref="AudioTooLongException"/>), the process is killed after <see cref="AudioFileOptions.FfmpegTimeout"/>, only the
/// first audio stream is decoded, and only local files are opened (no URLs, no playlists that point elsewhere).
/// </summary>
internal static class FfmpegDecoder
{
    private const int MaxErrorChars = 4096;

    /// <summary>Decodes the file at <paramref name="path"/> (already known to be <paramref name="format"/>).</summary>
    /// <exception cref="AudioFormatException">No ffmpeg, or it could not decode the file, or the audio is too long.</exception>
    public static AudioClip DecodeFile(string path, AudioFileFormat format, string inputName, AudioFileOptions options)
    {
        string ffmpeg = Resolve(format, inputName, options);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // "file:" keeps a name such as "concat:a|b" or "http://..." a plain local file name.
        string source = "file:" + Path.GetFullPath(path);
        string limit = (options.MaxDurationSeconds + 0.5).ToString("0.###", CultureInfo.InvariantCulture);
        foreach (string arg in (string[])["-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file",
                     "-i", source, "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", limit,
                     "-f", "wav", "-c:a", "pcm_f32le", "pipe:1"])
            start.ArgumentList.Add(arg);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(inputName, $"{AudioFormatSniffer.Describe(format)} audio needs ffmpeg, and '{ffmpeg}' could not be started");
        }
        process.StandardInput.Close();
        var errors = new StringBuilder();
        Task stderr = Task.Run(() => KeepStart(process.StandardError, errors));
        bool timedOut = false;
        using var timer = new Timer(_ =>
        {
            timedOut = true;
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
        }, null, options.FfmpegTimeout, Timeout.InfiniteTimeSpan);

        AudioClip? clip = null;
        AudioFormatException? unreadable = null;
        try
        {
            clip = WavReader.Read(process.StandardOutput.BaseStream, inputName, options.MaxDurationSeconds);
        }
        catch (AudioTooLongException)
        {
            // ffmpeg's output passed the limit: the audio is too long, whatever ffmpeg says on its way out.
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
            process.WaitForExit();
            throw;
        }
        catch (AudioFormatException e)
        {
            unreadable = e;
        }
        catch (IOException e)
        {
            unreadable = new AudioFormatException(inputName, $"reading ffmpeg's output failed: {ErrorText.Describe(e)}");
        }
        finally
        {
            // Whatever happened, the process must end (a WAV error may leave ffmpeg writing to a full pipe).
            try { process.StandardOutput.BaseStream.CopyTo(Stream.Null); } catch (IOException) { }
            process.WaitForExit();
            stderr.Wait();
        }
        timer.Dispose();
        string what = AudioFormatSniffer.Describe(format);
        if (timedOut)
            throw new AudioFormatException(inputName, $"{what} decoding by ffmpeg took longer than {options.FfmpegTimeout.TotalSeconds:0.#} s and was stopped");
        if (process.ExitCode != 0 || unreadable is not null || clip is null)
        {
            // ffmpeg names the input by the (possibly temporary) path it was given: the message names it already.
            string reason = FirstLine(errors.ToString().Replace(source + ": ", "", StringComparison.Ordinal).Replace(source, "the input", StringComparison.Ordinal))
                ?? unreadable?.Problem ?? $"exit code {process.ExitCode}";
            throw new AudioFormatException(inputName, $"{what} data could not be decoded (ffmpeg: {reason})");
        }
        return clip;
    }

    /// <summary>Decodes <paramref name="bytes"/> through a temporary file (MP4 needs a seekable input; a pipe is not).</summary>
    public static AudioClip DecodeBytes(ReadOnlySpan<byte> bytes, AudioFileFormat format, string inputName, AudioFileOptions options)
    {
        // Checked before writing anything: without ffmpeg there is no point in a temporary copy.
        Resolve(format, inputName, options);
        string path = Path.Combine(options.TemporaryDirectory ?? Path.GetTempPath(), "emoser-" + Path.GetRandomFileName());
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                file.Write(bytes);
            return DecodeFile(path, format, inputName, options);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new AudioFormatException(inputName, $"cannot write a temporary file for ffmpeg: {e.Message}");
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The ffmpeg to run for <paramref name="format"/>; refuses at once when there is none (before any input is read).</summary>
    internal static string Resolve(AudioFileFormat format, string inputName, AudioFileOptions options)
    {
        string what = AudioFormatSniffer.Describe(format);
        if (options.Ffmpeg is not { Length: > 0 } ffmpeg)
            throw new AudioFormatException(inputName, $"{what} audio is not decoded here (WAV, AIFF and FLAC are): convert it first, e.g. 'ffmpeg -i INPUT OUTPUT.wav'");
        if (ffmpeg.Contains('/'))
            return File.Exists(ffmpeg) ? ffmpeg
                : throw new AudioFormatException(inputName, $"{what} audio needs ffmpeg, and '{ffmpeg}' does not exist: install ffmpeg (Debian/Ubuntu: apt install ffmpeg) or convert the file to WAV or FLAC");
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, ffmpeg);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new AudioFormatException(inputName, $"{what} audio needs ffmpeg, which is not on PATH: install it (Debian/Ubuntu: apt install ffmpeg) or convert the file to WAV or FLAC");
    }

    private static void KeepStart(StreamReader reader, StringBuilder kept)
    {
        var buffer = new char[1024];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (kept.Length < MaxErrorChars)
                kept.Append(buffer, 0, Math.Min(n, MaxErrorChars - kept.Length));
        }
    }

    private static string? FirstLine(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.Length > 0)
                return trimmed.Length > 200 ? trimmed[..200] + "..." : trimmed;
        }
        return null;
    }
}
