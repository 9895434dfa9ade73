using EmoSer.Tests.Shared;
using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Tests.Corpus;

public class CorpusLoaderTests
{
    [Fact]
    public void EmoDbFolderIsRecognisedByFileNames()
    {
        using var dir = new TempDir();
        dir.Wav("03a01Wa.wav", seed: 1);
        dir.Wav("03a02Fc.wav", seed: 2);
        dir.Wav("16b10Tb.wav", seed: 3);
        var c = CorpusLoader.Load(dir.Path);
        Assert.Equal("Emo-DB", c.Name);
        Assert.Equal(["angry", "happy", "sad"], c.Labels);
        Assert.Equal(["03", "16"], c.Speakers);
        Assert.Equal(["03", "03", "16"], c.Utterances.Select(u => u.Speaker));
    }

    [Fact]
    public void OtherFolderIsOneSubFolderPerLabel()
    {
        using var dir = new TempDir();
        dir.Wav("calm/x1.wav", seed: 1);
        dir.Wav("calm/deeper/x2.wav", seed: 2);
        dir.Wav("Wütend/y.wav", seed: 3);
        var c = CorpusLoader.Load(dir.Path);
        Assert.Equal(["Wütend", "calm"], c.Labels);
        Assert.Equal(["Wütend/y.wav", "calm/deeper/x2.wav", "calm/x1.wav"], c.Utterances.Select(u => u.Id));
        Assert.False(c.HasSpeakers);
    }

    [Fact]
    public void EmptyFolderIsAClearError()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<CorpusException>(() => CorpusLoader.Load(dir.Path));
        Assert.Equal($"{dir.Path}: no label sub-folders with .wav files (expected <folder>/<label>/*.wav, an Emo-DB folder or a manifest .csv)", e.Message);
    }

    [Fact]
    public void MissingPathIsAClearError()
    {
        var e = Assert.Throws<CorpusException>(() => CorpusLoader.Load("/nonexistent/emoser/corpus"));
        Assert.Equal("/nonexistent/emoser/corpus: no such file or folder", e.Message);
    }

    [Fact]
    public void RealEmoDbHas535UtterancesSevenLabelsTenSpeakers()
    {
        var c = CorpusLoader.Load(TestData.RequireEmoDb());
        Assert.Equal(535, c.Utterances.Count);
        Assert.Equal(["angry", "boredom", "disgust", "fear", "happy", "neutral", "sad"], c.Labels);
        Assert.Equal(10, c.Speakers.Count);
        Assert.Equal(127, c.Utterances.Count(u => u.Label == "angry"));
    }
}
