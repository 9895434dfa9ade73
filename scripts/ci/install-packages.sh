#!/usr/bin/env bash
# Installs the Debian packages that the build and the tests need:
#   - clang, lld, llvm: native AOT linking (linux-x64 and the linux-arm64 cross build)
#   - gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, binutils-aarch64-linux-gnu: arm64 sysroot, objcopy, C examples
#   - qemu-user-static: runs the arm64 binaries and C examples on x64
#   - chromium: the browser test of the web page
#   - make, gcc: the C examples and tests
#   - sox, flac, ffmpeg: make the AIFF/FLAC/MP3/Ogg/M4A/WebM files the decoder tests compare (ffmpeg is also the
#     CLI's and serve's decoder of the compressed formats)
#   - python3, python3-numpy, python3-pip: the Python package's tests (pip installs the wheel offline)
#   - afl++: afl-fuzz for the fuzz targets (scripts/fuzz/run.sh, a short bounded run in CI)
#   - nodejs, npm (only when no npm is on PATH: a NodeSource node already bundles npm and conflicts with Debian's):
#     playwright-core drives chromium in the web page test
# Idempotent: packages already present are not reinstalled, and apt-get update runs only when something is missing.
set -euo pipefail
packages=(clang lld llvm gcc make gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-user-static chromium zlib1g-dev
  sox flac ffmpeg python3 python3-numpy python3-pip afl++)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-packages: all ${#packages[@]} packages and npm present"
  exit 0
fi
echo "install-packages: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
