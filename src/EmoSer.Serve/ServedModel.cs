using System.Security.Cryptography;

namespace EmoSer.Serve;

/// <summary>
/// One loaded model plus what <c>GET /train</c> reports about it: where it came from, when it was loaded,
/// its model card and the evaluation reports that sit beside the weights file.
/// </summary>
internal sealed class ServedModel
{
    private ServedModel(IClassifierEngine engine, string source, IReadOnlyDictionary<string, string> reports, string? jobId)
    {
        Engine = engine;
        Source = source;
        Reports = reports;
        JobId = jobId;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The classifier.</summary>
    public IClassifierEngine Engine { get; }

    /// <summary>Path of the weights file, or "embedded".</summary>
    public string Source { get; }

    /// <summary>Evaluation reports (name to raw JSON), e.g. "loso" from report-loso.json.</summary>
    public IReadOnlyDictionary<string, string> Reports { get; }

    /// <summary>The training job that produced this model, if it came from one.</summary>
    public string? JobId { get; }

    /// <summary>When this model started serving.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>
    /// Loads weights bytes with <paramref name="factory"/>; <paramref name="reportDir"/>, when given, is searched
    /// for report*.json files to show with the model.
    /// </summary>
    public static ServedModel Create(ModelFactory factory, byte[] weights, string name, string source, string? reportDir, string? jobId,
        IReadOnlyDictionary<string, string>? extraReports = null)
    {
        string version = $"{name}@{Convert.ToHexStringLower(SHA256.HashData(weights))[..12]}";
        IClassifierEngine engine = factory(weights, name, version);
        var reports = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (reportDir is not null && Directory.Exists(reportDir))
        {
            foreach (string file in Directory.GetFiles(reportDir, "report*.json"))
            {
                string key = Path.GetFileNameWithoutExtension(file) switch
                {
                    "report" => "report",
                    var n when n.StartsWith("report-", StringComparison.Ordinal) => n["report-".Length..],
                    var n => n,
                };
                reports[key] = File.ReadAllText(file);
            }
        }
        if (extraReports is not null)
        {
            foreach (var (k, v) in extraReports)
                reports[k] = v;
        }
        return new ServedModel(engine, source, reports, jobId);
    }
}

/// <summary>Builds an engine from weights bytes; throws when they are not a usable model.</summary>
internal delegate IClassifierEngine ModelFactory(byte[] weights, string name, string version);
