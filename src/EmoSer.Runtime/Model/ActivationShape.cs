namespace EmoSer.Runtime.Model;

/// <summary>Shape of an activation between layers: (length, channels) channels-last, or a flat vector.</summary>
/// <param name="Length">Positions (the vector width when flat).</param>
/// <param name="Channels">Channels per position (1 when flat).</param>
/// <param name="IsFlat">True after Flatten or Dense.</param>
internal readonly record struct ActivationShape(int Length, int Channels, bool IsFlat)
{
    public long Elements => (long)Length * Channels;

    public override string ToString() => IsFlat ? $"({Length})" : $"({Length}, {Channels})";
}
