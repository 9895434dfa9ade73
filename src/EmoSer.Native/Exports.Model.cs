using System.Runtime.InteropServices;
using EmoSer.Runtime;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Native;

internal static unsafe partial class Exports
{
    /// <summary>The models embedded in the library (see EmoSer.Native.csproj): name and resource.</summary>
    private static readonly (string Name, string Resource)[] s_embeddedModels =
    [
        ("default", "EmoSer.Native.default.emow"),
        ("emodb", "EmoSer.Native.emodb.emow"),
    ];

    private static readonly HandleTable<NativeModel> s_models = new(HandleKinds.Model, "model");

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_load_default")]
    public static int ModelLoadDefault(nint* modelOut)
    {
        try
        {
            RequireNotNull(modelOut, "model_out");
            *modelOut = s_models.Add(new NativeModel(LoadEmbedded("default")));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_load_named")]
    public static int ModelLoadNamed(byte* name, nint* modelOut)
    {
        try
        {
            RequireNotNull(name, "name");
            RequireNotNull(modelOut, "model_out");
            *modelOut = s_models.Add(new NativeModel(LoadEmbedded(NativeString.Read(name))));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static EmotionModel LoadEmbedded(string name)
    {
        string resource = Array.Find(s_embeddedModels, m => m.Name == name).Resource
            ?? throw new NativeCallException(EmoserStatus.InvalidArgument,
                $"no embedded model named '{name}' (known: {string.Join(", ", s_embeddedModels.Select(m => m.Name))})");
        using Stream? stream = typeof(Exports).Assembly.GetManifestResourceStream(resource)
            ?? throw new NativeCallException(EmoserStatus.ModelFormat, $"this build of libemoser has no embedded model '{name}'");
        return EmotionModel.Load(stream, $"{name}.emow (embedded)");
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_set_min_confidence")]
    public static int ModelSetMinConfidence(nint model, float minConfidence)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            if (!(minConfidence >= 0 && minConfidence <= 1))
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"min_confidence must be a number in [0, 1], got {minConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            m.MinConfidence = minConfidence;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_min_confidence")]
    public static int ModelMinConfidence(nint model, float* minConfidenceOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(minConfidenceOut, "min_confidence_out");
            *minConfidenceOut = m.MinConfidence;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_load_file")]
    public static int ModelLoadFile(byte* path, nint* modelOut)
    {
        try
        {
            RequireNotNull(path, "path");
            RequireNotNull(modelOut, "model_out");
            string file = NativeString.Read(path);
            if (file.Length == 0)
                throw new NativeCallException(EmoserStatus.InvalidArgument, "path is empty");
            RequireFile(file);
            EmotionModel model;
            try
            {
                model = EmotionModel.Load(file);
            }
            catch (ModelFormatException e) when (e.InnerException is IOException or UnauthorizedAccessException)
            {
                // The loader reports an unreadable file as its own; the status tells it from bad content.
                throw new NativeCallException(EmoserStatus.IO, e.Message);
            }
            *modelOut = s_models.Add(new NativeModel(model));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_load_memory")]
    public static int ModelLoadMemory(byte* data, long length, nint* modelOut)
    {
        try
        {
            RequireNotNull(data, "data");
            RequireNotNull(modelOut, "model_out");
            if (length <= 0 || length > int.MaxValue)
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"length must be in [1, {int.MaxValue}], got {length}");
            var bytes = new ReadOnlySpan<byte>(data, (int)length);
            *modelOut = s_models.Add(new NativeModel(EmotionModel.Load(bytes, "memory")));
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_free")]
    public static int ModelFree(nint model)
    {
        try
        {
            s_models.Remove(model).FreeLabels();
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_labels")]
    public static int ModelLabels(nint model, byte** namesOut, int namesLen, int* countOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            CheckCountedBuffer(namesOut, namesLen, countOut, "names");
            *countOut = m.LabelCount;
            if (namesOut == null)
                return (int)EmoserStatus.Ok;
            if (namesLen < m.LabelCount)
                return Fail(EmoserStatus.BufferTooSmall, $"names_len is {namesLen} but the model has {m.LabelCount} labels");
            for (int i = 0; i < m.LabelCount; i++)
                namesOut[i] = m.LabelNames[i];
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_set_speed_copies")]
    public static int ModelSetSpeedCopies(nint model, int enabled)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            if (enabled is not (0 or 1))
                throw new NativeCallException(EmoserStatus.InvalidArgument, $"enabled must be 0 or 1, got {enabled}");
            m.SetSpeedCopies(enabled == 1);
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_speed_factors")]
    public static int ModelSpeedFactors(nint model, float* factorsOut, int factorsLen, int* countOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            CheckCountedBuffer(factorsOut, factorsLen, countOut, "factors");
            IReadOnlyList<float> factors = m.SpeedCopyFactors;
            *countOut = factors.Count;
            if (factorsOut == null)
                return (int)EmoserStatus.Ok;
            if (factorsLen < factors.Count)
                return Fail(EmoserStatus.BufferTooSmall, $"factors_len is {factorsLen} but {factors.Count} speed factors are in use");
            for (int i = 0; i < factors.Count; i++)
                factorsOut[i] = factors[i];
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_set_max_duration")]
    public static int ModelSetMaxDuration(nint model, double seconds)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            if (InputLimits.MaxDurationProblem(seconds) is { } problem)
                throw new NativeCallException(EmoserStatus.InvalidArgument, problem.Replace("the maximum duration", "seconds", StringComparison.Ordinal));
            m.MaxDurationSeconds = seconds;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_max_duration")]
    public static int ModelMaxDuration(nint model, double* secondsOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(secondsOut, "seconds_out");
            *secondsOut = m.MaxDurationSeconds;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "emoser_model_sample_rate")]
    public static int ModelSampleRate(nint model, int* rateOut)
    {
        try
        {
            NativeModel m = s_models.Get(model);
            RequireNotNull(rateOut, "rate_out");
            *rateOut = m.Model.SampleRate;
            return (int)EmoserStatus.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }
}
