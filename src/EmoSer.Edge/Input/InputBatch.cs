using System.Diagnostics;
using System.Text.Json;
using EmoSer.Edge.CommandLine;
using EmoSer.Edge.Output;
using EmoSer.Programs;
using EmoSer.Programs.Output;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;

namespace EmoSer.Edge.Input;

/// <summary>
/// The inputs of one <c>classify</c>, <c>features</c> or <c>enroll</c> run, processed to the end: folder arguments are
/// walked (audio files by extension, sorted, <c>--recursive</c> descends), an input that cannot be read gets one error
/// line and the rest go on, a progress line shows on a terminal during long batches, and the exit code says whether
/// any input failed (docs/cli-json.md, "Batches").
/// </summary>
internal sealed class InputBatch
{
    /// <summary>What a folder is walked for with <c>--raw</c> (otherwise the runtime's audio extensions).</summary>
    private static readonly HashSet<string> s_rawExtensions = new(StringComparer.OrdinalIgnoreCase) { ".raw", ".pcm" };

    private readonly CliContext _context;
    private readonly JsonLineWriter? _jsonErrors;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastProgress = -1000;
    private bool _progressShown;

    private readonly bool _progress;

    private InputBatch(CliContext context, List<string> inputs, List<(int Index, string Problem)> problems, JsonLineWriter? jsonErrors, bool streamsResults)
    {
        _context = context;
        // A progress line on the terminal that also shows the streamed results would tangle with them.
        _progress = context.ProgressDelay is not null && !(streamsResults && context.OutputIsTerminal);
        Inputs = inputs;
        _jsonErrors = jsonErrors;
        Problems = problems;
    }

    /// <summary>The <c>--recursive</c> option.</summary>
    public static FlagSpec CreateRecursiveOption() => new("--recursive", "-r")
    {
        Description = "Walk folder arguments into their sub-folders too.",
    };

    /// <summary>The inputs in order: files as given, each folder replaced by its audio files.</summary>
    public List<string> Inputs { get; }

    /// <summary>Folder arguments that hold no audio file (by index into <see cref="Inputs"/>, where they stay as given).</summary>
    private List<(int Index, string Problem)> Problems { get; }

    /// <summary>Inputs that failed so far.</summary>
    public int Failed { get; private set; }

    /// <summary>
    /// Expands <paramref name="arguments"/>. With <paramref name="jsonErrors"/>, error lines are JSON lines on stdout
    /// (<c>{"file":..., "error":...}</c>); otherwise <c>emoser: FILE: problem</c> on stderr.
    /// <paramref name="streamsResults"/> says results are written as they come (not as a table at the end).
    /// </summary>
    public static InputBatch Expand(string[] arguments, bool recursive, bool raw, CliContext context, JsonLineWriter? jsonErrors, bool streamsResults)
    {
        var inputs = new List<string>();
        var problems = new List<(int, string)>();
        foreach (string argument in arguments)
        {
            if (argument == AudioInput.StdinArgument || !Directory.Exists(argument))
            {
                inputs.Add(argument);
                continue;
            }
            List<string> files = Walk(argument, recursive, raw ? f => s_rawExtensions.Contains(Path.GetExtension(f)) : AudioFile.HasAudioExtension, out bool subfolders);
            if (files.Count == 0)
            {
                problems.Add((inputs.Count, !recursive && subfolders
                    ? "no audio files in the folder (it has sub-folders: add --recursive to walk them)"
                    : "no audio files in the folder"));
                inputs.Add(argument);
            }
            inputs.AddRange(files);
        }
        return new InputBatch(context, inputs, problems, jsonErrors, streamsResults);
    }

    /// <summary>
    /// Runs <paramref name="process"/> on each input in order. An input that cannot be read (bad audio, a missing
    /// file, a rate the model cannot take) gets one error line and the batch goes on; any other exception stops it.
    /// </summary>
    public void ForEach(Action<int, string> process)
    {
        for (int i = 0; i < Inputs.Count; i++)
        {
            string input = Inputs[i];
            ShowProgress(i, input);
            if (Problems.FirstOrDefault(p => p.Index == i).Problem is { } problem)
                Report(AudioInput.DisplayName(input), problem);
            else
                Try(input, () => process(i, input));
        }
    }

    /// <summary>
    /// Runs <paramref name="process"/> on each input in order (with progress) and returns, by input index, the bad-input
    /// exceptions it threw, without reporting them: a first pass whose errors <see cref="ForEach"/> reports in order later.
    /// </summary>
    public Dictionary<int, Exception> Collect(Action<int, string> process)
    {
        var failures = new Dictionary<int, Exception>();
        for (int i = 0; i < Inputs.Count; i++)
        {
            if (IsEmptyFolder(i))
                continue;
            ShowProgress(i, Inputs[i]);
            try
            {
                process(i, Inputs[i]);
            }
            catch (Exception e) when (e is InputException or AudioFormatException)
            {
                failures[i] = e;
            }
        }
        ClearProgress();
        return failures;
    }

    /// <summary>Runs <paramref name="action"/> for one input, turning bad input into its error line; false when it failed.</summary>
    public bool Try(string input, Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (InputException e)
        {
            Report(e.InputName, e.Problem);
        }
        catch (AudioFormatException e)
        {
            Report(e.InputName, e.Problem);
        }
        return false;
    }

    /// <summary>Whether input <paramref name="index"/> is a folder without audio (already reported by <see cref="ForEach"/>).</summary>
    public bool IsEmptyFolder(int index) => Problems.Any(p => p.Index == index);

    /// <summary>Writes the error line of one input.</summary>
    public void Report(string name, string problem)
    {
        Failed++;
        ClearProgress();
        if (_jsonErrors is not null)
        {
            Utf8JsonWriter w = _jsonErrors.Begin();
            w.WriteStartObject();
            w.WriteString("file", name);
            w.WriteString("error", ErrorText.OneLine(problem));
            w.WriteEndObject();
            _jsonErrors.End();
        }
        else
        {
            _context.Err.Write($"emoser: {ErrorText.OneLine($"{name}: {problem}")}\n");
            _context.Err.Flush();
        }
    }

    /// <summary>Clears the progress line, writes the summary when several inputs failed, and returns the exit code.</summary>
    public int Finish()
    {
        ClearProgress();
        if (Failed > 0 && Inputs.Count > 1)
        {
            _context.Err.Write($"emoser: {Failed} of {Inputs.Count} inputs could not be processed\n");
            _context.Err.Flush();
        }
        return Failed > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
    }

    private void ShowProgress(int index, string input)
    {
        if (!_progress || _context.ProgressDelay is not { } delay || Inputs.Count < 2 || _clock.Elapsed < delay)
            return;
        // At most ten updates a second: a terminal redraw costs more than a short file.
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastProgress < 100)
            return;
        _lastProgress = now;
        string failed = Failed > 0 ? $", {Failed} failed" : "";
        string name = AudioInput.DisplayName(input);
        if (name.Length > 60)
            name = "..." + name[^57..];
        _context.Err.Write($"\r\u001b[K[{index + 1}/{Inputs.Count}{failed}] {name}");
        _context.Err.Flush();
        _progressShown = true;
    }

    private void ClearProgress()
    {
        if (!_progressShown)
            return;
        _context.Err.Write("\r\u001b[K");
        _context.Err.Flush();
        _progressShown = false;
        _lastProgress = -1000;
    }

    private static List<string> Walk(string folder, bool recursive, Func<string, bool> isInput, out bool subfolders)
    {
        var files = new List<string>();
        subfolders = false;
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            MatchType = MatchType.Simple,
        };
        foreach (string file in Directory.EnumerateFiles(folder, "*", options))
        {
            if (isInput(file))
                files.Add(file);
        }
        if (!recursive)
            subfolders = Directory.EnumerateDirectories(folder, "*", options).Any();
        // Ordinal order of the path: the same order on every machine, a folder's files before its sub-folders' only
        // where the names sort so; what matters is that it never depends on the file system.
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
