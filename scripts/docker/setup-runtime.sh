#!/usr/bin/env bash
# Docker runtime stage: ffmpeg, so uploads in MP3, Ogg, M4A or WebM decode (docs/audio-input.md), and the writable
# folders the non-root user needs. Usage: setup-runtime.sh [ROOT] [USER] [FFMPEG]
# ROOT (default /) lets the tests run it into a temporary folder; packages are installed only into / .
# FFMPEG: 1 (default) installs Debian's ffmpeg; 0 leaves it out (a smaller image: WAV, AIFF and FLAC only).
set -euo pipefail
root="${1:-/}"
user="${2:-app}"
ffmpeg="${3:-1}"
case "$ffmpeg" in
  0|1) ;;
  *) echo "setup-runtime: FFMPEG must be 0 or 1, got '$ffmpeg'" >&2; exit 2 ;;
esac
if [ "$ffmpeg" = 1 ] && [ "$root" = / ]; then
  if command -v ffmpeg >/dev/null 2>&1; then
    echo "setup-runtime: ffmpeg present"
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -q
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends ffmpeg
    rm -rf /var/lib/apt/lists/*
  fi
fi
for d in data models; do
  mkdir -p "$root/$d"
  if id -u "$user" >/dev/null 2>&1; then chown "$user:$user" "$root/$d"; fi
  chmod 0775 "$root/$d"
done
echo "setup-runtime: $root/data and $root/models ready for $user"
