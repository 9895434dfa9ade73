namespace EmoSer.Runtime.ModelFile;

/// <summary>A named float32 tensor of a weights file: its shape and its values in row-major order.</summary>
internal sealed class TensorDefinition
{
    /// <summary>Creates a tensor; the element count of <paramref name="shape"/> must equal the data length.</summary>
    /// <param name="name">Name stored in the file (e.g. <c>"weight"</c>, <c>"input.mean"</c>); 1..255 UTF-8 bytes.</param>
    /// <param name="shape">Dimensions (rank 1..4, each at least 1).</param>
    /// <param name="data">Row-major values; the tensor keeps this array (it is not copied).</param>
    /// <exception cref="ArgumentException">Rank, dimensions or data length are inconsistent.</exception>
    public TensorDefinition(string name, int[] shape, float[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length is < 1 or > ModelFileFormat.MaxRank)
            throw new ArgumentException($"Tensor '{name}' has rank {shape.Length}; the format allows 1..{ModelFileFormat.MaxRank}.", nameof(shape));
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 1)
                throw new ArgumentException($"Tensor '{name}' has a dimension {d}; every dimension must be at least 1.", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}' of shape ({string.Join(", ", shape)}) needs {count} values, got {data.Length}.", nameof(data));
        Name = name;
        Shape = shape;
        Data = data;
    }

    /// <summary>Name stored in the file.</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Row-major values.</summary>
    public float[] Data { get; }

    /// <summary>Shape formatted as <c>(a, b, c)</c> for messages.</summary>
    internal string ShapeText => "(" + string.Join(", ", Shape) + ")";

    internal bool HasShape(params ReadOnlySpan<int> expected)
    {
        if (Shape.Count != expected.Length)
            return false;
        for (int i = 0; i < expected.Length; i++)
        {
            if (Shape[i] != expected[i])
                return false;
        }
        return true;
    }
}
