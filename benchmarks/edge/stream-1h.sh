#!/usr/bin/env bash
# `emoser stream` fed 1 hour (default; $1 minutes) of generated PCM through a pipe: peak RSS (VmHWM) after 1 minute and
# after 60 minutes of audio were consumed (they should be equal within noise: memory is constant), and the wall time.
# Usage: benchmarks/edge/stream-1h.sh [minutes] [emoser binary]   (default: artifacts/native/linux-x64/emoser)
# CHECKPOINTS overrides the RSS checkpoints (minutes, comma-separated; default "1,<minutes>").
# EMOSER_ARGS adds arguments to `emoser stream` (e.g. "--model weights/model-a.emow").
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes="${1:-60}"
exe="${2:-artifacts/native/linux-x64/emoser}"
[ -x "$exe" ] || { echo "stream-1h: $exe not found (run scripts/publish-native.sh linux-x64)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/pcm"
echo "stream-1h: $minutes min of generated 16 kHz s16le through a pipe into: $exe stream --raw --rate 16000 (window 3 s, hop 1 s)"
start=$(date +%s.%N)
read -r -a extra <<< "${EMOSER_ARGS:-}"
"$exe" stream --raw --rate 16000 "${extra[@]}" < "$work/pcm" > "$work/out.jsonl" &
emoser=$!
echo "$emoser" > "$work/pid"
python3 benchmarks/edge/pcm_generator.py --minutes "$minutes" --checkpoint-minutes "${CHECKPOINTS:-1,$minutes}" --pid-file "$work/pid" > "$work/pcm"
wait "$emoser"
end=$(date +%s.%N)
lines=$(wc -l < "$work/out.jsonl")
silent=$(grep -c '"silence":true' "$work/out.jsonl" || true)
python3 - "$start" "$end" "$minutes" "$lines" "$silent" <<'PY'
import sys
start, end, minutes, lines, silent = map(float, sys.argv[1:])
wall = end - start
print(f"stream-1h: {int(lines)} lines ({int(silent)} silence), wall {wall:.1f} s for {minutes:g} min of audio = {minutes * 60 / wall:.0f}x real time")
PY
