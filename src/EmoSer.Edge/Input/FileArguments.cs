using System.CommandLine;

namespace EmoSer.Edge.Input;

/// <summary>The <c>FILE|FOLDER... | -</c> argument of <c>features</c>, <c>classify</c> and <c>enroll</c>.</summary>
internal static class FileArguments
{
    public static Argument<string[]> Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Audio files or folders of them (WAV, AIFF, FLAC; MP3, Ogg, M4A, WebM through ffmpeg; raw PCM with --raw); '-' reads standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        files.Validators.Add(result =>
        {
            string[] values = result.GetValueOrDefault<string[]>() ?? [];
            if (values.Count(v => v == AudioInput.StdinArgument) > 1)
                result.AddError("'-' (standard input) may be given only once");
            // An unknown option would otherwise be taken for a file name (a file named like that: ./-name).
            foreach (string v in values.Where(v => v.Length > 1 && v[0] == '-'))
                result.AddError($"unknown option '{v}'");
            if (values.Any(v => v.Length == 0))
                result.AddError("empty file name");
        });
        return files;
    }
}
