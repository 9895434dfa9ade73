using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Audio;

/// <summary>
/// The microphone-independent front end a model was trained with (docs/front-end.md), stored in its weights file
/// (format version 3): what is done to a clip at the model's rate before any feature is computed. Every step is
/// optional; a model without front end settings (format versions 1 and 2) sees the audio as it is.
/// </summary>
/// <remarks>
/// The level of a block is <c>10 log10(mean square)</c> dBFS over consecutive 10 ms blocks
/// (<c>round(rate / 100)</c> samples; the last block may be shorter). A block is <i>active</i> when its level is at
/// least <c>max(peak − <see cref="ThresholdDb"/>, <see cref="FloorDbfs"/>)</c>, peak being the loudest block's level.
/// A clip whose peak is below <see cref="FloorDbfs"/> has no voice activity: it passes unchanged (apart from the DC
/// removal) and counts as silent.
/// </remarks>
public sealed record FrontEndSettings
{
    /// <summary>Subtract the clip's mean (a DC offset) before anything else.</summary>
    public bool RemoveDc { get; init; }

    /// <summary>Cut the leading and trailing blocks that are not active, keeping <see cref="MarginSeconds"/> around the first and last active block.</summary>
    public bool TrimSilence { get; init; }

    /// <summary>Scale the clip so that the mean power of its active blocks is <see cref="TargetDbfs"/> (the gain limited to <see cref="MaxGainDb"/>).</summary>
    public bool NormalizeLevel { get; init; }

    /// <summary>Blocks more than this many dB below the loudest block are not active (0 &lt; value ≤ 120).</summary>
    public float ThresholdDb { get; init; } = 40;

    /// <summary>Blocks below this level (dBFS) are never active, however quiet the clip (-150 ≤ value ≤ 0).</summary>
    public float FloorDbfs { get; init; } = -70;

    /// <summary>Audio kept before the first and after the last active block, in seconds (0 ≤ value ≤ 1).</summary>
    public float MarginSeconds { get; init; } = 0.05f;

    /// <summary>The level (dBFS) the active blocks are brought to (-60 ≤ value ≤ 0).</summary>
    public float TargetDbfs { get; init; } = -20;

    /// <summary>The largest gain (dB) level normalization applies, either way (0 ≤ value ≤ 100).</summary>
    public float MaxGainDb { get; init; } = 50;

    /// <summary>
    /// 0: off. Otherwise a deterministic white noise floor this many dB below the speech level (the target with
    /// level normalization, else the clip's active level) is added after the other steps, so that recordings with a
    /// digitally silent background and recordings with a room's noise have the same floor (10 ≤ value ≤ 120).
    /// </summary>
    public float NoiseFloorDb { get; init; }

    /// <summary>True when the front end changes the audio at all.</summary>
    public bool IsActive => RemoveDc || TrimSilence || NormalizeLevel || NoiseFloorDb > 0;

    /// <summary>The problem with these settings, or null when they are valid.</summary>
    public string? Problem()
    {
        static bool In(float v, float lo, float hi) => v >= lo && v <= hi;
        if (!(ThresholdDb > 0 && ThresholdDb <= 120)) return $"front end threshold {ThresholdDb} dB is outside (0, 120]";
        if (!In(FloorDbfs, -150, 0)) return $"front end floor {FloorDbfs} dBFS is outside [-150, 0]";
        if (!In(MarginSeconds, 0, 1)) return $"front end margin {MarginSeconds} s is outside [0, 1]";
        if (!In(TargetDbfs, -60, 0)) return $"front end target level {TargetDbfs} dBFS is outside [-60, 0]";
        if (!In(MaxGainDb, 0, 100)) return $"front end maximum gain {MaxGainDb} dB is outside [0, 100]";
        if (!(NoiseFloorDb == 0 || In(NoiseFloorDb, 10, 120))) return $"front end noise floor {NoiseFloorDb} dB is neither 0 (off) nor in [10, 120]";
        return null;
    }

    /// <summary>A short text of the settings (for cache keys, reports and <c>emoser info</c>), e.g. <c>dc,trim(40dB,-70dBFS,0.05s),level(-20dBFS,50dB),floor(45dB)</c>.</summary>
    public override string ToString()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (RemoveDc) parts.Add("dc");
        if (TrimSilence) parts.Add(string.Format(ci, "trim({0}dB,{1}dBFS,{2}s)", ThresholdDb, FloorDbfs, MarginSeconds));
        if (NormalizeLevel) parts.Add(string.Format(ci, "level({0}dBFS,{1}dB)", TargetDbfs, MaxGainDb));
        if (NoiseFloorDb > 0) parts.Add(string.Format(ci, "floor({0}dB)", NoiseFloorDb));
        // The activity thresholds decide silence even when neither trimming nor levelling uses them.
        if (!TrimSilence && !NormalizeLevel && NoiseFloorDb > 0) parts.Add(string.Format(ci, "activity({0}dB,{1}dBFS)", ThresholdDb, FloorDbfs));
        return parts.Count == 0 ? "none" : string.Join(',', parts);
    }
}

/// <summary>What <see cref="FrontEnd.Process"/> did to a clip.</summary>
/// <param name="Start">Index of the first input sample kept.</param>
/// <param name="Length">Samples written to the output.</param>
/// <param name="GainDb">Gain applied by level normalization (0 without it).</param>
/// <param name="IsSilent">True when no block reached the activity floor: the clip holds no voice.</param>
public readonly record struct FrontEndResult(int Start, int Length, float GainDb, bool IsSilent);

/// <summary>
/// Applies <see cref="FrontEndSettings"/> to mono audio (docs/front-end.md). One implementation for everything that
/// turns audio into features: the trainer, <see cref="EmotionClassifier"/> (CLI, server, C API) and
/// <see cref="EmotionStream"/> (each window). Deterministic, allocation-free, sums in double precision.
/// </summary>
public static class FrontEnd
{
    /// <summary>Block length in seconds of the activity analysis.</summary>
    public const double BlockSeconds = 0.01;

    /// <summary>Samples per activity block at <paramref name="sampleRate"/>: <c>round(rate / 100)</c>, at least 1.</summary>
    public static int BlockLength(int sampleRate) => Math.Max(1, (int)Math.Round(sampleRate * BlockSeconds));

    /// <summary>
    /// Runs the front end on <paramref name="input"/> (mono at <paramref name="sampleRate"/>) into <paramref name="output"/>,
    /// which must hold at least <paramref name="input"/>.Length samples (the result is never longer). Input and output may
    /// be the same memory.
    /// </summary>
    /// <exception cref="ArgumentException">The output is too short, or the settings are invalid.</exception>
    public static FrontEndResult Process(ReadOnlySpan<float> input, int sampleRate, FrontEndSettings settings, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (settings.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(settings));
        if (output.Length < input.Length)
            throw new ArgumentException($"The output holds {output.Length} samples, the input {input.Length}.", nameof(output));
        if (input.IsEmpty)
            return new FrontEndResult(0, 0, 0, true);

        double dc = settings.RemoveDc ? Mean(input) : 0;
        int block = BlockLength(sampleRate);
        int blocks = (input.Length + block - 1) / block;
        double peak = PeakLevel(input, block, dc);
        bool silent = peak < settings.FloorDbfs;
        double threshold = Math.Max(peak - settings.ThresholdDb, settings.FloorDbfs);

        int firstBlock = 0, lastBlock = blocks - 1;
        if (settings.TrimSilence && !silent)
        {
            while (BlockLevel(input, firstBlock, block, dc) < threshold) firstBlock++;
            while (BlockLevel(input, lastBlock, block, dc) < threshold) lastBlock--;
            int margin = (int)Math.Round(settings.MarginSeconds / BlockSeconds);
            firstBlock = Math.Max(0, firstBlock - margin);
            lastBlock = Math.Min(blocks - 1, lastBlock + margin);
        }
        int start = firstBlock * block;
        int end = Math.Min(input.Length, (lastBlock + 1) * block);

        double gainDb = 0, speechDb = 0;
        if (!silent && (settings.NormalizeLevel || settings.NoiseFloorDb > 0))
        {
            double power = 0;
            int active = 0;
            for (int b = firstBlock; b <= lastBlock; b++)
            {
                double level = BlockLevel(input, b, block, dc);
                if (level >= threshold)
                {
                    power += Math.Pow(10, level / 10);
                    active++;
                }
            }
            speechDb = 10 * Math.Log10(power / active);
            if (settings.NormalizeLevel)
            {
                gainDb = Math.Clamp(settings.TargetDbfs - speechDb, -settings.MaxGainDb, settings.MaxGainDb);
                speechDb += gainDb;
            }
        }
        float gain = (float)Math.Pow(10, gainDb / 20);
        float offset = (float)dc;
        int length = end - start;
        // Forward copy is safe in place: output index i reads input index start + i >= i.
        for (int i = 0; i < length; i++)
            output[i] = (input[start + i] - offset) * gain;
        if (!silent && settings.NoiseFloorDb > 0)
            AddNoiseFloor(output[..length], (float)Math.Pow(10, (speechDb - settings.NoiseFloorDb) / 20));
        return new FrontEndResult(start, length, (float)gainDb, silent);
    }

    /// <summary>True when no 10 ms block of <paramref name="input"/> reaches <paramref name="settings"/>' activity floor.</summary>
    public static bool IsSilent(ReadOnlySpan<float> input, int sampleRate, FrontEndSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return input.IsEmpty || PeakLevel(input, BlockLength(sampleRate), settings.RemoveDc ? Mean(input) : 0) < settings.FloorDbfs;
    }

    private static double Mean(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v;
        return sum / x.Length;
    }

    /// <summary>The level of the loudest block, after removing <paramref name="dc"/>.</summary>
    private static double PeakLevel(ReadOnlySpan<float> x, int block, double dc)
    {
        int blocks = (x.Length + block - 1) / block;
        double peak = double.NegativeInfinity;
        for (int b = 0; b < blocks; b++)
            peak = Math.Max(peak, BlockLevel(x, b, block, dc));
        return peak;
    }

    private static double BlockLevel(ReadOnlySpan<float> x, int b, int block, double dc)
    {
        int from = b * block, to = Math.Min(x.Length, from + block);
        double sum = 0;
        for (int i = from; i < to; i++)
        {
            double v = x[i] - dc;
            sum += v * v;
        }
        // -400 dBFS for digital silence: below any floor, and finite.
        return sum > 0 ? 10 * Math.Log10(sum / (to - from)) : -400;
    }

    /// <summary>Adds white noise of RMS <paramref name="rms"/>: triangular, from a hash of the sample index, so every run gives the same samples.</summary>
    private static void AddNoiseFloor(Span<float> samples, float rms)
    {
        // A triangular variable on (-1, 1) has variance 1/6.
        float scale = rms * MathF.Sqrt(6);
        const float Unit = 1f / (1 << 24);
        for (int i = 0; i < samples.Length; i++)
        {
            ulong h = ResamplingDither.SplitMix64(0x5EED_F100_0000_0000UL + (ulong)i);
            float u1 = (uint)(h >> 40) * Unit;
            float u2 = (uint)((h >> 16) & 0xFFFFFF) * Unit;
            samples[i] += (u1 - u2) * scale;
        }
    }
}
