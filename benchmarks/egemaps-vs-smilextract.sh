#!/usr/bin/env bash
# eGeMAPSv02 over a whole corpus: one `emoser features --set egemaps` process over every file, pinned to one core,
# against SMILExtract run once per file as it is used (`SMILExtract -C eGeMAPSv02.conf -I f.wav -csvoutput ...`),
# pinned to the same core, in the same run. Prints wall and CPU time per file and the speed-up.
#
# SMILExtract is not packaged for Debian, npm or NuGet; set SMILEXTRACT to a binary built from audeering/opensmile
# (v3.0.2, build.sh) and OPENSMILE_CONFIG to its config/egemaps/v02/eGeMAPSv02.conf to compare side by side.
# Without it the script says so and compares with the reference figure of the issue: 60 ms per Emo-DB file.
#
# Usage: benchmarks/egemaps-vs-smilextract.sh [WAV_DIR]   (default: $EMOSER_EMODB or ../shared/data/emodb/wav)
# EMOSER: the emoser to time (default: artifacts/native/linux-x64/emoser if published, else a Release build).
# EMOSER_BASELINE: another emoser (e.g. main's, published the same way) to time against EMOSER in the same run,
# ROUNDS times (default 3), the two alternating so that load changes hit both; prints user+sys CPU per file of each
# round and the medians, and checks that both wrote the same CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${EMOSER_EMODB:-../shared/data/emodb/wav}}"
core="${BENCH_CORE:-0}"
nice="${BENCH_NICE:-10}"   # the machine is shared: niced, so CPU time is the steadier figure under load
reference_ms=60

mapfile -t files < <(find "$dir" -maxdepth 1 -name '*.wav' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "egemaps-vs-smilextract: no .wav files in $dir" >&2; exit 1; }

if [ -z "${EMOSER:-}" ]; then
  if [ -x artifacts/native/linux-x64/emoser ]; then
    EMOSER=artifacts/native/linux-x64/emoser
  else
    dotnet build src/EmoSer.Edge -c Release --nologo -v q >/dev/null
    EMOSER=src/EmoSer.Edge/bin/Release/net10.0/emoser
  fi
fi
seconds=$(python3 - "${files[@]}" <<'EOF'
import sys, wave
print(f"{sum(wave.open(f).getnframes() / wave.open(f).getframerate() for f in sys.argv[1:]):.1f}")
EOF
)
echo "== ${#files[@]} files, ${seconds} s of audio, core ${core}, load $(cut -d' ' -f1-3 /proc/loadavg)"

out=$(mktemp)
trap 'rm -f "$out" "$out.smile" "$out.time" "$out.EMOSER" "$out.EMOSER_BASELINE"' EXIT

# One process for all files (the way emoser is meant to be used on a corpus).
/usr/bin/time -f '%e %U %S' -o "$out.time" nice -n "$nice" taskset -c "$core" "$EMOSER" features --set egemaps --format csv "${files[@]}" > "$out"
read -r wall user sys < "$out.time"
rows=$(($(wc -l < "$out") - 1))
[ "$rows" -eq "${#files[@]}" ] || { echo "egemaps-vs-smilextract: emoser wrote $rows rows for ${#files[@]} files" >&2; exit 1; }
emoser_wall_ms=$(python3 -c "print(f'{1000*$wall/${#files[@]}:.2f}')")
emoser_cpu_ms=$(python3 -c "print(f'{1000*($user+$sys)/${#files[@]}:.2f}')")
echo "emoser ($EMOSER): wall ${wall} s (${emoser_wall_ms} ms/file), CPU $(python3 -c "print(f'{$user+$sys:.2f}')") s (${emoser_cpu_ms} ms/file)"

if [ -n "${EMOSER_BASELINE:-}" ]; then
  declare -A cpu=()
  for round in $(seq 1 "${ROUNDS:-3}"); do
    for which in EMOSER EMOSER_BASELINE; do
      /usr/bin/time -f '%e %U %S' -o "$out.time" nice -n "$nice" taskset -c "$core" "${!which}" features --set egemaps --format csv "${files[@]}" > "$out.$which"
      read -r w u s < "$out.time"
      ms=$(python3 -c "print(f'{1000*($u+$s)/${#files[@]}:.2f}')")
      cpu[$which]+="$ms "
      echo "round $round $which (${!which}): CPU ${ms} ms/file (user $u s, sys $s s), wall $(python3 -c "print(f'{1000*$w/${#files[@]}:.2f}')") ms/file, load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  cmp -s "$out.EMOSER" "$out.EMOSER_BASELINE" && same="byte-identical CSV" || same="the CSVs DIFFER"
  rm -f "$out.EMOSER" "$out.EMOSER_BASELINE"
  python3 -c "import statistics as s; a=s.median(map(float,'${cpu[EMOSER]}'.split())); b=s.median(map(float,'${cpu[EMOSER_BASELINE]}'.split())); print(f'median CPU per file: EMOSER {a:.2f} ms, EMOSER_BASELINE {b:.2f} ms ({b/a:.2f}x); $same')"
fi

if [ -n "${SMILEXTRACT:-}" ] && [ -x "${SMILEXTRACT}" ] && [ -f "${OPENSMILE_CONFIG:-}" ]; then
  /usr/bin/time -f '%e %U %S' -o "$out.time" bash -c '
    for f in "$@"; do nice -n '"$nice"' taskset -c '"$core"' "'"$SMILEXTRACT"'" -C "'"$OPENSMILE_CONFIG"'" -I "$f" -csvoutput "'"$out.smile"'" -appendcsv 1 -instname "$f" -nologfile 1 -loglevel 0 >/dev/null 2>&1; done' _ "${files[@]}"
  read -r swall suser ssys < "$out.time"
  smile_ms=$(python3 -c "print(f'{1000*$swall/${#files[@]}:.2f}')")
  smile_cpu_ms=$(python3 -c "print(f'{1000*($suser+$ssys)/${#files[@]}:.2f}')")
  echo "SMILExtract ($SMILEXTRACT), once per file: wall ${swall} s (${smile_ms} ms/file), CPU ${smile_cpu_ms} ms/file"
  python3 -c "print(f'speed-up: wall {$swall/$wall:.1f}x, CPU {($suser+$ssys)/($user+$sys):.1f}x; goal 20x')"
else
  echo "SMILExtract is absent (set SMILEXTRACT and OPENSMILE_CONFIG to time it side by side); reference: ${reference_ms} ms per Emo-DB file (issue 16)"
  python3 -c "print(f'speed-up against {$reference_ms} ms/file: wall {$reference_ms/$emoser_wall_ms:.1f}x, CPU {$reference_ms/$emoser_cpu_ms:.1f}x; goal 20x')"
fi
