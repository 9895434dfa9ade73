namespace EmoSer.Native;

internal static class Exports
{
}
