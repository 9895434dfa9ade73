using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Benchmarks.Model;

/// <summary>
/// Loading Model A from bytes (CRC, full validation, BatchNorm folding, conv weight packing): part of the
/// start-up time of every `emoser classify` process.
/// </summary>
[MemoryDiagnoser]
public class ModelLoadBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        _definition = ModelAShape.Create();
        _file = ModelFileWriter.Serialize(_definition);
    }

    private ModelDefinition _definition = null!;

    [Benchmark(Description = "EmotionModel.Load(Model A bytes)")]
    public EmotionModel Load() => EmotionModel.Load(_file, "model-a");

    [Benchmark(Description = "ModelFileReader.Read (parse + validate)")]
    public ModelDefinition Read() => ModelFileReader.Read(_file, "model-a");

    [Benchmark(Description = "EmotionModel.FromDefinition (validate + fold + pack)")]
    public EmotionModel Compile() => EmotionModel.FromDefinition(_definition);

    [Benchmark(Description = "Crc32 of the file")]
    public uint Crc() => Crc32.Compute(_file);
}
