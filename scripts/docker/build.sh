#!/usr/bin/env bash
# Docker build stage: builds the application layout into OUT (default /out/app):
#   OUT/emoser            native AOT command line, via scripts/publish-native.sh
#   OUT/emoser-serve      native AOT HTTP service (the container runs it; `emoser serve` runs it too)
#   OUT/trainer/          emoser-train, self-contained (TorchSharp + libtorch)
#   OUT/emoser-train      symlink to trainer/emoser-train (emoser-serve looks for it next to itself)
#   OUT/healthcheck.sh, OUT/entrypoint.sh
# Usage: scripts/docker/build.sh [OUT] [RID]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-/out/app}"
rid="${2:-linux-x64}"
bash scripts/publish-native.sh "$rid"
mkdir -p "$out/trainer"
cp "artifacts/native/$rid/emoser" "artifacts/native/$rid/emoser-serve" "$out/"
dotnet publish src/EmoSer.Trainer -c Release -r "$rid" --self-contained true -o "$out/trainer" --nologo
ln -sf trainer/emoser-train "$out/emoser-train"
# TorchSharp's shim needs its GLIBCXX requirement marked weak on Debian 12 (docs/torchsharp-glibcxx.md). The trainer
# does that to its own copy on first start; do it now, as root, so the non-root runtime user never has to.
"$out/trainer/emoser-train" --help >/dev/null
install -m 0755 scripts/docker/healthcheck.sh scripts/docker/entrypoint.sh "$out/"
echo "build: $(du -sh "$out" | cut -f1) in $out"
