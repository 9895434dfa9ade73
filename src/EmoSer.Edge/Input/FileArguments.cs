using EmoSer.Edge.CommandLine;

namespace EmoSer.Edge.Input;

/// <summary>The <c>FILE|FOLDER... | -</c> argument of <c>features</c>, <c>classify</c> and <c>enroll</c>.</summary>
internal static class FileArguments
{
    public static ArgumentSpec Create() => new("FILE")
    {
        Description = "Audio files or folders of them (WAV, AIFF, FLAC; MP3, Ogg, M4A, WebM through ffmpeg; raw PCM with --raw); '-' reads standard input.",
        MinCount = 1,
        MaxCount = int.MaxValue,
        Validator = static (values, result) =>
        {
            if (values.Count(v => v == AudioInput.StdinArgument) > 1)
                result.AddError("'-' (standard input) may be given only once");
            if (values.Any(v => v.Length == 0))
                result.AddError("empty file name");
        },
    };
}
