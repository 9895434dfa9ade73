#!/usr/bin/env bash
# Docker build stage: optionally downloads Emo-DB into DEST with the trainer's own downloader
# (atomic: no partial dataset is left behind). Usage: fetch-data.sh DEST 0|1 [TRAINER]
set -euo pipefail
dest="${1:?usage: fetch-data.sh DEST 0|1 [TRAINER]}"
download="${2:-0}"
trainer="${3:-/out/app/emoser-train}"
mkdir -p "$dest"
case "$download" in
  1|true|yes)
    "$trainer" dataset download emodb --to "$dest/emodb"
    echo "fetch-data: Emo-DB in $dest/emodb ($(find "$dest/emodb" -name '*.wav' | wc -l) wav files)"
    ;;
  0|false|no|"")
    echo "fetch-data: no dataset baked in (build with --build-arg EMODB=1, or mount one at /data)"
    ;;
  *) echo "fetch-data: EMODB must be 0 or 1, not '$download'" >&2; exit 2 ;;
esac
