using System.Buffers.Binary;
using System.Text;
using EmoSer.Runtime;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Fuzz;

/// <summary>
/// The generated seed inputs of the committed corpus (fuzz/corpus/): small valid files of every kind each reader
/// takes, and the reproductions of issue 19, so that a campaign starts where the bugs were. <c>emoser-fuzz seeds DIR</c>
/// writes them; they are committed, and the corpus also keeps every input that ever failed.
/// </summary>
internal static class Seeds
{
    private static readonly string[] Labels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"];

    public static void Write(string dir)
    {
        Wav(Directory.CreateDirectory(Path.Combine(dir, "wav")).FullName);
        Weights(Directory.CreateDirectory(Path.Combine(dir, "weights")).FullName);
        Profiles(Directory.CreateDirectory(Path.Combine(dir, "profile")).FullName);
    }

    // ---- WAV ----

    private static void Wav(string dir)
    {
        float[] Voice(int rate) => FuzzTargets.Voice(rate, 0.25, 150);
        void Put(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(dir, name), bytes);

        Put("pcm16-16k-mono.wav", Encode(1, 16000, 16, Voice(16000)));
        Put("pcm8-8k-mono.wav", Encode(1, 8000, 8, Voice(8000)));
        Put("pcm24-44k-stereo.wav", Encode(1, 44100, 24, Stereo(Voice(44100)), channels: 2));
        Put("pcm32-48k-mono.wav", Encode(1, 48000, 32, Voice(48000)));
        Put("float32-22k-mono.wav", Encode(3, 22050, 32, Voice(22050)));
        Put("float64-16k-mono.wav", Encode(3, 16000, 64, Voice(16000)));
        Put("extensible-pcm16-16k-stereo.wav", Encode(1, 16000, 16, Stereo(Voice(16000)), channels: 2, extensible: true));
        Put("list-chunk-first-odd-size.wav", Encode(1, 16000, 16, Voice(16000), before: Chunk("LIST", Encoding.ASCII.GetBytes("INFOISFT\u0005\0\0\0emo"))));
        byte[] streaming = Encode(1, 16000, 16, Voice(16000));
        BinaryPrimitives.WriteUInt32LittleEndian(streaming.AsSpan(4), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(streaming.AsSpan(40), uint.MaxValue);
        Put("streaming-sizes.wav", streaming);

        // Issue 19's reproductions.
        float[] huge = Voice(16000);
        huge[100] = 1e20f;
        Put("repro-float-sample-1e20.wav", Encode(3, 16000, 32, huge));
        huge[100] = 3e38f;
        Put("repro-float-sample-3e38.wav", Encode(3, 16000, 32, huge));
        huge[100] = float.NaN;
        Put("repro-float-sample-nan.wav", Encode(3, 16000, 32, huge));
        byte[] low = Encode(1, 16000, 16, Voice(16000));
        BinaryPrimitives.WriteUInt32LittleEndian(low.AsSpan(24), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(low.AsSpan(28), 32);
        Put("repro-rate-16hz.wav", low);
        Put("repro-empty-data.wav", Encode(1, 16000, 16, []));
        byte[] declares = Encode(1, 16000, 16, Voice(16000));
        BinaryPrimitives.WriteUInt32LittleEndian(declares.AsSpan(4), 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(declares.AsSpan(40), 0x7FFFFFDB);
        Put("repro-declares-2gib.wav", declares);
    }

    private static float[] Stereo(float[] mono) => [.. mono.SelectMany(v => new[] { v, v * 0.8f })];

    private static byte[] Chunk(string id, byte[] body) =>
        [.. Encoding.ASCII.GetBytes(id), .. BitConverter.GetBytes(body.Length), .. body, .. (body.Length % 2 == 1 ? new byte[1] : [])];

    /// <summary>A WAV of <paramref name="samples"/> (interleaved) in the given encoding.</summary>
    private static byte[] Encode(ushort tag, int rate, int bits, float[] samples, int channels = 1, bool extensible = false, byte[]? before = null)
    {
        int bytesPer = bits / 8;
        var data = new byte[samples.Length * bytesPer];
        for (int i = 0; i < samples.Length; i++)
        {
            Span<byte> at = data.AsSpan(i * bytesPer);
            float v = samples[i];
            switch (tag, bits)
            {
                case (1, 8): at[0] = (byte)Math.Clamp((int)Math.Round(v * 128) + 128, 0, 255); break;
                case (1, 16): BinaryPrimitives.WriteInt16LittleEndian(at, (short)Math.Clamp(Math.Round(v * 32768), short.MinValue, short.MaxValue)); break;
                case (1, 24):
                    int s24 = (int)Math.Clamp(Math.Round(v * 8388608.0), -8388608, 8388607);
                    at[0] = (byte)s24; at[1] = (byte)(s24 >> 8); at[2] = (byte)(s24 >> 16);
                    break;
                case (1, 32): BinaryPrimitives.WriteInt32LittleEndian(at, (int)Math.Clamp(Math.Round(v * 2147483648.0), int.MinValue, int.MaxValue)); break;
                case (3, 32): BinaryPrimitives.WriteSingleLittleEndian(at, v); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(at, v); break;
            }
        }
        var fmt = new byte[extensible ? 40 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), rate * channels * bytesPer);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(channels * bytesPer));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bits);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)bits);
            BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels == 2 ? 3u : 4u);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), tag);
            byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(fmt, 26);
        }
        byte[] chunks = [.. before ?? [], .. Chunk("fmt ", fmt), .. Chunk("data", data)];
        return [.. "RIFF"u8.ToArray(), .. BitConverter.GetBytes(chunks.Length + 4), .. "WAVE"u8.ToArray(), .. chunks];
    }

    // ---- weights ----

    private static void Weights(string dir)
    {
        void Put(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(dir, name), bytes);
        var rng = new Random(3);
        float[] R(int n, double scale, double offset = 0) => [.. Enumerable.Range(0, n).Select(_ => (float)(offset + (scale * ((rng.NextDouble() * 2) - 1))))];
        const int N = 193, C = 4, K = 5, Pool = 8;
        int pooled = ((N - Pool) / Pool) + 1;
        NetworkDefinition Network() => new(
        [
            LayerDefinition.Conv1D(R(C * K, 0.7), R(C, 0.1), 1, C, K),
            LayerDefinition.BatchNorm(R(C, 0.3, 1), R(C, 0.1), R(C, 0.1), R(C, 0.3, 1), 1e-3f),
            LayerDefinition.ReLU(),
            LayerDefinition.Dropout(0.1f),
            LayerDefinition.MaxPool1D(Pool, Pool),
            LayerDefinition.Flatten(),
            LayerDefinition.Dense(R(Labels.Length * pooled * C, 0.2), R(Labels.Length, 0.1), pooled * C, Labels.Length),
            LayerDefinition.Softmax(),
        ]);
        ModelDefinition Model(int extractor = SeedFeatureExtractor.Version, string? card = "{\"name\":\"fuzz seed\",\"metrics\":{\"ua\":0.5}}",
            SpeakerNormalization? speaker = null, float[]? factors = null, int members = 1, float[]? mean = null) => new()
        {
            Name = "fuzz-seed",
            SampleRate = 16000,
            FeatureSetId = SeedFeatureExtractor.FeatureSetId,
            ExtractorVersion = extractor,
            InputLength = N,
            Labels = Labels,
            InputMean = mean ?? R(N, 5),
            InputStd = R(N, 0.5, 1.5),
            Speaker = speaker,
            ModelCardJson = card,
            TestTimeSpeedFactors = factors ?? [],
            Members = [.. Enumerable.Range(0, members).Select(_ => Network())],
        };

        Put("small-193.emow", ModelFileWriter.Serialize(Model()));
        Put("small-193-speaker-speeds-2-members.emow", ModelFileWriter.Serialize(Model(
            speaker: new SpeakerNormalization(4, R(N, 20), R(N, 2, 3)), factors: [0.9f, 1.1f], members: 2)));
        Put("small-193-no-card.emow", ModelFileWriter.Serialize(Model(card: null)));

        // Issue 19's reproductions: a weight of 1e38 with a consistent CRC, another extractor version, a card that is
        // not JSON, a mean beyond the bound, and a network whose bounded weights overflow.
        var sentinel = Model();
        sentinel.Members[0].Layers[0].Tensors[0].Data[0] = 0.123456789f;
        Put("repro-weight-1e38.emow", Patch(ModelFileWriter.Serialize(sentinel), 0.123456789f, 1e38f));
        Put("repro-extractor-v99.emow", ModelFileWriter.Serialize(Model(extractor: 99)));
        byte[] card = ModelFileWriter.Serialize(Model(card: "{\"notes\": true,\n\"line\": \"" + new string('x', 200) + "\"}"));
        int at = card.AsSpan().IndexOf("true"u8);
        "tpue"u8.CopyTo(card.AsSpan(at));
        Put("repro-card-not-json.emow", Reseal(card));
        float[] mean = R(N, 5);
        mean[7] = 0.987654321f;
        Put("repro-mean-beyond-bound.emow", Patch(ModelFileWriter.Serialize(Model(mean: mean)), 0.987654321f, 2e18f));
        Put("repro-overflowing-network.emow", ModelFileWriter.Serialize(new ModelDefinition
        {
            Name = "overflow", SampleRate = 16000, FeatureSetId = SeedFeatureExtractor.FeatureSetId, ExtractorVersion = SeedFeatureExtractor.Version,
            InputLength = N, Labels = Labels,
            Members =
            [
                new NetworkDefinition(
                [
                    LayerDefinition.Flatten(),
                    .. Enumerable.Range(0, 5).Select(_ => LayerDefinition.Dense([.. Enumerable.Repeat(1e6f, 16 * (N > 16 ? 16 : N))], new float[16], 16, 16)).Prepend(
                        LayerDefinition.Dense([.. Enumerable.Repeat(1e6f, 16 * N)], new float[16], N, 16)),
                    LayerDefinition.Dense([.. Enumerable.Repeat(1e6f, Labels.Length * 16)], new float[Labels.Length], 16, Labels.Length),
                    LayerDefinition.Softmax(),
                ]),
            ],
        }));
    }

    /// <summary>The file with the float <paramref name="from"/> (a sentinel) replaced by <paramref name="to"/>, CRC re-sealed.</summary>
    private static byte[] Patch(byte[] file, float from, float to)
    {
        int at = file.AsSpan().IndexOf(BitConverter.GetBytes(from));
        BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(at), to);
        return Reseal(file);
    }

    private static byte[] Reseal(byte[] file)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), Crc32.Compute(file.AsSpan(32)));
        return file;
    }

    // ---- speaker profiles ----

    private static void Profiles(string dir)
    {
        void Put(string name, string json) => File.WriteAllText(Path.Combine(dir, name), json);
        string Profile(string count, string mean, string m2, string features = "librosa-seed-193") =>
            $$"""{"format":"emoser-speaker-profile","version":1,"feature_set":"{{features}}","extractor_version":1,"sample_rate":16000,"count":{{count}},"mean":[{{mean}}],"m2":[{{m2}}]}""" + "\n";
        string Values(int n, Func<int, string> v) => string.Join(",", Enumerable.Range(0, n).Select(v));
        var rng = new Random(5);
        string mean = Values(193, _ => (rng.NextDouble() * 100 - 50).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        string m2 = Values(193, _ => (rng.NextDouble() * 40).ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        Put("three-utterances.json", Profile("3", mean, m2));
        Put("empty.json", Profile("0", Values(193, _ => "0"), Values(193, _ => "0")));
        Put("one-utterance.json", Profile("1", mean, Values(193, _ => "0")));
        Put("other-features.json", Profile("2", "1,2", "0.5,0.25", features: "other-2"));
        Put("pretty-printed.json", Profile("3", mean, m2).Replace(",\"", ",\n  \"", StringComparison.Ordinal));

        // Issue 19's reproductions and their neighbours.
        Put("repro-mean-1e308.json", Profile("3", Values(193, i => i == 0 ? "1e308" : "0.5"), m2));
        Put("repro-mean-nan-literal.json", Profile("3", Values(193, i => i == 0 ? "NaN" : "0.5"), m2));
        Put("repro-m2-negative.json", Profile("3", mean, Values(193, i => i == 5 ? "-0.5" : "1")));
        Put("repro-m2-beyond-bound.json", Profile("3", mean, Values(193, i => i == 5 ? "1e300" : "1")));
        Put("repro-count-huge.json", Profile("9007199254740993", mean, m2));
    }
}
