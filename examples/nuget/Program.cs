// Classifies audio files with EmoSer.Runtime from NuGet: dotnet run -- MODEL.emow FILE...
using EmoSer.Runtime;
using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: EmoSer.NuGetSample MODEL.emow AUDIO...");
    return 2;
}
var classifier = new EmotionClassifier(EmotionModel.Load(args[0]));
Console.WriteLine($"EmoSer.Runtime {EmoSerInfo.Version}, model {classifier.Model.Name}");
int failed = 0;
foreach (string file in args[1..])
{
    try
    {
        // WAV, AIFF and FLAC by the runtime's own decoders (the format told from the bytes).
        AudioClip clip = AudioFile.Read(file);
        Classification result = classifier.Classify(clip);
        Console.WriteLine($"{file}: {result.Emotion} {result.Confidence:0.000} ({clip.DurationSeconds:0.00} s, {clip.SampleRate} Hz)");
    }
    catch (AudioFormatException e)
    {
        Console.Error.WriteLine(e.Message);
        failed++;
    }
}
return failed == 0 ? 0 : 1;
