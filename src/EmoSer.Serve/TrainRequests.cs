using System.Text.Json;
using EmoSer.Runtime.Model;

namespace EmoSer.Serve;

/// <summary>
/// Reads a <c>POST /train</c> body into a <see cref="TrainRequest"/>, with errors in our words: the serializer's own
/// messages are resource keys in the native build.
/// </summary>
internal static class TrainRequests
{
    private static readonly JsonReaderOptions s_reader = new() { MaxDepth = 8 };

    private static readonly string[] s_known = ["protocol", "augment", "n_modifications", "test_size", "random_state", "epochs", "optimizer"];

    /// <summary>The request in <paramref name="utf8"/> (a non-empty body).</summary>
    /// <exception cref="ApiException">400 naming the syntax error or the parameter.</exception>
    public static TrainRequest Parse(byte[] utf8) =>
        EmoSer.Runtime.ErrorText.JsonObjectProblem(utf8, s_reader, "invalid JSON body", "invalid JSON body") is { } problem
            ? throw new ApiException(StatusCodes.Status400BadRequest, problem)
            : Deserialize(utf8);

    private static TrainRequest Deserialize(byte[] utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, ServeJsonContext.Default.TrainRequest) ?? new TrainRequest();
        }
        catch (JsonException e)
        {
            string name = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : e.Path ?? "";
            string shown = name.Length <= 40 ? name : name[..40] + "...";
            throw new ApiException(StatusCodes.Status400BadRequest, s_known.Contains(name)
                ? $"invalid JSON body: '{shown}' has a value of the wrong type (docs/http-api.md lists the parameters)"
                : $"invalid JSON body: '{shown}' is not a parameter of POST /train (known: {string.Join(", ", s_known)})");
        }
    }
}
