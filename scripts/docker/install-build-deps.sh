#!/usr/bin/env bash
# Docker build stage: the Debian packages native AOT linking needs (clang, lld, zlib).
# Idempotent, and a no-op when they are present (as on CI, where scripts/ci/install-packages.sh installs them).
set -euo pipefail
packages=(clang lld zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-build-deps: all present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
rm -rf /var/lib/apt/lists/*
