using System.Diagnostics;
using System.Reflection;
using EmoSer.Tests.Shared;
using EmoSer.Trainer.Torch;

namespace EmoSer.Trainer.Tests.Torch;

/// <summary>
/// A program that uses the trainer, built into an output folder that never existed, gets TorchSharp's pristine shim
/// from the NuGet cache; its first statement constructs a TorchSharp module. Before the module initializer, nothing
/// made the shim loadable first on such a path, and .NET cached the failed type initializer for the whole process.
/// </summary>
[Trait("Category", "unit")]
public class FreshOutputTests
{
    private const string ProbeProgram = """
        using EmoSer.Trainer.Training;

        using var model = new ModelA(193, 7);
        model.eval();
        using var x = TorchSharp.torch.zeros(2, 1, 193);
        using var y = model.forward(x);
        Console.WriteLine("shape " + string.Join(",", y.shape));
        """;

    [Fact]
    public void Program_built_into_an_empty_folder_constructs_a_TorchSharp_module_first_thing()
    {
        using var dir = new TempDir();
        string trainer = Path.Combine(TestData.RepoRoot, "src", "EmoSer.Trainer", "EmoSer.Trainer.csproj");
        string output = Path.Combine(dir.Path, "out");
        dir.Text("probe/probe.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- Set here, not with -o, so that the trainer (already built) is found in its own folder. -->
                <OutDir>{output}/</OutDir>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{trainer}" />
              </ItemGroup>
            </Project>
            """);
        dir.Text("probe/Program.cs", ProbeProgram);
        Assert.False(Directory.Exists(output));

        // The trainer is already built in this configuration (the test references it): build the probe alone.
        string configuration = typeof(FreshOutputTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var build = Run(Dotnet, dir.Path, "build", Path.Combine(dir.Path, "probe", "probe.csproj"),
            "-c", configuration, "--no-dependencies", "-nologo", "-v", "q");
        Assert.True(build.Code == 0, "probe build failed:\n" + build.Out + build.Err);

        string shim = Path.Combine(output, "runtimes", "linux-x64", "native", LibTorchSharpCompat.LibraryFileName);
        Assert.True(File.Exists(shim), $"the build did not copy {shim}");
        string? system = LibTorchSharpCompat.FindSystemLibStdCpp();
        bool systemHasVersion = system is not null && LibTorchSharpCompat.SystemDefines(system, LibTorchSharpCompat.MissingVersion);
        if (!systemHasVersion)
            Assert.False(RequirementIsWeak(shim), "the fresh output's shim should be the pristine copy from the NuGet cache");

        var run = Run(Dotnet, dir.Path, Path.Combine(output, "probe.dll"));
        Assert.True(run.Code == 0, $"probe exited {run.Code}:\n{run.Out}{run.Err}");
        Assert.Equal("shape 2,7", run.Out.Trim());
        if (!systemHasVersion)
        {
            Assert.True(RequirementIsWeak(shim));
            Assert.Contains("marked that requirement weak in " + shim, run.Err);
        }
    }

    private static bool RequirementIsWeak(string library) =>
        ElfVersionInfo.RequiredVersions(File.ReadAllBytes(library)).Single(n => n.Version == LibTorchSharpCompat.MissingVersion).IsWeak;

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p ? p : "dotnet";

    private static (int Code, string Out, string Err) Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, err.Result);
    }
}
