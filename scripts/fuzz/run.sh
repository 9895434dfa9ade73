#!/usr/bin/env bash
# Runs fuzz targets under afl-fuzz for a bounded time each (docs/fuzzing.md), and fails when any input crashed,
# ran over 2 s (a hang) or allocated over 256 MB.
#   scripts/fuzz/run.sh SECONDS [TARGET...]     targets: wav weights profile (default: all three)
# EMOSER_FUZZ_OUT: output folder (default artifacts/fuzz): bin/ (the build, to replay inputs), afl/ (the same with its
# runtime instrumented for afl), <target>/ (afl's findings) and <target>.log.
# Needs afl-fuzz (Debian's afl++) and the dotnet SDK; the sharpfuzz instrumenter is a local tool (.config/dotnet-tools.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:?usage: run.sh SECONDS [wav|weights|profile...]}"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wav weights profile)
out="${EMOSER_FUZZ_OUT:-artifacts/fuzz}"
command -v afl-fuzz >/dev/null || { echo "fuzz: afl-fuzz not found (Debian package afl++; scripts/ci/install-packages.sh installs it)" >&2; exit 1; }

# A fresh build, and a copy whose runtime is instrumented for afl (coverage; instrumenting twice would fail, and the
# instrumented code runs only under afl, so crashes are replayed with the plain build).
rm -rf "$out/bin" "$out/afl"
dotnet publish fuzz/EmoSer.Fuzz -c Release -o "$out/bin" --nologo -v q >/dev/null
cp -r "$out/bin" "$out/afl"
dotnet tool restore >/dev/null
dotnet tool run sharpfuzz "$out/afl/EmoSer.Runtime.dll" >/dev/null

status=0
for target in "${targets[@]}"; do
  findings="$out/$target"
  rm -rf "$findings"
  # 2 s per input (afl's hang timeout); a GC heap of 256 MB, beyond which the runtime throws (a crash) and the
  # target's own check of each input's allocations; afl may run its fork server on any core (others are busy).
  env AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
      AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_GCHeapHardLimit=0x10000000 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    afl-fuzz -i "fuzz/corpus/$target" -o "$findings" -x "fuzz/dict/$target.dict" -t 2000 -m none -V "$seconds" \
      -- dotnet "$out/afl/emoser-fuzz.dll" "$target" >"$findings.log" 2>&1 || { echo "fuzz: afl-fuzz failed for $target (log: $findings.log)" >&2; tail -20 "$findings.log" >&2; status=1; continue; }
  stats="$findings/default/fuzzer_stats"
  get() { sed -n "s/^$1 *: //p" "$stats"; }
  crashes=$(get saved_crashes); hangs=$(get saved_hangs)
  echo "fuzz $target: $(get run_time) s, $(get execs_done) inputs ($(get execs_per_sec)/s), corpus $(get corpus_count) (+$(get corpus_found) found), coverage $(get bitmap_cvg), crashes $crashes, hangs $hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    status=1
    # Replay what failed, for the message (add each input to fuzz/corpus/$target once fixed).
    for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
      [ -e "$f" ] && dotnet "$out/bin/emoser-fuzz.dll" "$target" --replay "$f" | head -1
    done
  fi
done
exit $status
