using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Runtime.Tests;

/// <summary>
/// The EmoSer.Runtime NuGet package that scripts/pack-nuget.sh packs into artifacts/nuget (skipped, with a message,
/// before it has run; .ci/run runs it): README, XML docs, licence, an embedded PDB with source link to the packed
/// commit; and the output of examples/nuget, the program that consumed that package, equals the runtime's answer.
/// </summary>
[Trait("Category", "native")]
public sealed class NuGetPackageTests
{
    private static string Folder => Path.Combine(TestData.RepoRoot, "artifacts", "nuget");

    private static string RequirePackage()
    {
        string path = Path.Combine(Folder, $"EmoSer.Runtime.{EmoSerInfo.Version}.nupkg");
        if (!File.Exists(path))
        {
            // A package of another version means the project and the runtime disagree: a failure, not a skip.
            string[] others = Directory.Exists(Folder) ? Directory.GetFiles(Folder, "EmoSer.Runtime.*.nupkg") : [];
            Assert.True(others.Length == 0, $"{Folder} holds {string.Join(", ", others.Select(Path.GetFileName))}, not version {EmoSerInfo.Version} of EmoSerInfo.Version");
            Assert.Skip($"SKIPPED: {path} not found; run scripts/pack-nuget.sh first.");
        }
        return path;
    }

    [Fact]
    public void The_package_has_readme_docs_licence_and_source_link()
    {
        using ZipArchive zip = ZipFile.OpenRead(RequirePackage());
        string[] names = [.. zip.Entries.Select(e => e.FullName)];
        Assert.Contains("README.md", names);
        Assert.Contains("lib/net10.0/EmoSer.Runtime.dll", names);
        Assert.Contains("lib/net10.0/EmoSer.Runtime.xml", names);

        XElement metadata = XDocument.Load(zip.GetEntry("EmoSer.Runtime.nuspec")!.Open()).Root!.Elements().First(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().First(e => e.Name.LocalName == name).Value;
        Assert.Equal(EmoSerInfo.Version, Value("version"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        XElement repository = metadata.Elements().First(e => e.Name.LocalName == "repository");
        string commit = repository.Attribute("commit")!.Value;
        Assert.Matches("^[0-9a-f]{40}$", commit);
        // Only the two allowed dependencies.
        Assert.Equal(["CommunityToolkit.HighPerformance", "System.Numerics.Tensors"],
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Order(StringComparer.Ordinal));

        // The XML docs document the public API.
        XDocument docs = XDocument.Load(zip.GetEntry("lib/net10.0/EmoSer.Runtime.xml")!.Open());
        Assert.Contains(docs.Descendants("member"), m => m.Attribute("name")!.Value == "M:EmoSer.Runtime.Audio.AudioFile.Read(System.String,EmoSer.Runtime.Audio.AudioFileOptions)");

        // The PDB travels inside the DLL, and its source link maps the repository to the packed commit on the host.
        using var dll = new MemoryStream();
        zip.GetEntry("lib/net10.0/EmoSer.Runtime.dll")!.Open().CopyTo(dll);
        dll.Position = 0;
        using var pe = new PEReader(dll);
        DebugDirectoryEntry embedded = pe.ReadDebugDirectory().Single(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        using MetadataReaderProvider pdb = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
        MetadataReader reader = pdb.GetMetadataReader();
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        BlobHandle blob = reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
            .Select(reader.GetCustomDebugInformation).Single(c => reader.GetGuid(c.Kind) == sourceLinkKind).Value;
        using JsonDocument link = JsonDocument.Parse(reader.GetBlobBytes(blob));
        JsonProperty map = Assert.Single(link.RootElement.GetProperty("documents").EnumerateObject());
        string host = repository.Attribute("url")!.Value.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        Assert.Equal($"{host}/{commit}/*", map.Value.GetString());
        Assert.EndsWith("*", map.Name, StringComparison.Ordinal);
        // Every compiled source file of the runtime lies under the mapped root.
        string root = map.Name[..^1];
        Assert.All(reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).Where(n => n.EndsWith(".cs", StringComparison.Ordinal) && !n.Contains("/obj/", StringComparison.Ordinal)),
            n => Assert.StartsWith(root, n, StringComparison.Ordinal));
    }

    [Fact]
    public void The_sample_built_on_the_package_prints_the_runtimes_classification()
    {
        RequirePackage();
        string output = Path.Combine(Folder, "sample-output.txt");
        Assert.True(File.Exists(output), $"{output} not found: scripts/pack-nuget.sh runs the sample after the pack");
        string[] lines = File.ReadAllLines(output);
        Assert.Equal($"EmoSer.Runtime {EmoSerInfo.Version}, model model-a", lines[0]);
        var classifier = new EmotionClassifier(EmotionModel.Load(Path.Combine(TestData.RepoRoot, "weights", "model-a.emow")));
        Assert.True(lines.Length >= 4, string.Join('\n', lines));
        foreach (string line in lines[1..])
        {
            string file = line[..line.IndexOf(": ", StringComparison.Ordinal)];
            AudioClip clip = AudioFile.Read(Path.Combine(TestData.RepoRoot, file));
            EmoSer.Runtime.Classifier.Classification expected = classifier.Classify(clip);
            Assert.Equal(string.Create(CultureInfo.InvariantCulture,
                $"{file}: {expected.Emotion} {expected.Confidence:0.000} ({clip.DurationSeconds:0.00} s, {clip.SampleRate} Hz)"), line);
        }
        // The sample referenced the package, not the project: its build restored EmoSer.Runtime from artifacts/nuget.
        string assets = File.ReadAllText(Path.Combine(TestData.RepoRoot, "examples", "nuget", "obj", "project.assets.json"));
        Assert.Contains($"\"EmoSer.Runtime/{EmoSerInfo.Version}\"", assets, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"package\"", assets, StringComparison.Ordinal);
    }
}

/// <summary>The one version every artifact states: no package needed, so it runs with the unit tests.</summary>
[Trait("Category", "unit")]
public sealed class VersionTests
{
    [Fact]
    public void The_package_version_the_sample_and_the_c_header_say_the_runtimes_version()
    {
        string Text(string relative) => File.ReadAllText(Path.Combine(TestData.RepoRoot, relative));
        Assert.Contains($"<Version>{EmoSerInfo.Version}</Version>", Text("src/EmoSer.Runtime/EmoSer.Runtime.csproj"), StringComparison.Ordinal);
        Assert.Contains($">{EmoSerInfo.Version}</EmoSerVersion>", Text("examples/nuget/EmoSer.NuGetSample.csproj"), StringComparison.Ordinal);
        Assert.Contains($"#define EMOSER_VERSION_STRING \"{EmoSerInfo.Version}\"", Text("include/emoser.h"), StringComparison.Ordinal);
        string[] parts = EmoSerInfo.Version.Split('.');
        Assert.Contains($"#define EMOSER_VERSION_MAJOR {parts[0]}\n#define EMOSER_VERSION_MINOR {parts[1]}\n#define EMOSER_VERSION_PATCH {parts[2]}\n",
            Text("include/emoser.h"), StringComparison.Ordinal);
        // The Python wheel takes its version from the header (python/build_wheel.py); its README names the file.
        Assert.Contains($"emoser-{EmoSerInfo.Version}-py3-none-", Text("python/README.md"), StringComparison.Ordinal);
    }
}
