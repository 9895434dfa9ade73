using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EmoSer.Trainer.Dataset;

namespace EmoSer.Trainer.Tests.Dataset;

[Trait("Category", "unit")]
public class DatasetDownloaderTests
{
    /// <summary>A one-request-at-a-time HTTP/1.1 server on a TcpListener; <c>cutAfter</c> drops the connection mid-body.</summary>
    private sealed class TinyServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TinyServer(byte[] body, int status = 200, int? cutAfter = null)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                    catch (OperationCanceledException) { return; }
                    using (client)
                    {
                        var stream = client.GetStream();
                        var reader = new StreamReader(stream, Encoding.ASCII);
                        while (!string.IsNullOrEmpty(await reader.ReadLineAsync())) { }
                        string head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: application/zip\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                        int n = cutAfter ?? body.Length;
                        await stream.WriteAsync(body.AsMemory(0, n));
                        await stream.FlushAsync();
                        if (cutAfter is not null)
                            client.Client.LingerState = new LingerOption(true, 0); // reset, not a clean close
                    }
                }
            });
        }

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/download.zip");

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            try { _loop.Wait(2000); } catch (AggregateException) { }
        }
    }

    private static byte[] SmallZip()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var rng = new Random(1);
            foreach (string name in new[] { "wav/03a01Wa.wav", "wav/03a01Fa.wav", "silb/03a01Wa.silb" })
            {
                var data = new byte[50_000];
                rng.NextBytes(data); // incompressible, so the body is large enough to cut in the middle
                using var e = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                e.Write(data);
            }
        }
        return ms.ToArray();
    }

    private static string[] Leftovers(string parent) => Directory.GetFileSystemEntries(parent);

    [Fact]
    public async Task Downloads_and_unpacks()
    {
        using var dir = new TempDir();
        using var server = new TinyServer(SmallZip());
        using var http = new HttpClient();
        string dest = Path.Combine(dir.Path, "emodb");
        await DatasetDownloader.DownloadAndUnpackAsync(server.Url, dest, http, cancel: TestContext.Current.CancellationToken);
        Assert.Equal(["03a01Fa.wav", "03a01Wa.wav"], Directory.GetFiles(Path.Combine(dest, "wav")).Select(Path.GetFileName).Order());
        Assert.Equal(50_000, new FileInfo(Path.Combine(dest, "wav", "03a01Wa.wav")).Length);
        Assert.Equal([dest], Leftovers(dir.Path)); // no temporary files left
    }

    [Fact]
    public async Task Interrupted_download_leaves_nothing()
    {
        using var dir = new TempDir();
        var zip = SmallZip();
        using var server = new TinyServer(zip, cutAfter: zip.Length / 2);
        using var http = new HttpClient();
        string dest = Path.Combine(dir.Path, "emodb");
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() =>
            DatasetDownloader.DownloadAndUnpackAsync(server.Url, dest, http, cancel: TestContext.Current.CancellationToken));
        Assert.StartsWith(server.Url + ":", e.Message);
        Assert.Empty(Leftovers(dir.Path));
    }

    [Fact]
    public async Task Http_error_leaves_nothing()
    {
        using var dir = new TempDir();
        using var server = new TinyServer(Encoding.ASCII.GetBytes("nope"), status: 404);
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() =>
            DatasetDownloader.DownloadAndUnpackAsync(server.Url, Path.Combine(dir.Path, "emodb"), http, cancel: TestContext.Current.CancellationToken));
        Assert.Equal($"{server.Url}: HTTP 404 Not Found", e.Message);
        Assert.Empty(Leftovers(dir.Path));
    }

    [Fact]
    public async Task Corrupt_zip_leaves_nothing()
    {
        using var dir = new TempDir();
        var zip = SmallZip();
        zip.AsSpan(zip.Length - 22).Clear(); // destroy the end-of-central-directory record
        using var server = new TinyServer(zip);
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() =>
            DatasetDownloader.DownloadAndUnpackAsync(server.Url, Path.Combine(dir.Path, "emodb"), http, cancel: TestContext.Current.CancellationToken));
        Assert.StartsWith($"{server.Url}: not a valid zip archive", e.Message);
        Assert.Empty(Leftovers(dir.Path));
    }

    [Fact]
    public async Task Non_empty_destination_is_refused()
    {
        using var dir = new TempDir();
        dir.Text("emodb/keep.txt", "mine");
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() =>
            DatasetDownloader.DownloadAndUnpackAsync(new Uri("http://127.0.0.1:9/x.zip"), Path.Combine(dir.Path, "emodb"), http, cancel: TestContext.Current.CancellationToken));
        Assert.Equal($"{Path.Combine(dir.Path, "emodb")}: already exists and is not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir.Path, "emodb", "keep.txt")));
    }
}
