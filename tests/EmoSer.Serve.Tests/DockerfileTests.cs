using System.Diagnostics;
using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;

namespace EmoSer.Serve.Tests;

/// <summary>
/// No Docker engine runs here, so the Dockerfile is checked statically (every RUN calls an existing
/// scripts/docker/ script, the runtime stage is non-root with a HEALTHCHECK) and its scripts are run for real.
/// </summary>
[Trait("Category", "unit")]
public sealed partial class DockerfileTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("emoser-docker-").FullName;

    private static string Repo => TestData.RepoRoot;

    private static string[] DockerfileLines() =>
        File.ReadAllLines(Path.Combine(Repo, "Dockerfile")).Where(l => l.Length > 0 && !l.TrimStart().StartsWith('#')).ToArray();

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [GeneratedRegex(@"^RUN bash (\S+)(\s|$)")]
    private static partial Regex RunScript();

    [Fact]
    public void Every_run_step_calls_an_existing_docker_script()
    {
        string[] lines = DockerfileLines();
        var copies = lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var runs = lines.Where(l => l.StartsWith("RUN", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(runs);
        foreach (string run in runs)
        {
            var m = RunScript().Match(run);
            Assert.True(m.Success, $"RUN step does not call a script: {run}");
            string script = m.Groups[1].Value;
            if (Path.IsPathRooted(script))
            {
                // Copied into the image first: find the COPY that puts it there.
                var copy = copies.FirstOrDefault(c => c[^1] == script);
                Assert.True(copy is not null, $"{script} is not copied into the image before: {run}");
                script = copy![1];
            }
            Assert.StartsWith("scripts/docker/", script);
            Assert.True(File.Exists(Path.Combine(Repo, script)), $"{script} named by the Dockerfile does not exist");
        }
        foreach (var copy in copies)
        {
            foreach (string source in copy[1..^1].Where(s => !s.StartsWith("--", StringComparison.Ordinal) && s != "."))
                Assert.True(File.Exists(Path.Combine(Repo, source)) || Directory.Exists(Path.Combine(Repo, source)), $"COPY source {source} does not exist");
        }
    }

    [Fact]
    public void Runtime_stage_is_non_root_with_healthcheck_port_and_volumes()
    {
        string[] lines = DockerfileLines();
        int runtime = Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.Contains(" AS runtime", lines[runtime]);
        string[] stage = lines[runtime..];
        string user = stage.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Contains(stage, l => l == "EXPOSE 5000");
        Assert.Contains(stage, l => l.StartsWith("VOLUME", StringComparison.Ordinal) && l.Contains("/data") && l.Contains("/models"));
        string health = Assert.Single(stage, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        Assert.Contains("/app/healthcheck.sh", health);
        Assert.Contains(stage, l => l.StartsWith("ENTRYPOINT [\"/app/entrypoint.sh\"]", StringComparison.Ordinal));
        // build.sh installs both scripts into /app.
        string build = File.ReadAllText(Path.Combine(Repo, "scripts", "docker", "build.sh"));
        Assert.Contains("scripts/docker/healthcheck.sh scripts/docker/entrypoint.sh", build);
        Assert.Contains(lines, l => l.StartsWith("ARG EMODB", StringComparison.Ordinal));

        string compose = File.ReadAllText(Path.Combine(Repo, "compose.yaml"));
        Assert.Contains("\"5000:5000\"", compose);
        // All interfaces in the container: compose refuses to start without the key.
        Assert.Contains("EMOSER_API_KEY: \"${EMOSER_API_KEY:?", compose);
        Assert.Contains(":/data", compose);
        Assert.Contains(":/models", compose);
    }

    [Fact]
    public async Task Scripts_parse_and_are_executable()
    {
        foreach (string script in Directory.GetFiles(Path.Combine(Repo, "scripts", "docker"), "*.sh"))
        {
            var (code, output) = await RunAsync("bash", ["-n", script]);
            Assert.True(code == 0, $"{script}: {output}");
            if (!OperatingSystem.IsWindows())
                Assert.True(File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
        }
    }

    [Fact]
    public async Task Healthcheck_script_passes_against_a_live_server_and_fails_without_one()
    {
        await using var server = await ServeTestServer.StartProbeAsync();
        string script = Path.Combine(Repo, "scripts", "docker", "healthcheck.sh");
        var (ok, output) = await RunAsync("bash", [script, server.Client.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(ok == 0, output);
        await server.DisposeAsync();
        var (down, _) = await RunAsync("bash", [script, server.Client.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(1, down);
    }

    [Fact]
    public async Task Entrypoint_passes_the_dataset_only_when_present_and_the_current_model()
    {
        string script = Path.Combine(Repo, "scripts", "docker", "entrypoint.sh");
        var env = new Dictionary<string, string> { ["EMOSER_DRY_RUN"] = "1", ["EMOSER_DATA"] = Path.Combine(_tmp, "data"), ["EMOSER_MODELS"] = Path.Combine(_tmp, "models") };
        var (code, output) = await RunAsync("bash", [script, "--max-queue", "8"], env);
        Assert.Equal(0, code);
        Assert.Equal($"/app/emoser serve --urls http://0.0.0.0:5000 --models-dir {_tmp}/models --trainer /app/emoser-train --max-queue 8", output.Trim());

        string wav = Path.Combine(_tmp, "data", "emodb", "wav");
        Directory.CreateDirectory(wav);
        File.WriteAllBytes(Path.Combine(wav, "03a01Wa.wav"), TestAudio.Wav(TestAudio.Tone(0.1, 16000), 16000, 1));
        Directory.CreateDirectory(Path.Combine(_tmp, "models"));
        File.WriteAllText(Path.Combine(_tmp, "models", "current.emow"), "x");
        (code, output) = await RunAsync("bash", [script], env);
        Assert.Equal(0, code);
        Assert.Equal($"/app/emoser serve --urls http://0.0.0.0:5000 --models-dir {_tmp}/models --trainer /app/emoser-train --data {wav} --model {_tmp}/models/current.emow", output.Trim());

        // A key file (a Docker secret) becomes --api-key-file; the server itself reads $EMOSER_API_KEY.
        env["EMOSER_API_KEY_FILE"] = "/run/secrets/emoser-api-key";
        (code, output) = await RunAsync("bash", [script], env);
        Assert.Equal(0, code);
        Assert.StartsWith("/app/emoser serve --urls http://0.0.0.0:5000 --models-dir " + _tmp + "/models --trainer /app/emoser-train --api-key-file /run/secrets/emoser-api-key --data", output.Trim());
    }

    [Fact]
    public async Task Setup_and_fetch_scripts_prepare_folders_and_refuse_bad_arguments()
    {
        var (code, output) = await RunAsync("bash", [Path.Combine(Repo, "scripts", "docker", "setup-runtime.sh"), _tmp, "no-such-user-emoser"]);
        Assert.True(code == 0, output);
        Assert.True(Directory.Exists(Path.Combine(_tmp, "data")) && Directory.Exists(Path.Combine(_tmp, "models")));

        string fetch = Path.Combine(Repo, "scripts", "docker", "fetch-data.sh");
        (code, output) = await RunAsync("bash", [fetch, Path.Combine(_tmp, "fetched"), "0"]);
        Assert.Equal(0, code);
        Assert.Contains("no dataset baked in", output);
        Assert.True(Directory.Exists(Path.Combine(_tmp, "fetched")));
        (code, output) = await RunAsync("bash", [fetch, Path.Combine(_tmp, "fetched"), "maybe"]);
        Assert.Equal(2, code);
        Assert.Contains("EMODB must be 0 or 1, not 'maybe'", output);

        // install-build-deps.sh is a no-op where the packages are present (CI installs them first).
        if (File.Exists("/usr/bin/clang") && File.Exists("/usr/bin/ld.lld"))
        {
            (code, output) = await RunAsync("bash", [Path.Combine(Repo, "scripts", "docker", "install-build-deps.sh")]);
            Assert.True(code == 0, output);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? [])
            psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (p.ExitCode, await stdout + await stderr);
    }
}
