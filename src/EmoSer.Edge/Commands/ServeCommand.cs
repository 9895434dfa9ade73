using System.Runtime.InteropServices;
using EmoSer.Edge.CommandLine;
using EmoSer.Programs;

namespace EmoSer.Edge.Commands;

/// <summary>
/// <c>emoser serve ARGS</c>: replaces this process with the <c>emoser-serve</c> binary (found next to emoser, else on
/// PATH) run with ARGS, so the server's ASP.NET stays out of the CLI. Same process id, standard streams, signals and
/// exit code as running <c>emoser-serve ARGS</c>.
/// </summary>
internal static partial class ServeCommand
{
    /// <summary>The server binary's file name.</summary>
    public const string ServerProgram = "emoser-serve";

    /// <summary>The command, for <c>emoser --help</c>: <see cref="Cli.Run(string[], CliContext)"/> hands <c>serve</c> over before parsing.</summary>
    public static CommandSpec Create() =>
        new("serve", $"Run the HTTP service: web page, /predict, /train, /metrics ({ServerProgram}; see emoser serve --help).");

    /// <summary>Runs <c>emoser-serve</c> with <paramref name="args"/>; returns only when that fails (exit code 1, one line on stderr).</summary>
    public static int Exec(string[] args, CliContext context, string? serverPath)
    {
        context.Out.Flush();
        if (serverPath is null)
        {
            context.Err.Write($"emoser serve: {ServerProgram} was not found next to emoser ({AppContext.BaseDirectory}) or on PATH: install it beside emoser (scripts/publish-native.sh builds both)\n");
            return ExitCodes.BadInput;
        }
        int errno = ExecV(serverPath, [serverPath, .. args]);
        context.Err.Write($"emoser serve: cannot run {serverPath}: {Marshal.GetPInvokeErrorMessage(errno)}\n");
        return ExitCodes.BadInput;
    }

    /// <summary>execv(2): returns errno on failure, never on success.</summary>
    private static unsafe int ExecV(string path, string[] argv)
    {
        var pointers = new nint[argv.Length + 1];
        try
        {
            for (int i = 0; i < argv.Length; i++)
                pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            fixed (nint* p = pointers)
                execv((byte*)pointers[0], (byte**)p);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (nint p in pointers)
                Marshal.FreeCoTaskMem(p);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int execv(byte* path, byte** argv);
}
