using System.Buffers.Binary;
using System.Text;

namespace EmoSer.Trainer.Torch;

/// <summary>One entry of an ELF file's <c>.gnu.version_r</c> section: a symbol version the file needs from a library.</summary>
/// <param name="Library">The needed library's soname, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The entry's <c>vna_flags</c> (bit 0x2 is VER_FLG_WEAK).</param>
/// <param name="FlagsOffset">File offset of the 16-bit <c>vna_flags</c> field.</param>
public readonly record struct ElfVersionNeed(string Library, string Version, ushort Flags, long FlagsOffset)
{
    /// <summary>True when the requirement is marked weak, so a missing version does not stop the load.</summary>
    public bool IsWeak => (Flags & ElfVersionInfo.VerFlagWeak) != 0;
}

/// <summary>
/// Reads symbol-version tables of 64-bit little-endian ELF shared objects (x86-64, AArch64):
/// the versions a library defines (<c>.gnu.version_d</c>) and the versions it requires
/// (<c>.gnu.version_r</c>). Every offset is bounds-checked; malformed files raise
/// <see cref="InvalidDataException"/>.
/// </summary>
public static class ElfVersionInfo
{
    /// <summary>VER_FLG_WEAK: the dynamic loader tolerates a missing weak version requirement.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Version names a shared library defines (for libstdc++: GLIBCXX_3.4, ..., GLIBCXX_3.4.30, ...).</summary>
    public static IReadOnlyList<string> DefinedVersions(ReadOnlySpan<byte> elf)
    {
        var result = new List<string>();
        var sections = Sections(elf);
        foreach (var section in sections)
        {
            if (section.Type != ShtGnuVerdef)
                continue;
            var strtab = StringTable(elf, sections, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
                Require(elf, entry, 20);
                ushort count = U16(elf, entry + 6);
                uint aux = U32(elf, entry + 12);
                uint next = U32(elf, entry + 16);
                if (count > 0)
                {
                    // The first Elf64_Verdaux names the version itself; later ones name its parents.
                    long auxOffset = entry + aux;
                    Require(elf, auxOffset, 8);
                    result.Add(ReadString(elf, strtab, U32(elf, auxOffset)));
                }
                if (next == 0)
                    break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Version requirements of an ELF file, with the file offset of each entry's flags.</summary>
    public static IReadOnlyList<ElfVersionNeed> RequiredVersions(ReadOnlySpan<byte> elf)
    {
        var result = new List<ElfVersionNeed>();
        var sections = Sections(elf);
        foreach (var section in sections)
        {
            if (section.Type != ShtGnuVerneed)
                continue;
            var strtab = StringTable(elf, sections, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                Require(elf, entry, 16);
                ushort count = U16(elf, entry + 2);
                string library = ReadString(elf, strtab, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    Require(elf, aux, 16);
                    ushort flags = U16(elf, aux + 4);
                    string version = ReadString(elf, strtab, U32(elf, aux + 8));
                    result.Add(new ElfVersionNeed(library, version, flags, aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0)
                        break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0)
                    break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement for <paramref name="version"/> in <paramref name="elf"/>.
    /// Returns the number of entries changed (0 when absent or already weak).
    /// </summary>
    public static int MarkRequirementWeak(Span<byte> elf, string version)
    {
        int changed = 0;
        foreach (var need in RequiredVersions(elf))
        {
            if (need.Version != version || need.IsWeak)
                continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice((int)need.FlagsOffset, 2), (ushort)(need.Flags | VerFlagWeak));
            changed++;
        }
        return changed;
    }

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private static List<Section> Sections(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (bad magic)");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        long shoff = checked((long)U64(elf, 0x28));
        int shentsize = U16(elf, 0x3A);
        int shnum = U16(elf, 0x3C);
        if (shentsize < 64)
            throw new InvalidDataException($"ELF section header size {shentsize} is too small");
        Require(elf, shoff, (long)shentsize * shnum);
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            var s = new Section(
                Type: U32(elf, h + 4),
                Offset: checked((long)U64(elf, h + 24)),
                Size: checked((long)U64(elf, h + 32)),
                Link: U32(elf, h + 40),
                Info: U32(elf, h + 44));
            if (s.Type is ShtGnuVerdef or ShtGnuVerneed)
                Require(elf, s.Offset, s.Size);
            sections.Add(s);
        }
        return sections;
    }

    private static Section StringTable(ReadOnlySpan<byte> elf, List<Section> sections, uint index)
    {
        if (index >= sections.Count)
            throw new InvalidDataException($"ELF string table index {index} out of range");
        var s = sections[(int)index];
        Require(elf, s.Offset, s.Size);
        return s;
    }

    private static string ReadString(ReadOnlySpan<byte> elf, Section strtab, uint offset)
    {
        if (offset >= strtab.Size)
            throw new InvalidDataException($"ELF string offset {offset} beyond its table");
        var tail = elf.Slice((int)(strtab.Offset + offset), (int)(strtab.Size - offset));
        int end = tail.IndexOf((byte)0);
        if (end < 0)
            throw new InvalidDataException("unterminated ELF string");
        return Encoding.ASCII.GetString(tail[..end]);
    }

    private static void Require(ReadOnlySpan<byte> elf, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > elf.Length || length > elf.Length - offset)
            throw new InvalidDataException($"ELF structure at {offset} (+{length}) lies beyond the end of the file ({elf.Length} bytes)");
    }

    private static ushort U16(ReadOnlySpan<byte> b, long o) { Require(b, o, 2); return BinaryPrimitives.ReadUInt16LittleEndian(b[(int)o..]); }
    private static uint U32(ReadOnlySpan<byte> b, long o) { Require(b, o, 4); return BinaryPrimitives.ReadUInt32LittleEndian(b[(int)o..]); }
    private static ulong U64(ReadOnlySpan<byte> b, long o) { Require(b, o, 8); return BinaryPrimitives.ReadUInt64LittleEndian(b[(int)o..]); }
}
