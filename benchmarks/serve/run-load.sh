#!/usr/bin/env bash
# Load test of `emoser serve` on loopback: starts the server (the AOT emoser-serve from artifacts/native/linux-x64 when
# present, else the Release build), POSTs a 3 s Emo-DB clip for 30 s from 16 connections, then reads the server's
# RSS before and after 10,000 more requests, and stops everything. Bounded: the client stops by itself.
# Usage: benchmarks/serve/run-load.sh [SECONDS] [CONNECTIONS] [RSS_REQUESTS] [RSS_CLIP_SECONDS]
#   EMOSER_SERVE_ARGS: extra `emoser serve` options, e.g. EMOSER_SERVE_ARGS=--single-pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"; connections="${2:-16}"; rss_requests="${3:-10000}"; rss_clip="${4:-3}"
emodb="${EMOSER_EMODB:-../shared/data/emodb/wav}"
port="${EMOSER_LOAD_PORT:-5099}"
bin=artifacts/native/linux-x64/emoser-serve
if [ ! -x "$bin" ]; then
  dotnet build src/EmoSer.Serve -c Release --nologo -v q >/dev/null
  bin=src/EmoSer.Serve/bin/Release/net10.0/emoser-serve
fi
# The load client is one client: the per-client upload limit (120 a minute by default) is off for it.
# A clip of at least 3 s: the first Emo-DB file that long (16-bit mono, 16 kHz: 96,044 bytes).
wav=$(find "$emodb" -name '*.wav' -size +100k | sort | head -1)
[ -n "$wav" ] || { echo "run-load: no Emo-DB file of 3 s or more in $emodb" >&2; exit 1; }
models=$(mktemp -d)
read -r -a serve_args <<< "${EMOSER_SERVE_ARGS:-}"
"$bin" --urls "http://127.0.0.1:$port" --models-dir "$models" --max-queue 256 --uploads-per-minute 0 "${serve_args[@]}" >"$models/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$models"' EXIT
for _ in $(seq 100); do
  bash scripts/docker/healthcheck.sh "$port" 2>/dev/null && break
  sleep 0.1
done
echo "server: $bin ${serve_args[*]} (pid $server), clip: $wav; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet run benchmarks/serve/LoadClient.cs -c Release -- --url "http://127.0.0.1:$port" --wav "$wav" --clip 3 \
  --connections "$connections" --seconds "$seconds" --rss-pid "$server" --rss-requests "$rss_requests" --rss-clip "$rss_clip"
