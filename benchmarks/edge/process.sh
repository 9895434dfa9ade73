#!/usr/bin/env bash
# Whole-process figures of the native `emoser` (issue 4 must-show 3, issue 2 must-show 4):
#   binary size; wall time (hyperfine) and peak RSS (/usr/bin/time) of `emoser classify` and `emoser features`
#   on one ~3 s 16 kHz Emo-DB utterance. Targets: classify <= 30 ms wall and <= 30 MB RSS, binary <= 20 MB.
# Usage: benchmarks/edge/process.sh [emoser binary]   (default: artifacts/native/linux-x64/emoser)
# Needs: hyperfine, time (apt-get install hyperfine time), the Emo-DB corpus ($EMOSER_EMODB or ../shared/data/emodb/wav).
set -euo pipefail
cd "$(dirname "$0")/../.."
exe="${1:-artifacts/native/linux-x64/emoser}"
[ -x "$exe" ] || { echo "process: $exe not found (run scripts/publish-native.sh linux-x64)" >&2; exit 2; }
emodb="${EMOSER_EMODB:-../shared/data/emodb/wav}"
read -r -a extra <<< "${EMOSER_ARGS:-}"

# The utterance whose duration is closest to 3 s.
file=$(python3 - "$emodb" <<'PY'
import os, sys, wave
d = sys.argv[1]
best = min((abs(wave.open(os.path.join(d, f)).getnframes() / 16000 - 3.0), f) for f in os.listdir(d) if f.endswith('.wav'))
print(os.path.join(d, best[1]))
PY
)
dur=$(python3 -c "import wave,sys; w=wave.open(sys.argv[1]); print(f'{w.getnframes()/w.getframerate():.3f}')" "$file")
size=$(stat -c %s "$exe")
echo "binary: $exe $size bytes = $(python3 -c "print(f'{$size/1048576:.2f}')") MiB"
echo "input: $file ($dur s)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

peak_rss() {  # max RSS in KB over 20 runs: min and max
  local runs=() kb
  for _ in $(seq 20); do
    kb=$( { /usr/bin/time -f "%M" "$@" > /dev/null; } 2>&1 | tail -1 )
    runs+=("$kb")
  done
  printf '%s\n' "${runs[@]}" | sort -n | awk '{a[NR]=$1} END {printf "peak RSS over %d runs: min %d KB, median %d KB, max %d KB (%.1f MB)\n", NR, a[1], a[int((NR+1)/2)], a[NR], a[NR]/1024}'
}

for cmd in "classify" "classify --json" "features"; do
  read -r -a words <<< "$cmd"
  args=("${words[@]}")
  [ "${words[0]}" = classify ] && args+=("${extra[@]}")
  echo
  echo "== emoser $cmd <3 s file>"
  hyperfine -N --warmup 5 --runs 50 --style basic "$exe ${args[*]} $file" 2>&1 | grep -E "Time|Range"
  peak_rss "$exe" "${args[@]}" "$file"
done
