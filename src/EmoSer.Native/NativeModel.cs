using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Native;

/// <summary>
/// What a model handle stands for: the model, its (thread-safe) classifier and the label names as native
/// UTF-8 strings that C callers may keep until <c>emoser_model_free</c>.
/// </summary>
internal sealed unsafe class NativeModel
{
    private readonly EmotionClassifier _withCopies;
    private EmotionClassifier? _singlePass;
    private EmotionClassifier _classifier;
    private byte** _labelNames;
    private long _maxDurationBits = BitConverter.DoubleToInt64Bits(InputLimits.DefaultMaxDurationSeconds);

    public NativeModel(EmotionModel model)
    {
        Model = model;
        _withCopies = new EmotionClassifier(model);
        _classifier = _withCopies;
        LabelCount = model.Labels.Count;
        _labelNames = (byte**)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)LabelCount, (nuint)sizeof(byte*));
        for (int i = 0; i < LabelCount; i++)
            _labelNames[i] = NativeString.Alloc(model.Labels[i]);
    }

    public EmotionModel Model { get; }

    /// <summary>
    /// The classifier calls use now: with the model's test-time speed copies (the default) or in a single pass
    /// (<see cref="SetSpeedCopies"/>). Swapped with one reference write, so a call already running finishes with the
    /// classifier it started with.
    /// </summary>
    public EmotionClassifier Classifier => Volatile.Read(ref _classifier);

    /// <summary>The speed factors classifications average over now (empty: a single pass).</summary>
    public IReadOnlyList<float> SpeedCopyFactors => Classifier.SpeedFactors;

    /// <summary>Switches the model's test-time speed copies on (the default) or off for calls that start afterwards.</summary>
    public void SetSpeedCopies(bool enabled) => Volatile.Write(ref _classifier, ClassifierWithSpeedCopies(enabled));

    /// <summary>The classifier with the model's test-time speed copies, or the single-pass one (made on first use).</summary>
    public EmotionClassifier ClassifierWithSpeedCopies(bool enabled) =>
        enabled ? _withCopies : LazyInitializer.EnsureInitialized(ref _singlePass, () => new EmotionClassifier(Model, testTimeSpeedCopies: false));

    public int LabelCount { get; }

    /// <summary>
    /// The longest audio classify, classify_file and profile-add calls on this handle accept (seconds; default
    /// <see cref="InputLimits.DefaultMaxDurationSeconds"/>). Read and written atomically, as calls may run on other threads.
    /// </summary>
    public double MaxDurationSeconds
    {
        get => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _maxDurationBits));
        set => Interlocked.Exchange(ref _maxDurationBits, BitConverter.DoubleToInt64Bits(value));
    }

    private float _minConfidence;

    /// <summary>
    /// Classifications whose top probability is below this answer "uncertain" (<c>emoser_model_set_min_confidence</c>;
    /// 0, the default, never does). Read once per call, so a call already running finishes with the value it started with.
    /// </summary>
    public float MinConfidence
    {
        get => Volatile.Read(ref _minConfidence);
        set
        {
            Classification.CheckMinConfidence(value);
            Volatile.Write(ref _minConfidence, value);
        }
    }

    /// <summary>The label names (valid until <see cref="FreeLabels"/>).</summary>
    public byte** LabelNames => _labelNames;

    /// <summary>Releases the native label strings; called once, when the handle is freed.</summary>
    public void FreeLabels()
    {
        byte** names = _labelNames;
        _labelNames = null;
        if (names == null)
            return;
        for (int i = 0; i < LabelCount; i++)
            NativeString.Free(names[i]);
        System.Runtime.InteropServices.NativeMemory.Free(names);
    }
}
