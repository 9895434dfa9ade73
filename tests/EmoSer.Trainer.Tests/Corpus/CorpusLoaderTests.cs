using EmoSer.Tests.Shared;
using EmoSer.Trainer.Corpus;

namespace EmoSer.Trainer.Tests.Corpus;

[Trait("Category", "golden")]
public class CorpusLoaderTests
{
    [Fact]
    public void EmoDb_folder_is_recognised_by_file_names()
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
    public void Other_folder_is_one_sub_folder_per_label()
    {
        using var dir = new TempDir();
        dir.Wav("calm/x1.wav", seed: 1);
        dir.Wav("calm/deeper/x2.wav", seed: 2);
        dir.Wav("Wütend/y.wav", seed: 3);
        var c = CorpusLoader.Load(dir.Path);
        // Folder names are labels, brought to their canonical names (docs/labels.md).
        Assert.Equal(["angry", "calm"], c.Labels);
        Assert.Equal(["Wütend/y.wav", "calm/deeper/x2.wav", "calm/x1.wav"], c.Utterances.Select(u => u.Id));
        Assert.Equal("Wütend", c.Utterances[0].SourceLabel);
        Assert.False(c.HasSpeakers);
    }

    [Fact]
    public void Folder_corpus_takes_every_audio_format_the_runtime_reads_and_decodes_it()
    {
        // The trainer reads audio with the runtime's AudioFile, as the CLI and serve do: AIFF and FLAC decode to the
        // same samples as their WAV; a text file beside them is not an utterance.
        using var dir = new TempDir();
        string fixtures = System.IO.Path.Combine(TestData.Fixtures, "audio");
        Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "calm"));
        File.Copy(System.IO.Path.Combine(fixtures, "flac-16-mono.flac"), System.IO.Path.Combine(dir.Path, "calm", "a.flac"));
        File.Copy(System.IO.Path.Combine(fixtures, "aiff-16-mono.aiff"), System.IO.Path.Combine(dir.Path, "calm", "b.aiff"));
        dir.Text("calm/notes.txt", "not audio");
        dir.Wav("angry/c.wav", seed: 1);
        var c = CorpusLoader.Load(dir.Path);
        Assert.Equal(["angry/c.wav", "calm/a.flac", "calm/b.aiff"], c.Utterances.Select(u => u.Id));
        float[] flac = EmoSer.Trainer.Features.CachedExtractorSource.LoadMono(c.Utterances[1].Path, 16000);
        float[] wav = EmoSer.Runtime.Audio.WavReader.ReadFile(System.IO.Path.Combine(fixtures, "flac-16-mono.ref.wav")).ToMono();
        Assert.Equal(wav, flac);
        Assert.Equal(EmoSer.Runtime.Audio.WavReader.ReadFile(System.IO.Path.Combine(fixtures, "aiff-16-mono.ref.wav")).ToMono(),
            EmoSer.Trainer.Features.CachedExtractorSource.LoadMono(c.Utterances[2].Path, 16000));
    }

    [Fact]
    public void Empty_folder_is_a_clear_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<CorpusException>(() => CorpusLoader.Load(dir.Path));
        Assert.Equal($"{dir.Path}: no label sub-folders with audio files (expected <folder>/<label>/*.wav (or .flac, .aiff, .mp3, ...), an Emo-DB folder or a manifest .csv)", e.Message);
    }

    [Fact]
    public void Missing_path_is_a_clear_error()
    {
        var e = Assert.Throws<CorpusException>(() => CorpusLoader.Load("/nonexistent/emoser/corpus"));
        Assert.Equal("/nonexistent/emoser/corpus: no such file or folder", e.Message);
    }

    [Fact]
    public void Real_EmoDb_has_535_utterances_seven_labels_ten_speakers()
    {
        var c = CorpusLoader.Load(TestData.RequireEmoDb());
        Assert.Equal(535, c.Utterances.Count);
        Assert.Equal(["angry", "boredom", "disgust", "fear", "happy", "neutral", "sad"], c.Labels);
        Assert.Equal(10, c.Speakers.Count);
        Assert.Equal(127, c.Utterances.Count(u => u.Label == "angry"));
    }
}
