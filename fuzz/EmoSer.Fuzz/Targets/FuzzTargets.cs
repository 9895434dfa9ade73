using System.Buffers.Binary;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Fuzz;

/// <summary>A broken rule: what a fuzz target reports as a crash (an unexpected exception is one too).</summary>
public sealed class FuzzFailure(string message) : Exception(message);

/// <summary>
/// The three fuzz targets (docs/fuzzing.md), shared by <c>emoser-fuzz</c> under afl-fuzz and by the tests that replay
/// the committed corpus. Each takes one input and follows it as far as the product would: the error of its class
/// is the expected outcome for bad input; anything else thrown, or a non-finite answer, is a failure. Time and
/// allocations per input are bounded by the caller (afl's -t and the GC heap limit; the replay's own checks).
/// </summary>
public sealed class FuzzTargets
{
    /// <summary>The targets by name.</summary>
    public static readonly string[] Names = ["wav", "weights", "profile"];

    private readonly EmotionModel _model;
    private readonly EmotionClassifier _classifier;
    private readonly float[] _features;
    private readonly SpeakerProfile _profile;

    /// <summary>Targets that classify with <paramref name="model"/> (the shipped one).</summary>
    public FuzzTargets(EmotionModel model)
    {
        _model = model;
        // The speed copies on this thread: copies on pool threads would make afl's coverage depend on timing.
        _classifier = new EmotionClassifier(model) { ParallelCopies = false };
        // A real clip's features and a profile of three clips: what the weights and profile targets classify.
        float[] voice = Voice(16000, 1.0, 140);
        _features = _classifier.Extract(voice, 16000).Features.ToArray();
        _profile = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);
        for (int i = 0; i < 3; i++)
            _classifier.Enroll(Voice(16000, 1.0, 110 + (40 * i)), 16000, _profile);
    }

    /// <summary>Runs target <paramref name="name"/> on <paramref name="input"/>.</summary>
    /// <returns>What happened: "accepted ..." or the refusal's message.</returns>
    public string Run(string name, byte[] input) => name switch
    {
        "wav" => Wav(input),
        "weights" => Weights(input),
        "profile" => Profile(input),
        _ => throw new ArgumentException($"unknown fuzz target '{name}' (wav, weights, profile)", nameof(name)),
    };

    /// <summary>
    /// A WAV file as <c>emoser classify</c>, <c>POST /predict</c> and <c>emoser_classify_file</c> read it (seekable and
    /// as a pipe: both must agree), classified with the shipped model and its speed copies, and as <c>emoser stream</c>
    /// reads it, window by window.
    /// </summary>
    public string Wav(byte[] input)
    {
        AudioClip clip;
        try
        {
            clip = WavReader.Read(new MemoryStream(input, writable: false), "fuzz.wav");
        }
        catch (AudioFormatException e)
        {
            ExpectSameRefusalFromAPipe(input, e);
            return e.Problem;
        }
        bool piped = ReadsTheSameFromAPipe(input, clip);
        Classification c = _classifier.Classify(clip);
        CheckProbabilities(c.Probabilities, "classify");
        if (piped)
            Stream(input);
        return $"accepted: {clip.DurationSeconds:0.###} s at {clip.SampleRate} Hz x {clip.Channels}: {c.Emotion}";
    }

    /// <summary>
    /// A weights file as <c>emoser_model_load_memory</c> and <c>emoser classify --model</c> load it; the header's
    /// length and CRC are re-sealed first, so that mutations reach the validator instead of the checksum. A model that
    /// loads predicts the features of a real clip, with and without a speaker profile.
    /// </summary>
    public string Weights(byte[] input)
    {
        byte[] data = (byte[])input.Clone();
        if (data.Length >= 32)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), (ulong)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(24), Crc32.Compute(data.AsSpan(32)));
        }
        EmotionModel model;
        try
        {
            model = EmotionModel.Load(data, "fuzz.emow");
        }
        catch (ModelFormatException e)
        {
            return e.Problem;
        }
        // The network itself, on input of its own size (even when this runtime cannot make its features).
        var random = new Random(1);
        float[] x = new float[model.InputLength * model.InputChannels];
        for (int i = 0; i < x.Length; i++)
            x[i] = i < _features.Length ? _features[i] : (float)((random.NextDouble() * 2) - 1);
        try
        {
            CheckProbabilities(model.Predict(x), "predict");
            if (model.HasSpeakerNormalization && _profile.FeatureCount == x.Length)
                CheckProbabilities(model.Predict(x, _profile), "predict with a profile");
        }
        catch (ModelFormatException e) when (e.Problem.Contains("computed the probability", StringComparison.Ordinal))
        {
            return e.Problem; // the guard that keeps a non-finite answer from being returned
        }
        try
        {
            var classifier = new EmotionClassifier(model);
            return $"accepted: model '{model.Name}', {model.Labels.Count} labels, {classifier.SpeedFactors.Count} speed copies";
        }
        catch (ModelFormatException e)
        {
            return e.Problem;
        }
    }

    /// <summary>
    /// A speaker profile file as <c>emoser_profile_load</c>, <c>emoser classify --speaker</c> and <c>PUT /speakers</c>
    /// read it; one that loads round-trips exactly and, when it fits the shipped model, classifies a real clip.
    /// </summary>
    public string Profile(byte[] input)
    {
        SpeakerProfileFile file;
        try
        {
            file = SpeakerProfileFile.Parse(input, "fuzz.json");
        }
        catch (SpeakerProfileFormatException e)
        {
            return e.Problem;
        }
        SpeakerProfileFile again = SpeakerProfileFile.Parse(file.ToUtf8(), "round-trip.json");
        if (again.Profile.Count != file.Profile.Count || !again.Profile.Mean.SequenceEqual(file.Profile.Mean)
            || !again.Profile.SumSquaredDeviations.SequenceEqual(file.Profile.SumSquaredDeviations))
            throw new FuzzFailure("the profile does not round-trip");
        if (file.Mismatch(_model) is { } mismatch)
            return mismatch;
        CheckProbabilities(_model.Predict(_features, file.Profile), "predict with the profile");
        return $"accepted: {file.Profile.Count} utterances";
    }

    /// <summary><c>emoser stream</c>'s path: the incremental reader and a live stream, in constant memory.</summary>
    private void Stream(byte[] input)
    {
        using PcmStreamReader reader = PcmStreamReader.OpenWav(new PipeStream(input), "fuzz.wav");
        var stream = new EmotionStream(_classifier, new EmotionStreamOptions { WindowSeconds = 1.0, HopSeconds = 1.0, SilenceDbfs = -50, InputSampleRate = reader.SampleRate });
        var buffer = new float[4096];
        int n;
        while ((n = reader.ReadMono(buffer)) > 0)
        {
            stream.Push(buffer.AsSpan(0, n));
            Drain(stream);
        }
        stream.Complete();
        Drain(stream);
    }

    private static void Drain(EmotionStream stream)
    {
        while (stream.TryRead(out StreamResult r))
        {
            if (!r.Silence)
                CheckProbabilities(r.Probabilities, "stream");
        }
    }

    /// <summary>
    /// True when the same bytes on a pipe give the same clip; false for the one documented difference (a placeholder
    /// RIFF size with a data size beyond the file is read to the end of a file, but a pipe cannot see the end coming:
    /// it takes the declared size, and finds the data truncated or, declared too long, refuses it before reading).
    /// </summary>
    private static bool ReadsTheSameFromAPipe(byte[] input, AudioClip clip)
    {
        AudioClip piped;
        try
        {
            piped = WavReader.Read(new PipeStream(input), "fuzz.wav");
        }
        catch (AudioFormatException e) when (e.Problem.StartsWith("truncated data", StringComparison.Ordinal) || e is AudioTooLongException)
        {
            return false;
        }
        if (piped.SampleRate != clip.SampleRate || piped.Channels != clip.Channels || !piped.Interleaved.AsSpan().SequenceEqual(clip.Interleaved))
            throw new FuzzFailure("the file and the same bytes on a pipe read differently");
        return true;
    }

    private static void ExpectSameRefusalFromAPipe(byte[] input, AudioFormatException seekable)
    {
        try
        {
            WavReader.Read(new PipeStream(input), "fuzz.wav");
        }
        catch (AudioFormatException)
        {
            return; // the wording may differ: a pipe cannot tell a short file from a truncated one up front
        }
        throw new FuzzFailure($"the file is refused ({seekable.Problem}) but the same bytes on a pipe are read");
    }

    private static void CheckProbabilities(IReadOnlyList<float> p, string what)
    {
        double sum = 0;
        foreach (float v in p)
        {
            if (!float.IsFinite(v) || v < 0 || v > 1.0001f)
                throw new FuzzFailure($"{what}: probability {v} is not one");
            sum += v;
        }
        if (p.Count > 0 && Math.Abs(sum - 1) > 1e-3)
            throw new FuzzFailure($"{what}: probabilities sum to {sum}");
    }

    /// <summary>A harmonic tone with vibrato: a speech-like signal that needs no corpus.</summary>
    internal static float[] Voice(int rate, double seconds, double f0)
    {
        var x = new float[(int)(rate * seconds)];
        double phase = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / rate;
            phase += 2 * Math.PI * f0 * (1 + (0.05 * Math.Sin(2 * Math.PI * 5 * t))) / rate;
            double v = 0;
            for (int h = 1; h <= 6; h++)
                v += Math.Sin(h * phase) / h;
            x[i] = (float)(0.2 * (0.5 + (0.5 * Math.Sin(2 * Math.PI * 3.3 * t))) * v);
        }
        return x;
    }

    /// <summary>A read-only, non-seekable view of bytes: standard input or an HTTP body.</summary>
    private sealed class PipeStream(byte[] data) : System.IO.Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            // Short reads, as a pipe gives them.
            int n = Math.Min(Math.Min(buffer.Length, 1000), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
