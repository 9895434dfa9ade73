using System.Globalization;
using EmoSer.Runtime.Audio;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Cli;

/// <summary>
/// Parses <c>--front-end</c>: <c>none</c>, <c>default</c> (<see cref="RecipePresets.DefaultFrontEnd"/>), or a
/// comma-separated list of steps and settings: <c>dc</c>, <c>trim[=THRESHOLD_DB]</c>, <c>level[=TARGET_DBFS]</c>,
/// <c>noise-floor[=DB]</c>, <c>margin=SECONDS</c>, <c>activity-floor=DBFS</c>, <c>max-gain=DB</c>. Settings a list
/// does not name keep the default front end's values.
/// </summary>
public static class FrontEndSpec
{
    /// <summary>The settings <paramref name="spec"/> names; null for <c>none</c>.</summary>
    /// <exception cref="ArgumentException">An unknown step, a value that is not a number, or settings out of range.</exception>
    public static FrontEndSettings? Parse(string spec)
    {
        string text = spec.Trim();
        if (text == "none")
            return null;
        if (text == "default")
            return RecipePresets.DefaultFrontEnd;
        var d = RecipePresets.DefaultFrontEnd;
        var s = new FrontEndSettings
        {
            ThresholdDb = d.ThresholdDb, FloorDbfs = d.FloorDbfs, MarginSeconds = d.MarginSeconds, TargetDbfs = d.TargetDbfs, MaxGainDb = d.MaxGainDb,
        };
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string key = part, value = "";
            int eq = part.IndexOf('=');
            if (eq >= 0) { key = part[..eq].Trim(); value = part[(eq + 1)..].Trim(); }
            float Number(float fallback)
            {
                if (value.Length == 0) return fallback;
                if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new ArgumentException($"--front-end: '{value}' in '{part}' is not a number");
                return v;
            }
            s = key switch
            {
                "dc" when value.Length == 0 => s with { RemoveDc = true },
                "trim" => s with { TrimSilence = true, ThresholdDb = Number(s.ThresholdDb) },
                "level" => s with { NormalizeLevel = true, TargetDbfs = Number(s.TargetDbfs) },
                "noise-floor" => s with { NoiseFloorDb = Number(d.NoiseFloorDb) },
                "margin" when value.Length > 0 => s with { MarginSeconds = Number(0) },
                "activity-floor" when value.Length > 0 => s with { FloorDbfs = Number(0) },
                "max-gain" when value.Length > 0 => s with { MaxGainDb = Number(0) },
                _ => throw new ArgumentException($"--front-end: unknown step '{part}' (none, default, or a list of dc, trim[=DB], level[=DBFS], noise-floor[=DB], margin=S, activity-floor=DBFS, max-gain=DB)"),
            };
        }
        if (s.Problem() is { } problem)
            throw new ArgumentException("--front-end: " + problem);
        return s;
    }
}
