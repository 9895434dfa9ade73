using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using EmoSer.Tests.Shared;
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Native.Tests;

/// <summary>
/// Loads the x64 libemoser.so into the test process with <see cref="NativeLibrary"/> and calls it through
/// unmanaged function pointers, as a C# host embedding the C API would.
/// </summary>
[Trait("Category", "native")]
public sealed unsafe partial class InProcessTests
{
    private static nint Export(string name) => LibEmoser.Export(name);

    [GeneratedRegex("#define EMOSER_VERSION_STRING \"([^\"]+)\"")]
    private static partial Regex VersionMacro();

    [Fact]
    public void Version_equals_the_headers_version_macro()
    {
        var version = (delegate* unmanaged<byte*>)Export("emoser_version");
        string header = File.ReadAllText(Path.Combine(TestData.RepoRoot, "include", "emoser.h"));
        Assert.Equal(VersionMacro().Match(header).Groups[1].Value, Marshal.PtrToStringUTF8((nint)version()));
    }

    [Fact]
    public void Last_error_is_per_thread()
    {
        var sampleRate = (delegate* unmanaged<nint, int*, int>)Export("emoser_model_sample_rate");
        var lastError = (delegate* unmanaged<byte*>)Export("emoser_last_error");
        int rate;
        Assert.Equal(-3, sampleRate(0, &rate));
        Assert.Equal("model handle is NULL", Marshal.PtrToStringUTF8((nint)lastError()));
        string? other = null;
        var thread = new Thread(() =>
        {
            int r;
            Assert.Equal(-3, sampleRate(unchecked((nint)0xE1000005_00000009), &r));
            other = Marshal.PtrToStringUTF8((nint)lastError());
        });
        thread.Start();
        thread.Join();
        Assert.Equal("0xe100000500000009 is not a model handle of this library", other);
        Assert.Equal("model handle is NULL", Marshal.PtrToStringUTF8((nint)lastError()));
    }

    [Fact]
    public void Classify_s16_from_eight_dotnet_threads_equals_the_managed_classifier()
    {
        string[] files = EmoDbSelection.OnePerEmotion();
        var loadDefault = (delegate* unmanaged<nint*, int>)Export("emoser_model_load_default");
        var free = (delegate* unmanaged<nint, int>)Export("emoser_model_free");
        var classify = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, int>)Export("emoser_classify_s16");
        var managed = new EmotionClassifier(EmotionModel.Load(TestData.DefaultModelPath));
        var clips = files.Select(f => WavReader.ReadFile(f)).ToArray();
        short[][] pcm = clips.Select(c => c.Interleaved.Select(s => (short)Math.Round(s * 32768f)).ToArray()).ToArray();
        float[][] expected = clips.Select(c => managed.Classify(c).Probabilities).ToArray();

        nint loaded;
        Assert.Equal(0, loadDefault(&loaded));
        nint model = loaded;
        try
        {
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            {
                float* probs = stackalloc float[16];
                for (int i = 0; i < 10; i++)
                {
                    int f = (t + i) % pcm.Length;
                    int top;
                    fixed (short* samples = pcm[f])
                    {
                        int status = classify(model, samples, pcm[f].Length, clips[f].SampleRate, 1, probs, 16, &top);
                        if (status != 0)
                        {
                            failures.Add($"{files[f]}: status {status}");
                            continue;
                        }
                    }
                    for (int k = 0; k < expected[f].Length; k++)
                    {
                        if (Math.Abs(probs[k] - expected[f][k]) > 1e-5f)
                            failures.Add($"{Path.GetFileName(files[f])} label {k}: {probs[k]:R} vs managed {expected[f][k]:R}");
                    }
                }
            });
            Assert.Empty(failures);
        }
        finally
        {
            Assert.Equal(0, free(model));
        }
    }

    [Fact]
    public void Classify_s16_stereo_equals_the_managed_classifier_on_the_same_clip()
    {
        string file = EmoDbSelection.OnePerEmotion()[0];
        var classify = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, int>)Export("emoser_classify_s16");
        var loadDefault = (delegate* unmanaged<nint*, int>)Export("emoser_model_load_default");
        var free = (delegate* unmanaged<nint, int>)Export("emoser_model_free");
        float[] mono = WavReader.ReadFile(file).ToMono();
        // Two different channels: exercises the library's down-mix. (Resampled input is compared with the AOT CLI in
        // CExampleTests: JIT and AOT builds of the resampler differ by a few 1e-5 in the probabilities.)
        var stereo = new short[2 * mono.Length];
        for (int i = 0; i < mono.Length; i++)
        {
            stereo[2 * i] = (short)Math.Round(mono[i] * 32768f);
            stereo[2 * i + 1] = (short)(stereo[2 * i] / 2);
        }
        var clip = new AudioClip(stereo.Select(v => v / 32768f).ToArray(), 16000, 2);
        Classification expected = new EmotionClassifier(EmotionModel.Load(TestData.DefaultModelPath)).Classify(clip);

        nint model;
        Assert.Equal(0, loadDefault(&model));
        float* probs = stackalloc float[16];
        int top;
        fixed (short* samples = stereo)
            Assert.Equal(0, classify(model, samples, mono.Length, 16000, 2, probs, 16, &top));
        Assert.Equal(0, free(model));
        for (int k = 0; k < expected.Probabilities.Length; k++)
            Assert.True(Math.Abs(probs[k] - expected.Probabilities[k]) <= 1e-5f, $"label {k}: {probs[k]:R} vs managed {expected.Probabilities[k]:R}");
        Assert.Equal(expected.Emotion, expected.Labels[top]);
    }
    /// <summary>
    /// <c>emoser_model_set_speed_copies</c>: 0 gives the managed single-pass classifier's probabilities and an empty
    /// factor list, 1 the copies' again; other values and bad handles are errors with a message.
    /// </summary>
    [Fact]
    public void Speed_copies_switch_off_and_on_per_model_handle()
    {
        string file = Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav");
        var loadDefault = (delegate* unmanaged<nint*, int>)Export("emoser_model_load_default");
        var free = (delegate* unmanaged<nint, int>)Export("emoser_model_free");
        var classify = (delegate* unmanaged<nint, short*, long, int, int, float*, int, int*, int>)Export("emoser_classify_s16");
        var setCopies = (delegate* unmanaged<nint, int, int>)Export("emoser_model_set_speed_copies");
        var speedFactors = (delegate* unmanaged<nint, float*, int, int*, int>)Export("emoser_model_speed_factors");
        var lastError = (delegate* unmanaged<byte*>)Export("emoser_last_error");
        var model = EmotionModel.Load(TestData.DefaultModelPath);
        var clip = WavReader.ReadFile(file);
        short[] pcm = clip.Interleaved.Select(s => (short)Math.Round(s * 32768f)).ToArray();
        var asRead = new AudioClip(pcm.Select(v => v / 32768f).ToArray(), clip.SampleRate, 1);
        float[] copies = new EmotionClassifier(model).Classify(asRead).Probabilities;
        float[] single = new EmotionClassifier(model, testTimeSpeedCopies: false).Classify(asRead).Probabilities;
        Assert.True(copies.Zip(single).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the copies must matter on this clip");

        nint loaded;
        Assert.Equal(0, loadDefault(&loaded));
        nint handle = loaded;
        try
        {
            float* probs = stackalloc float[16];
            float* factors = stackalloc float[8];
            int count;
            void AssertClassifies(float[] expected, string what)
            {
                int top;
                fixed (short* samples = pcm)
                    Assert.Equal(0, classify(handle, samples, pcm.Length, clip.SampleRate, 1, probs, 16, &top));
                for (int k = 0; k < expected.Length; k++)
                    Assert.True(Math.Abs(probs[k] - expected[k]) <= 1e-5f, $"{what}, label {k}: {probs[k]:R} vs managed {expected[k]:R}");
            }

            Assert.Equal(0, speedFactors(handle, null, 0, &count));
            Assert.Equal(model.TestTimeSpeedFactors.Count, count);
            Assert.Equal(-4, speedFactors(handle, factors, 1, &count));
            Assert.Equal($"factors_len is 1 but {model.TestTimeSpeedFactors.Count} speed factors are in use", Marshal.PtrToStringUTF8((nint)lastError()));
            Assert.Equal(0, speedFactors(handle, factors, 8, &count));
            Assert.Equal(model.TestTimeSpeedFactors, new ReadOnlySpan<float>(factors, count).ToArray());
            AssertClassifies(copies, "default");

            Assert.Equal(0, setCopies(handle, 0));
            Assert.Equal(0, speedFactors(handle, factors, 8, &count));
            Assert.Equal(0, count);
            AssertClassifies(single, "copies off");

            Assert.Equal(0, setCopies(handle, 1));
            AssertClassifies(copies, "copies on again");

            Assert.Equal(-2, setCopies(handle, 2));
            Assert.Equal("enabled must be 0 or 1, got 2", Marshal.PtrToStringUTF8((nint)lastError()));
            Assert.Equal(-3, setCopies(0, 0));
            Assert.Equal("model handle is NULL", Marshal.PtrToStringUTF8((nint)lastError()));
            Assert.Equal(-1, speedFactors(handle, factors, 8, null));
            Assert.Equal("count_out is NULL", Marshal.PtrToStringUTF8((nint)lastError()));
            Assert.Equal(-1, speedFactors(handle, null, 3, &count));
            Assert.Equal("factors_out is NULL but factors_len is 3", Marshal.PtrToStringUTF8((nint)lastError()));
            Assert.Equal(-2, speedFactors(handle, factors, -1, &count));
            Assert.Equal("factors_len must not be negative, got -1", Marshal.PtrToStringUTF8((nint)lastError()));
        }
        finally
        {
            Assert.Equal(0, free(handle));
        }
    }
}
