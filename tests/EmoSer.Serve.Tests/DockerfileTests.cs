using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;

namespace EmoSer.Serve.Tests;

/// <summary>
/// No Docker engine runs here, so the Dockerfile is parsed into its stages and instructions and the image is
/// assembled from them by running the stages' scripts for real: what is checked is what the image would do.
/// </summary>
[Trait("Category", "unit")]
public sealed partial class DockerfileTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("emoser-docker-").FullName;

    private static string Repo => TestData.RepoRoot;

    /// <summary>One Dockerfile instruction: its keyword, flags (<c>--from=build</c>) and arguments (JSON form or words).</summary>
    private sealed record Instruction(string Keyword, Dictionary<string, string> Flags, string[] Args, string Text);

    /// <summary>The Dockerfile's stages in order, each a name and its instructions (continuation lines joined, comments dropped).</summary>
    private static List<(string Name, List<Instruction> Instructions)> Stages()
    {
        var stages = new List<(string, List<Instruction>)>();
        string joined = string.Join('\n', File.ReadAllLines(Path.Combine(Repo, "Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')))
            .Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (string line in joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            string keyword = line.Split(' ')[0].ToUpperInvariant();
            string rest = line[keyword.Length..].Trim();
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            while (rest.StartsWith("--", StringComparison.Ordinal))
            {
                string flag = rest.Split(' ')[0];
                string[] kv = flag[2..].Split('=', 2);
                flags[kv[0]] = kv.Length > 1 ? kv[1] : "";
                rest = rest[flag.Length..].Trim();
            }
            // HEALTHCHECK [options] CMD ...: the command is what follows CMD.
            if (keyword == "HEALTHCHECK" && rest.StartsWith("CMD ", StringComparison.Ordinal))
                rest = rest["CMD ".Length..].Trim();
            string[] args = rest.StartsWith('[')
                ? JsonSerializer.Deserialize<string[]>(rest)!
                : rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var instruction = new Instruction(keyword, flags, args, line);
            if (keyword == "FROM")
                stages.Add((args.Length >= 3 && args[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? args[^1] : $"{stages.Count}", []));
            else
                stages[^1].Item2.Add(instruction);
        }
        return stages;
    }

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void Every_run_step_runs_a_script_of_the_repository_that_the_image_has_at_that_point()
    {
        List<(string Name, List<Instruction> Instructions)> stages = Stages();
        int runs = 0;
        foreach ((_, List<Instruction> instructions) in stages)
        {
            // Files of the repository in the stage so far: image path -> repository path.
            var copied = new Dictionary<string, string>(StringComparer.Ordinal);
            bool wholeRepository = false;
            foreach (Instruction step in instructions)
            {
                if (step.Keyword == "COPY" && !step.Flags.ContainsKey("from"))
                {
                    string destination = step.Args[^1];
                    foreach (string from in step.Args[..^1])
                    {
                        Assert.True(from == "." || File.Exists(Path.Combine(Repo, from)) || Directory.Exists(Path.Combine(Repo, from)),
                            $"COPY source {from} does not exist: {step.Text}");
                        if (from == ".")
                            wholeRepository = true;
                        else
                            copied[destination.EndsWith('/') ? destination + Path.GetFileName(from) : destination] = from;
                    }
                }
                if (step.Keyword != "RUN")
                    continue;
                runs++;
                Assert.True(step.Args.Length >= 2 && step.Args[0] == "bash", $"RUN step does not run a script with bash: {step.Text}");
                string script = step.Args[1];
                string? source = copied.GetValueOrDefault(script) ?? (wholeRepository && !Path.IsPathRooted(script) ? script : null);
                Assert.True(source is not null, $"{script} is not in the image when this step runs: {step.Text}");
                Assert.StartsWith("scripts/docker/", source);
                Assert.True(File.Exists(Path.Combine(Repo, source)), $"{source} named by the Dockerfile does not exist");
            }
        }
        Assert.True(runs >= 3, $"only {runs} RUN steps parsed");
    }

    [Fact]
    public async Task The_runtime_stage_installs_ffmpeg_unless_the_build_argument_says_no()
    {
        List<Instruction> runtime = Stages()[^1].Instructions;
        // ARG FFMPEG=1 before the setup step, which is given its value: compressed uploads decode in the image.
        int arg = runtime.FindIndex(s => s.Keyword == "ARG" && s.Args is ["FFMPEG=1"]);
        int setup = runtime.FindIndex(s => s.Keyword == "RUN");
        Assert.True(arg >= 0 && arg < setup, "the runtime stage has no 'ARG FFMPEG=1' before its setup step");
        Assert.Equal("\"$FFMPEG\"", runtime[setup].Args[^1]);
        string script = Path.Combine(Repo, "scripts", "docker", "setup-runtime.sh");
        Assert.Contains("install -y -q --no-install-recommends ffmpeg", File.ReadAllText(script), StringComparison.Ordinal);
        // Any other value stops the build with one line naming the argument, before anything is installed.
        var (code, output) = await RunAsync("bash", [script, Path.Combine(_tmp, "root") + "/", "no-such-user-emoser", "yes"]);
        Assert.Equal(2, code);
        Assert.Equal("setup-runtime: FFMPEG must be 0 or 1, got 'yes'", output.Trim());
        Assert.False(Directory.Exists(Path.Combine(_tmp, "root")), "the setup script created folders before refusing its arguments");
    }

    /// <summary>
    /// The image assembled without Docker: the build stage's build.sh run for real (with the publish and dotnet
    /// steps stubbed, as they only produce binaries), its output placed where the runtime stage copies it, and the
    /// runtime stage's own setup script run into the same root. Then the image's ENTRYPOINT, run as the image would
    /// (its WORKDIR, ENV and volumes), serves on the EXPOSEd port of every interface from the volumes; its HEALTHCHECK
    /// command passes against a live server on that port and fails without one; the user is not root and owns
    /// writable volume folders; compose publishes the exposed port and refuses to start without an API key.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Image_assembled_from_the_stages_starts_serve_on_the_exposed_port_and_its_healthcheck_works()
    {
        List<(string Name, List<Instruction> Instructions)> stages = Stages();
        (string buildName, List<Instruction> build) = stages[^2];
        List<Instruction> runtime = stages[^1].Instructions;
        string root = Path.Combine(_tmp, "image");

        // Build stage: build.sh in a copy of scripts/ whose publish step and dotnet only leave stub binaries.
        string repo = Path.Combine(_tmp, "repo");
        Directory.CreateDirectory(Path.Combine(repo, "scripts", "docker"));
        foreach (string f in Directory.GetFiles(Path.Combine(Repo, "scripts", "docker")))
            File.Copy(f, Path.Combine(repo, "scripts", "docker", Path.GetFileName(f)));
        string stubBin = Path.Combine(_tmp, "bin");
        Directory.CreateDirectory(stubBin);
        WriteScript(Path.Combine(repo, "scripts", "publish-native.sh"),
            "mkdir -p artifacts/native/$1 && for b in emoser emoser-serve; do printf '#!/bin/sh\\necho stub\\n' > artifacts/native/$1/$b && chmod +x artifacts/native/$1/$b; done");
        WriteScript(Path.Combine(stubBin, "dotnet"), "while [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done; mkdir -p \"$out\" && printf '#!/bin/sh\\nexit 0\\n' > \"$out/emoser-train\" && chmod +x \"$out/emoser-train\"");
        Instruction buildRun = Assert.Single(build, s => s.Keyword == "RUN" && s.Args[1].EndsWith("/build.sh", StringComparison.Ordinal));
        string buildOut = buildRun.Args[2];
        var path = new Dictionary<string, string> { ["PATH"] = stubBin + ":" + Environment.GetEnvironmentVariable("PATH") };
        var (code, output) = await RunAsync("bash", [Path.Combine(repo, buildRun.Args[1]), Path.Combine(_tmp, "out") + buildOut, .. buildRun.Args[3..]], path);
        Assert.True(code == 0, output);

        // Runtime stage: its COPY --from=build and setup steps, into root.
        foreach (Instruction step in runtime.Where(s => s.Keyword == "COPY" && s.Flags.GetValueOrDefault("from") == buildName))
        {
            string from = Path.Combine(_tmp, "out") + step.Args[0];
            if (Directory.Exists(from))
                CopyTree(from, root + step.Args[1]);
        }
        Instruction setup = Assert.Single(runtime, s => s.Keyword == "RUN");
        string setupScript = runtime.First(s => s.Keyword == "COPY" && s.Args[^1] == setup.Args[1]).Args[0];
        string user = runtime.Last(s => s.Keyword == "USER").Args[0];
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        (code, output) = await RunAsync("bash", [Path.Combine(Repo, setupScript), root + setup.Args[2], "no-such-user-emoser"]);
        Assert.True(code == 0, output);

        string[] volumes = runtime.Where(s => s.Keyword == "VOLUME").SelectMany(s => s.Args).ToArray();
        Assert.NotEmpty(volumes);
        foreach (string volume in volumes)
        {
            Assert.True(Directory.Exists(root + volume), $"volume {volume} is not prepared by the runtime stage");
            Assert.True(File.GetUnixFileMode(root + volume).HasFlag(UnixFileMode.GroupWrite), $"volume {volume} is not writable by the app group");
        }

        // ENTRYPOINT as the image runs it: the command it starts listens on the exposed port of all interfaces.
        int port = int.Parse(Assert.Single(runtime, s => s.Keyword == "EXPOSE").Args[0], System.Globalization.CultureInfo.InvariantCulture);
        string[] entrypoint = Assert.Single(runtime, s => s.Keyword == "ENTRYPOINT").Args;
        string entry = root + entrypoint[0];
        Assert.True(File.Exists(entry) && File.GetUnixFileMode(entry).HasFlag(UnixFileMode.UserExecute), $"ENTRYPOINT {entrypoint[0]} is not an executable of the image");
        string dataVolume = volumes.First(v => v.Contains("data", StringComparison.Ordinal));
        string modelsVolume = volumes.First(v => v.Contains("model", StringComparison.Ordinal));
        var env = new Dictionary<string, string>
        {
            ["EMOSER_DRY_RUN"] = "1",
            ["EMOSER_APP"] = root + "/app",
            ["EMOSER_DATA"] = root + dataVolume,
            ["EMOSER_MODELS"] = root + modelsVolume,
        };
        (code, output) = await RunAsync(entry, [], env);
        Assert.True(code == 0, output);
        string[] command = output.Trim().Split(' ');
        // The server binary itself (what `emoser serve` runs), shipped in the image beside emoser.
        Assert.Equal(root + "/app/emoser-serve", command[0]);
        Assert.True(File.Exists(command[0]) && File.Exists(root + "/app/emoser"), "emoser-serve and emoser are not both in the image");
        Assert.Equal($"http://0.0.0.0:{port}", command[Array.IndexOf(command, "--urls") + 1]);
        Assert.Equal(root + modelsVolume, command[Array.IndexOf(command, "--models-dir") + 1]);
        string trainer = command[Array.IndexOf(command, "--trainer") + 1];
        Assert.True(File.Exists(trainer), $"--trainer {trainer} is not in the image");

        // HEALTHCHECK as the image runs it, on the exposed port: healthy with a server there, unhealthy without.
        string[] health = Assert.Single(runtime, s => s.Keyword == "HEALTHCHECK").Args;
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), health[^1]);
        string check = root + health[0];
        Assert.True(File.Exists(check), $"HEALTHCHECK {health[0]} is not an executable of the image");
        await using (var server = await ServeTestServer.StartProbeAsync())
        {
            string live = server.Client.BaseAddress!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            (code, output) = await RunAsync(check, [.. health[1..^1], live]);
            Assert.True(code == 0, output);
            await server.DisposeAsync();
            (code, _) = await RunAsync(check, [.. health[1..^1], live]);
            Assert.NotEqual(0, code);
        }

        // compose: the container's exposed port published, the volumes mounted, no start without an API key.
        string compose = File.ReadAllText(Path.Combine(Repo, "compose.yaml"));
        Assert.Matches($@"[""']?\d+:{port}[""']?", compose);
        foreach (string volume in volumes)
            Assert.Matches($@":{Regex.Escape(volume)}\b", compose);
        Match key = Regex.Match(compose, @"EMOSER_API_KEY:\s*""?(\$\{[^}]+\})");
        Assert.True(key.Success, "compose.yaml does not pass EMOSER_API_KEY");
        (code, output) = await RunAsync("bash", ["-c", $"echo \"{key.Groups[1].Value}\""], new Dictionary<string, string> { ["EMOSER_API_KEY"] = "" });
        Assert.NotEqual(0, code); // ${VAR:?message}: compose (like bash) refuses an unset or empty key
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void WriteScript(string path, string body)
    {
        File.WriteAllText(path, "#!/usr/bin/env bash\nset -e\n" + body + "\n");
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from))
        {
            string target = Path.Combine(to, Path.GetFileName(f));
            if (new FileInfo(f).LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else
                File.Copy(f, target);
        }
        foreach (string d in Directory.GetDirectories(from))
            CopyTree(d, Path.Combine(to, Path.GetFileName(d)));
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
        Assert.Equal($"/app/emoser-serve --urls http://0.0.0.0:5000 --models-dir {_tmp}/models --trainer /app/emoser-train --max-queue 8", output.Trim());

        string wav = Path.Combine(_tmp, "data", "emodb", "wav");
        Directory.CreateDirectory(wav);
        File.WriteAllBytes(Path.Combine(wav, "03a01Wa.wav"), TestAudio.Wav(TestAudio.Tone(0.1, 16000), 16000, 1));
        Directory.CreateDirectory(Path.Combine(_tmp, "models"));
        File.WriteAllText(Path.Combine(_tmp, "models", "current.emow"), "x");
        (code, output) = await RunAsync("bash", [script], env);
        Assert.Equal(0, code);
        Assert.Equal($"/app/emoser-serve --urls http://0.0.0.0:5000 --models-dir {_tmp}/models --trainer /app/emoser-train --data {wav} --model {_tmp}/models/current.emow", output.Trim());

        // A key file (a Docker secret) becomes --api-key-file; the server itself reads $EMOSER_API_KEY.
        env["EMOSER_API_KEY_FILE"] = "/run/secrets/emoser-api-key";
        (code, output) = await RunAsync("bash", [script], env);
        Assert.Equal(0, code);
        Assert.StartsWith("/app/emoser-serve --urls http://0.0.0.0:5000 --models-dir " + _tmp + "/models --trainer /app/emoser-train --api-key-file /run/secrets/emoser-api-key --data", output.Trim());
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
