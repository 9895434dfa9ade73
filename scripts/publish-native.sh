#!/usr/bin/env bash
# Publishes the native AOT artifacts for one runtime identifier into artifacts/native/<rid>/:
#   emoser (the CLI and HTTP service) and libemoser.so (the C library).
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
dotnet publish src/EmoSer.Native -c Release -r "$rid" -p:PublishAot=true "${extra[@]}" -o "$out" --nologo
ls -l "$out"
