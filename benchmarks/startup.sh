#!/usr/bin/env bash
# Start-up of the emoser binary against a reference build, side by side in one hyperfine run (issue 17):
#   version         `emoser version`: start-up alone
#   classify        `emoser classify --model MODEL CLIP`: start-up plus a 3 s clip, the same weights file for both
#   classify-default `emoser classify CLIP`: each binary's own default model (they differ when the shipped model
#                   changed between the two builds: then this pair compares different work)
# Prints hyperfine's table, then each ratio (candidate / reference) of the mean, median and CPU time.
# Usage: benchmarks/startup.sh [REFERENCE [CANDIDATE]]
#   REFERENCE  the emoser binary to compare with (or $EMOSER_REFERENCE; default ../baseline/native/linux-x64/emoser,
#              the binary of issue 17's time when it is there), e.g. one built from an older commit
#   CANDIDATE  the binary under test (or $EMOSER_CANDIDATE; default artifacts/native/linux-x64/emoser)
#   EMOSER_STARTUP_WAV  the clip (default: the first Emo-DB file of at least 3 s in $EMOSER_EMODB or ../shared)
#   EMOSER_STARTUP_MODEL the weights file of the classify pair (default weights/model-a.emow, the Emo-DB Model A)
#   EMOSER_STARTUP_RUNS runs per command (default 100), after 10 warm-up runs
# Run it niced on a shared machine (nice -n 10 bash benchmarks/startup.sh ...): both binaries see the same load.
set -euo pipefail
die() { echo "startup: $*" >&2; exit 2; }
# Paths given by the caller are relative to the caller's directory; the defaults to the repository root.
[ $# -ge 1 ] && set -- "$(realpath -m "$1")" "${@:2}"
[ $# -ge 2 ] && set -- "$1" "$(realpath -m "$2")"
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 is not installed"
reference="${1:-${EMOSER_REFERENCE:-../baseline/native/linux-x64/emoser}}"
candidate="${2:-${EMOSER_CANDIDATE:-artifacts/native/linux-x64/emoser}}"
[ -x "$reference" ] || die "$reference: no such executable: give the reference emoser binary (benchmarks/startup.sh REFERENCE [CANDIDATE], or EMOSER_REFERENCE)"
[ -x "$candidate" ] || die "$candidate: no such executable (scripts/publish-native.sh linux-x64 builds it)"
emodb="${EMOSER_EMODB:-../shared/data/emodb/wav}"
# 16-bit mono 16 kHz: 100 KB is 3.1 s.
wav="${EMOSER_STARTUP_WAV:-$(find "$emodb" -name '*.wav' -size +100k 2>/dev/null | sort | head -1)}"
[ -n "$wav" ] && [ -f "$wav" ] || die "no clip: set EMOSER_STARTUP_WAV, or EMOSER_EMODB to a folder with a WAV of 3 s or more"
model="${EMOSER_STARTUP_MODEL:-weights/model-a.emow}"
[ -f "$model" ] || die "$model: no such weights file (set EMOSER_STARTUP_MODEL)"
runs="${EMOSER_STARTUP_RUNS:-100}"
for bin in "$reference" "$candidate"; do
  "$bin" classify --model "$model" "$wav" >/dev/null || die "$bin classify --model $model $wav failed"
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "reference: $reference ($(stat -c %s "$reference") bytes)"
echo "candidate: $candidate ($(stat -c %s "$candidate") bytes)"
echo "clip: $wav; model: $model; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$out/startup.json" \
  -n "reference version" "$reference version" \
  -n "candidate version" "$candidate version" \
  -n "reference classify" "$reference classify --model $model $wav" \
  -n "candidate classify" "$candidate classify --model $model $wav" \
  -n "reference classify-default" "$reference classify $wav" \
  -n "candidate classify-default" "$candidate classify $wav"
python3 - "$out/startup.json" <<'PY'
import json, sys
r = {b["command"]: b for b in json.load(open(sys.argv[1]))["results"]}
print()
for what in ("version", "classify", "classify-default"):
    ref, cand = r["reference " + what], r["candidate " + what]
    print(f"{what:16s}  mean {cand['mean']*1e3:6.1f} / {ref['mean']*1e3:6.1f} ms = {cand['mean']/ref['mean']:.2f}x   "
          f"median {cand['median']*1e3:6.1f} / {ref['median']*1e3:6.1f} ms = {cand['median']/ref['median']:.2f}x   "
          f"user+sys {(cand['user']+cand['system'])*1e3:5.1f} / {(ref['user']+ref['system'])*1e3:5.1f} ms = "
          f"{(cand['user']+cand['system'])/(ref['user']+ref['system']):.2f}x")
PY
