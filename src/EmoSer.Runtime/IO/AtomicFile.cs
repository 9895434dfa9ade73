namespace EmoSer.Runtime.IO;

/// <summary>
/// Writes whole files so that a reader sees either the old content or the new, never a partial file: the content goes
/// to a temporary file in the same folder (a rename within one file system is atomic), which is then renamed over the
/// target. On failure the temporary file is removed and an existing file is untouched. The weights and profile writers,
/// and the trainer's reports, plots and caches, all write through here.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="bytes">The whole content.</param>
    /// <param name="flushToDisk">
    /// True (the default) flushes the content to the disk before the rename, so that a crash cannot leave an empty
    /// file in place of the old one; false for files that can be made again (caches), where a flush per file costs
    /// more than the write.
    /// </param>
    /// <exception cref="IOException">The file cannot be written (the folder is missing, the disk is full, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file is not writable.</exception>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool flushToDisk = true)
    {
        string full = FullPath(path);
        string temp = TemporaryPath(full, keepExtension: false);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    /// <summary>
    /// Calls <paramref name="writeTemporary"/> with a temporary path beside <paramref name="path"/> that ends in the same
    /// extension (for writers that choose the format by it, such as a plotting library's SavePng), then renames that
    /// file over <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The file to write; its folder must exist.</param>
    /// <param name="writeTemporary">Writes the whole content to the path it is given.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder or the file is not writable.</exception>
    public static void Write(string path, Action<string> writeTemporary)
    {
        ArgumentNullException.ThrowIfNull(writeTemporary);
        string full = FullPath(path);
        string temp = TemporaryPath(full, keepExtension: true);
        try
        {
            writeTemporary(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temp);
            throw;
        }
    }

    private static string FullPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.GetFullPath(path);
    }

    private static string TemporaryPath(string full, bool keepExtension)
    {
        string folder = Path.GetDirectoryName(full)!;
        string unique = $"{Environment.ProcessId}.{Guid.NewGuid():N}";
        return keepExtension
            ? Path.Combine(folder, $".{Path.GetFileNameWithoutExtension(full)}.{unique}.tmp{Path.GetExtension(full)}")
            : Path.Combine(folder, $".{Path.GetFileName(full)}.{unique}.tmp");
    }

    private static void DeleteQuietly(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error matters more than a leftover temp file.
        }
    }
}
