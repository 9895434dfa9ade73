#!/usr/bin/env python3
"""Builds the emoser wheel from this repository with the standard library alone (no network, no build backend):
the package python/emoser, the libemoser.so given (scripts/publish-native.sh makes it), LICENSE, and metadata.

    python3 python/build_wheel.py --library artifacts/native/linux-x64/libemoser.so --out artifacts/python

The wheel is tagged py3-none-linux_<machine of the library> and is byte-for-byte reproducible (fixed timestamps).
"""
import argparse
import base64
import hashlib
import os
import re
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCH = (2026, 1, 1, 0, 0, 0)
ELF_MACHINES = {62: "x86_64", 183: "aarch64"}


def version() -> str:
    with open(os.path.join(ROOT, "include", "emoser.h"), encoding="utf-8") as header:
        match = re.search(r'#define EMOSER_VERSION_STRING "([^"]+)"', header.read())
    if not match:
        sys.exit("build_wheel: EMOSER_VERSION_STRING not found in include/emoser.h")
    return match.group(1)


def machine(library: str) -> str:
    with open(library, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        sys.exit(f"build_wheel: {library} is not an ELF shared library")
    code = int.from_bytes(head[18:20], "little")
    if code not in ELF_MACHINES:
        sys.exit(f"build_wheel: {library}: unsupported ELF machine {code}")
    return ELF_MACHINES[code]


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, help="libemoser.so to bundle")
    parser.add_argument("--out", required=True, help="folder to write the wheel to")
    args = parser.parse_args()

    v, arch = version(), machine(args.library)
    tag = f"py3-none-linux_{arch}"
    dist = f"emoser-{v}.dist-info"
    with open(os.path.join(ROOT, "python", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        "Name: emoser",
        f"Version: {v}",
        "Summary: Speech emotion recognition: Python bindings of libemoser (EmoSer's native runtime)",
        "License: MIT (the code); the bundled model's licence follows its training data (see LICENSE)",
        "Requires-Python: >=3.9",
        "Requires-Dist: numpy",
        "Description-Content-Type: text/markdown",
        "", readme])
    files = []
    package = os.path.join(ROOT, "python", "emoser")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            with open(os.path.join(package, name), "rb") as f:
                files.append((f"emoser/{name}", f.read(), 0o644))
    with open(args.library, "rb") as f:
        files.append(("emoser/libemoser.so", f.read(), 0o755))
    with open(os.path.join(ROOT, "LICENSE"), "rb") as f:
        files.append((f"{dist}/LICENSE", f.read(), 0o644))
    files.append((f"{dist}/METADATA", metadata.encode(), 0o644))
    files.append((f"{dist}/WHEEL", f"Wheel-Version: 1.0\nGenerator: emoser build_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n".encode(), 0o644))
    files.append((f"{dist}/top_level.txt", b"emoser\n", 0o644))
    record = "\n".join([record_line(n, d) for n, d, _ in files] + [f"{dist}/RECORD,,", ""])
    files.append((f"{dist}/RECORD", record.encode(), 0o644))

    os.makedirs(args.out, exist_ok=True)
    wheel = os.path.join(args.out, f"emoser-{v}-{tag}.whl")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(wheel)


if __name__ == "__main__":
    main()
