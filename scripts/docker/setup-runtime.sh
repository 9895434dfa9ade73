#!/usr/bin/env bash
# Docker runtime stage: the writable folders the non-root user needs. Usage: setup-runtime.sh [ROOT] [USER]
# ROOT (default /) lets the tests run it into a temporary folder.
set -euo pipefail
root="${1:-/}"
user="${2:-app}"
for d in data models; do
  mkdir -p "$root/$d"
  if id -u "$user" >/dev/null 2>&1; then chown "$user:$user" "$root/$d"; fi
  chmod 0775 "$root/$d"
done
echo "setup-runtime: $root/data and $root/models ready for $user"
