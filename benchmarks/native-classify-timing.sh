#!/usr/bin/env bash
# Per-call time of emoser_classify_s16 on a 3 s utterance, measured from C (examples/c/timing.c: median of 1000
# calls after 20 warm-up calls) beside the same work measured from C# (BenchmarkDotNet, ClassifyS16Benchmarks:
# s16 -> float and EmotionClassifier.Classify, the body of the export). Also prints the library's size.
# Needs artifacts/native/linux-x64/libemoser.so (scripts/publish-native.sh linux-x64).
# Usage: benchmarks/native-classify-timing.sh [FILE.wav]   (default: Emo-DB 03a05Aa.wav, 3.09 s)
set -euo pipefail
cd "$(dirname "$0")/.."
wav="${1:-${EMOSER_EMODB:-../shared/data/emodb/wav}/03a05Aa.wav}"
lib=artifacts/native/linux-x64
[ -f "$lib/libemoser.so" ] || { echo "native-classify-timing: $lib/libemoser.so not found; run scripts/publish-native.sh linux-x64" >&2; exit 1; }
echo "== library size"
ls -l "$lib/libemoser.so" artifacts/native/linux-arm64/libemoser.so 2>/dev/null || true
echo "== C: examples/c/timing.c"
make -s -C examples/c
examples/c/build/linux-x64/timing --iterations 1000 --seconds 3 "$wav"
examples/c/build/linux-x64/timing --iterations 1000 --seconds 3 --single-pass "$wav"
echo "== C#: BenchmarkDotNet ClassifyS16Benchmarks"
EMOSER_TIMING_WAV="$(realpath "$wav")" dotnet run -c Release --project benchmarks/EmoSer.Benchmarks -- \
  --filter '*ClassifyS16Benchmarks*' --job short --inProcess --iterationCount 30 --warmupCount 5
