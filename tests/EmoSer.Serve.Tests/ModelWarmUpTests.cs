using EmoSer.Runtime.Model;

namespace EmoSer.Serve.Tests;

/// <summary>The server's models are ready before they serve: the first request does not pay for packing weights.</summary>
[Trait("Category", "unit")]
public sealed class ModelWarmUpTests
{
    [Fact]
    public void Models_from_the_servers_factories_are_packed_before_the_first_request()
    {
        byte[] weights = RealModel.Weights();
        // Loaded on its own, a model packs its conv weights at its first prediction...
        Assert.False(EmotionModel.Load(weights, "model-a.emow").IsPrepared);
        // ...the server's factories (at start, and for a trained model before it is swapped in) do it before serving.
        foreach (var (name, factory) in new[] { ("Factory", ModelEngines.Factory), ("SinglePassFactory", ModelEngines.SinglePassFactory) })
        {
            var engine = (RuntimeEngine)factory(weights, "model-a.emow", "warm-up");
            Assert.True(engine.Classifier.Model.IsPrepared, $"ModelEngines.{name}: the model's weights were not packed before its first request");
        }
    }
}
