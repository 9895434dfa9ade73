#!/usr/bin/env bash
# Publishes the native AOT artifacts for one runtime identifier into artifacts/native/<rid>/:
#   emoser (the CLI), emoser-serve (the HTTP service, which `emoser serve` runs) and libemoser.so (the C library).
# Usage: scripts/publish-native.sh linux-x64|linux-arm64
set -euo pipefail
cd "$(dirname "$0")/.."
rid="${1:?usage: publish-native.sh linux-x64|linux-arm64}"
out="artifacts/native/$rid"
extra=()
case "$rid" in
  linux-x64) ;;
  linux-arm64) extra=(-p:ObjCopyName=aarch64-linux-gnu-objcopy) ;;
  *) echo "publish-native: unsupported runtime '$rid'" >&2; exit 2 ;;
esac
mkdir -p "$out"
dotnet publish src/EmoSer.Edge -c Release -r "$rid" -p:PublishAot=true "${extra[@]}" -o "$out" --nologo
dotnet publish src/EmoSer.Serve -c Release -r "$rid" -p:PublishAot=true "${extra[@]}" -o "$out" --nologo
dotnet publish src/EmoSer.Native -c Release -r "$rid" -p:PublishAot=true "${extra[@]}" -o "$out" --nologo
# The C SDK beside libemoser.so: the header and a pkg-config file pointing at this folder.
mkdir -p "$out/include"
cp include/emoser.h "$out/include/"
abs="$(cd "$out" && pwd)"
version="$(sed -n 's/^#define EMOSER_VERSION_STRING "\(.*\)"$/\1/p' include/emoser.h)"
sed -e "s|@prefix@|$abs|" -e "s|@libdir@|\${prefix}|" -e "s|@includedir@|\${prefix}/include|" -e "s|@version@|$version|" \
  src/EmoSer.Native/emoser.pc.in > "$out/emoser.pc"
ls -l "$out"
