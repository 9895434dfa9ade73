using System.Text.Json;
using EmoSer.Tests.Shared;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static EmoSer.Serve.Tests.ServeTestServer;

namespace EmoSer.Serve.Tests;

/// <summary>The OpenAPI document and docs/http-api.md describe exactly the endpoints the server maps.</summary>
[Trait("Category", "unit")]
public sealed class ApiDocsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<(string Method, string Path)>> MappedAsync(ServeTestServer server)
    {
        await Task.Yield();
        var sources = server.App.Services.GetServices<EndpointDataSource>();
        return sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(x => x.Item2, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Openapi_document_lists_every_mapped_endpoint_and_nothing_else()
    {
        await using var server = await StartProbeAsync();
        var mapped = await MappedAsync(server);
        Assert.True(mapped.Count >= 12, string.Join(", ", mapped));
        var doc = await JsonAsync(await server.Client.GetAsync("/openapi.json", Ct));
        Assert.Equal("3.1.0", doc.GetProperty("openapi").GetString());
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name != "parameters").Select(o => (o.Name.ToUpperInvariant(), p.Name)))
            .OrderBy(x => x.Item2, StringComparer.Ordinal).ToList();
        Assert.Equal(mapped.OrderBy(x => x.Path + x.Method, StringComparer.Ordinal), documented.OrderBy(x => x.Item2 + x.Item1, StringComparer.Ordinal));
        // /api serves the same document.
        Assert.Equal(doc.GetRawText(), (await JsonAsync(await server.Client.GetAsync("/api", Ct))).GetRawText());
    }

    [Fact]
    public async Task Http_api_doc_has_a_section_per_endpoint()
    {
        await using var server = await StartProbeAsync();
        string spec = File.ReadAllText(Path.Combine(TestData.RepoRoot, "docs", "http-api.md"));
        foreach (var (method, path) in await MappedAsync(server))
        {
            if (path is "/openapi.json" or "/api" or "/static/{name}")
                continue; // described together with GET / and in the introduction
            Assert.Contains($"### `{method} {path}", spec);
        }
    }
}
