#!/usr/bin/env bash
# Container entry point: runs the HTTP service (emoser-serve, which `emoser serve` runs) on port 5000 of all
# interfaces (asked for explicitly: the server's default is loopback) with the models volume, and with the dataset
# when one is present (baked in with EMODB=1, or mounted at /data). Extra arguments are passed on.
# Listening beyond loopback needs an API key: set EMOSER_API_KEY (read by the server) or EMOSER_API_KEY_FILE (a file,
# e.g. a Docker secret, passed as --api-key-file); without one the server refuses to start (or pass --insecure).
# EMOSER_DRY_RUN=1 prints the command instead of running it (used by the tests).
set -euo pipefail
app="${EMOSER_APP:-/app}"
data_root="${EMOSER_DATA:-/data}"
models="${EMOSER_MODELS:-/models}"
args=(--urls "${EMOSER_URLS:-http://0.0.0.0:5000}" --models-dir "$models" --trainer "$app/emoser-train")
if [ -n "${EMOSER_API_KEY_FILE:-}" ]; then
  args+=(--api-key-file "$EMOSER_API_KEY_FILE")
fi
for candidate in "$data_root/emodb/wav" "$data_root/wav" "$data_root"; do
  if compgen -G "$candidate/*.wav" >/dev/null; then
    args+=(--data "$candidate")
    break
  fi
done
if [ -f "$models/current.emow" ]; then
  args+=(--model "$models/current.emow")
fi
if [ "${EMOSER_DRY_RUN:-0}" = 1 ]; then
  echo "$app/emoser-serve ${args[*]} $*"
  exit 0
fi
exec "$app/emoser-serve" "${args[@]}" "$@"
