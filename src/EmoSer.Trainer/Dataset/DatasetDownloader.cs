using System.IO.Compression;

namespace EmoSer.Trainer.Dataset;

/// <summary>A download or unpack that failed; nothing is left at the destination.</summary>
public sealed class DatasetDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads a corpus zip and unpacks it atomically: the body goes to a temporary file beside the destination, is
/// checked against Content-Length, unpacked into a temporary folder, and only then renamed to the destination.
/// An interrupted or failed download leaves neither the destination nor any temporary file behind.
/// </summary>
public static class DatasetDownloader
{
    /// <summary>Where Emo-DB's official zip is served (the <c>--url</c> default).</summary>
    public const string EmoDbUrl = "http://emodb.bilderbar.info/download/download.zip";

    /// <summary>Downloads <paramref name="url"/> and unpacks it into <paramref name="destination"/> (which must not exist or be empty).</summary>
    public static async Task DownloadAndUnpackAsync(Uri url, string destination, HttpClient http, Action<long, long?>? progress = null, CancellationToken cancel = default)
    {
        string dest = Path.GetFullPath(destination);
        if (Directory.Exists(dest) && Directory.EnumerateFileSystemEntries(dest).Any())
            throw new DatasetDownloadException($"{dest}: already exists and is not empty");
        if (File.Exists(dest))
            throw new DatasetDownloadException($"{dest}: a file is in the way");
        string parent = Path.GetDirectoryName(dest)!;
        Directory.CreateDirectory(parent);
        string tag = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        string zipTemp = Path.Combine(parent, $".{Path.GetFileName(dest)}.{tag}.zip.partial");
        string dirTemp = Path.Combine(parent, $".{Path.GetFileName(dest)}.{tag}.unpacking");
        try
        {
            using (var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                    throw new DatasetDownloadException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                long? expected = response.Content.Headers.ContentLength;
                long received = 0;
                await using var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
                await using (var file = new FileStream(zipTemp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    var buffer = new byte[81920];
                    int n;
                    while ((n = await body.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, n), cancel).ConfigureAwait(false);
                        received += n;
                        progress?.Invoke(received, expected);
                    }
                }
                if (expected is { } len && received != len)
                    throw new DatasetDownloadException($"{url}: download interrupted after {received} of {len} bytes");
            }
            try
            {
                ZipFile.ExtractToDirectory(zipTemp, dirTemp);
            }
            catch (InvalidDataException e)
            {
                throw new DatasetDownloadException($"{url}: not a valid zip archive ({e.Message})", e);
            }
            if (Directory.Exists(dest))
                Directory.Delete(dest); // empty, checked above
            Directory.Move(dirTemp, dest);
        }
        catch (HttpRequestException e)
        {
            throw new DatasetDownloadException($"{url}: download failed ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new DatasetDownloadException($"{url}: download failed ({e.Message})", e);
        }
        finally
        {
            if (File.Exists(zipTemp)) File.Delete(zipTemp);
            if (Directory.Exists(dirTemp)) Directory.Delete(dirTemp, recursive: true);
        }
    }
}
