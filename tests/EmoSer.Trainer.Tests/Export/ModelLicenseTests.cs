using System.Text.Json.Nodes;
using EmoSer.Runtime.Model;
using EmoSer.Trainer.Export;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Trainer.Tests.Export;

/// <summary>A model's licence follows its training data: derived from the corpus, kept, or set with --license.</summary>
[Trait("Category", "unit")]
public sealed class ModelLicenseTests
{
    [Theory]
    [InlineData("Emo-DB", "Research use only: the model is trained on Emo-DB (Burkhardt et al. 2005), released free for research use, and its licence follows that data.")]
    [InlineData("ravdess.csv", "CC BY-NC-SA 4.0 (non-commercial, share-alike, attribution): the model is trained on RAVDESS (Livingstone & Russo 2018), licensed CC BY-NC-SA 4.0, and is shared under the same licence.")]
    [InlineData("emodb+RAVDESS", "Non-commercial research use only, under CC BY-NC-SA 4.0 and Emo-DB's research-only terms: the model is trained on Emo-DB (Burkhardt et al. 2005), released free for research use and on RAVDESS (Livingstone & Russo 2018), licensed CC BY-NC-SA 4.0.")]
    [InlineData("my-corpus", "The terms of the training data (my-corpus) apply to the model; state them with 'emoser-train card --license TEXT'.")]
    public void The_statement_follows_the_training_corpus(string corpus, string expected) =>
        Assert.Equal(expected, ModelLicense.For(corpus));

    [Fact]
    public void Card_update_adds_the_corpus_licence_keeps_a_stated_one_and_takes_an_explicit_one()
    {
        using var dir = new TempDir();
        string weights = System.IO.Path.Combine(dir.Path, "m.emow");
        var model = ModelFileReader.Read(System.IO.Path.Combine(EmoSer.Tests.Shared.TestData.RepoRoot, "weights", "model-a.emow"));
        var card = JsonNode.Parse(model.ModelCardJson!)!.AsObject();
        card.Remove("license");
        card["training_data"]!["corpus"] = "ravdess.csv";
        ModelFileWriter.Write(WithCard(model, card.ToJsonString()), weights);

        Assert.StartsWith("CC BY-NC-SA 4.0", ModelCardUpdate.Run(weights, dir.Path)["license"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("CC BY-NC-SA 4.0", ModelCardUpdate.Run(weights, dir.Path)["license"]!.GetValue<string>(), StringComparison.Ordinal);
        JsonObject set = ModelCardUpdate.Run(weights, dir.Path, "CC0");
        Assert.Equal("CC0", set["license"]!.GetValue<string>());
        // Written into the weights file and the model-card.json beside it, after the card's identity.
        string stored = ModelFileReader.Read(weights).ModelCardJson!;
        Assert.Equal("CC0", JsonNode.Parse(stored)!["license"]!.GetValue<string>());
        Assert.Equal(stored + "\n", File.ReadAllText(System.IO.Path.Combine(dir.Path, "model-card.json")));
        Assert.Equal(["name", "created", "git_commit", "license"], JsonNode.Parse(stored)!.AsObject().Select(p => p.Key).Take(4));
    }

    private static ModelDefinition WithCard(ModelDefinition d, string card) => new()
    {
        Kind = d.Kind, Name = d.Name, SampleRate = d.SampleRate, FeatureSetId = d.FeatureSetId, ExtractorVersion = d.ExtractorVersion,
        InputLength = d.InputLength, InputChannels = d.InputChannels, Labels = d.Labels, InputMean = d.InputMean, InputStd = d.InputStd,
        Speaker = d.Speaker, ModelCardJson = card, Members = d.Members, TestTimeSpeedFactors = d.TestTimeSpeedFactors,
    };
}
