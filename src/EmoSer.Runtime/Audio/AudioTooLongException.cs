using System.Globalization;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// Thrown when audio is longer than the maximum duration its reader was given (<see cref="InputLimits"/>): found from
/// the header's declared data size before any sample is read, or while reading input of unknown length, as soon as
/// the limit is passed. The message names the input, its duration (or "more than" the limit) and the limit.
/// </summary>
public sealed class AudioTooLongException : AudioFormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="inputName">File path or stream name.</param>
    /// <param name="declaredSeconds">The duration the header declares, or null when the input's length was unknown and reading stopped at the limit.</param>
    /// <param name="limitSeconds">The maximum duration.</param>
    public AudioTooLongException(string inputName, double? declaredSeconds, double limitSeconds)
        : base(inputName, Describe(declaredSeconds, limitSeconds))
    {
        DeclaredSeconds = declaredSeconds;
        LimitSeconds = limitSeconds;
    }

    /// <summary>The duration the header declares, or null when reading stopped at the limit.</summary>
    public double? DeclaredSeconds { get; }

    /// <summary>The maximum duration in seconds.</summary>
    public double LimitSeconds { get; }

    private static string Describe(double? declared, double limit) => declared is double d
        ? string.Create(CultureInfo.InvariantCulture, $"{Duration(d)} of audio is longer than the {Duration(limit)} limit")
        : string.Create(CultureInfo.InvariantCulture, $"the audio is longer than the {Duration(limit)} limit (reading stopped there)");

    /// <summary>"612.5 s", or "2.5 h (9000 s)" for long durations.</summary>
    private static string Duration(double seconds) => seconds >= 3600
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#} h ({seconds:0} s)")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds:0.#} s");
}
