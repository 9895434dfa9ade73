#!/usr/bin/env python3
"""Writes the hostile inputs of issue 19's reproductions into OUT_DIR (standard library only).

Usage: make-inputs.py OUT_DIR WAV MODEL.emow [PROFILE.json]
  WAV: a 16-bit PCM mono WAV (e.g. an Emo-DB file); MODEL.emow: a valid weights file (the shipped one);
  PROFILE.json: a valid speaker profile (from `emoser enroll`), patched into profile-1e308.json.
"""
import json
import os
import struct
import sys
import zlib


def read_wav16(path):
    data = open(path, "rb").read()
    pos, fmt, samples = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if cid == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", data, pos + 8)
        elif cid == b"data":
            samples = struct.unpack_from(f"<{size // 2}h", data, pos + 8)
        pos += 8 + size + (size & 1)
    assert fmt and fmt[0] == 1 and fmt[1] == 1 and fmt[5] == 16, "need 16-bit PCM mono"
    return fmt[2], samples


def wav_header(tag, channels, rate, bits, data_bytes, riff_size=None):
    block = channels * bits // 8
    riff = 36 + data_bytes if riff_size is None else riff_size
    return (b"RIFF" + struct.pack("<I", riff & 0xFFFFFFFF) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, tag, channels, rate, rate * block, block, bits)
            + b"data" + struct.pack("<I", data_bytes & 0xFFFFFFFF))


def float_wav(rate, values):
    body = struct.pack(f"<{len(values)}f", *values)
    return wav_header(3, 1, rate, 32, len(body)) + body


# --- weights files: walk the header as docs/weights-format.md describes, patch, fix length and CRC ---
class Cursor:
    def __init__(self, data, pos):
        self.d, self.p = data, pos

    def u32(self):
        v = struct.unpack_from("<I", self.d, self.p)[0]
        self.p += 4
        return v

    def u64(self):
        v = struct.unpack_from("<Q", self.d, self.p)[0]
        self.p += 8
        return v

    def skip(self, n):
        self.p += n

    def s(self):
        n = struct.unpack_from("<H", self.d, self.p)[0]
        v = self.d[self.p + 2:self.p + 2 + n].decode()
        self.p += 2 + n
        return v


def weights_layout(data):
    """Offsets of interest: extractor version field, model card (length field), tensors {name: (offset, count)}."""
    version = struct.unpack_from("<I", data, 8)[0]
    c = Cursor(data, 32)
    c.s(); c.s(); c.u32(); c.s()
    extractor_at = c.p
    c.u32(); c.u32(); c.u32()
    for _ in range(c.u32()):
        c.s()
    norm = c.u32()
    if norm == 2:
        c.u32()
    if version == 2:
        c.skip(4 * c.u32())
    card_at = c.p
    c.skip(c.u32())
    for _ in range(c.u32()):
        for _ in range(c.u32()):
            c.u32()
            c.skip(4 * c.u32())
            c.skip(4 * c.u32())
    tensors = {}
    for _ in range(c.u32()):
        name = c.s()
        c.u32()
        dims = [c.u32() for _ in range(c.u32())]
        count = 1
        for d in dims:
            count *= d
        tensors[name] = (c.u64(), count)
    return extractor_at, card_at, tensors


def finish_weights(data):
    data = bytearray(data)
    struct.pack_into("<Q", data, 16, len(data))
    struct.pack_into("<I", data, 24, zlib.crc32(bytes(data[32:])) & 0xFFFFFFFF)
    return bytes(data)


def replace_card(data, card):
    """The weights with their model card replaced (header length and tensor offsets shifted by 64-byte blocks)."""
    _, card_at, tensors = weights_layout(data)
    old = struct.unpack_from("<I", data, card_at)[0]
    new = card.encode()
    delta = len(new) - old
    pad = (-delta) % 64
    header_len = struct.unpack_from("<I", data, 12)[0]
    header = bytearray(data[:card_at] + struct.pack("<I", len(new)) + new + data[card_at + 4 + old:header_len])
    struct.pack_into("<I", header, 12, header_len + delta)
    # Tensor offsets: rewrite every u64 offset of the descriptor table by the shift of the data block.
    shift = delta + pad
    c = Cursor(bytes(header), card_at + 4 + len(new))
    for _ in range(c.u32()):
        for _ in range(c.u32()):
            c.u32()
            c.skip(4 * c.u32())
            c.skip(4 * c.u32())
    for _ in range(c.u32()):
        c.s()
        c.u32()
        c.skip(4 * c.u32())
        off = struct.unpack_from("<Q", header, c.p)[0]
        struct.pack_into("<Q", header, c.p, off + shift)
        c.p += 8
    body = data[header_len:]
    return finish_weights(bytes(header) + b"\0" * pad + body)


def main():
    out, wav, model = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    rate, pcm = read_wav16(wav)
    floats = [s / 32768.0 for s in pcm]

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    for tag, value in (("1e20", 1e20), ("3e38", 3e38)):
        huge = list(floats)
        huge[len(huge) // 2] = value
        write(f"float-huge-{tag}.wav", float_wav(rate, huge))
        write(f"float-huge-{tag}.f32", struct.pack(f"<{len(huge)}f", *huge))

    original = open(wav, "rb").read()
    low = bytearray(original)
    struct.pack_into("<II", low, 24, 16, 16 * 2)  # sample rate 16 Hz, byte rate 32
    write("rate-16hz.wav", bytes(low))
    write("empty-data.wav", wav_header(1, 1, rate, 16, 0))
    # A streaming writer's header: sizes unknown (0xFFFFFFFF); the data follows on the pipe.
    write("streaming-header.wav", wav_header(1, 1, rate, 16, 0xFFFFFFFF, riff_size=0xFFFFFFFF))
    # A valid 2 GiB WAV (16-bit 16 kHz mono, 18.6 hours of silence), sparse on disk.
    big_bytes = 2 * 1024 ** 3 - 44
    with open(os.path.join(out, "valid-2gib.wav"), "wb") as f:
        f.write(wav_header(1, 1, 16000, 16, big_bytes))
        f.truncate(44 + big_bytes)

    weights = open(model, "rb").read()
    extractor_at, _, tensors = weights_layout(weights)
    name = next(n for n in tensors if n.endswith(".weight"))
    offset, _ = tensors[name]
    patched = bytearray(weights)
    struct.pack_into("<f", patched, offset, 1e38)
    write("weights-1e38.emow", finish_weights(patched))
    other = bytearray(weights)
    struct.pack_into("<I", other, extractor_at, 99)
    write("weights-extractor-v99.emow", finish_weights(other))
    # A model card that is not JSON: a long run of lines whose first token is a misspelt literal.
    write("weights-bad-card.emow", replace_card(weights, '{"notes": tpue,\n' + "\n".join(f'"line {i}": "{"x" * 60}",' for i in range(80)) + "\n}"))

    if len(sys.argv) > 4:
        profile = json.load(open(sys.argv[4]))
        profile["mean"][0] = 1e308
        with open(os.path.join(out, "profile-1e308.json"), "w") as f:
            json.dump(profile, f)


if __name__ == "__main__":
    main()
