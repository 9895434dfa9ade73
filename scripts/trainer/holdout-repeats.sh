#!/usr/bin/env bash
# Repeated stratified holdout: Model A (emoser-train) and the issue's reference classifiers (baselines.py) on the
# same splits, one per --random-state. One split of 107 test utterances moves by ~3 points with the split alone.
# Usage: scripts/trainer/holdout-repeats.sh OUT_DIR "1 2 3" [extra emoser-train fit options...]
# PYTHON names a python3 with numpy and scikit-learn (Debian: /usr/bin/python3 with python3-sklearn).
set -euo pipefail
out=${1:?out dir}; states=${2:?random states}; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${EMOSER_EMODB:-$root/../shared/data/emodb/wav}
train=$root/src/EmoSer.Trainer/bin/Release/net10.0/emoser-train
emoser=$root/src/EmoSer.Edge/bin/Release/net10.0/emoser
[ -x "$train" ] || dotnet build "$root/src/EmoSer.Trainer" -c Release >/dev/null
[ -x "$emoser" ] || dotnet build "$root/src/EmoSer.Edge" -c Release >/dev/null
mkdir -p "$out"
[ -s "$out/features.jsonl" ] || "$emoser" features "$data"/*.wav > "$out/features.jsonl"
for rs in $states; do
  "$train" fit --data "$data" --protocol holdout --random-state "$rs" --out "$out/rs$rs" "$@" > "$out/rs$rs.log" 2>&1
  "${PYTHON:-python3}" "$root/scripts/trainer/baselines.py" "$out/rs$rs/report.json" "$out/features.jsonl"
done
