#!/usr/bin/env bash
# Packs EmoSer.Runtime into artifacts/nuget (EmoSer.Runtime.<version>.nupkg: the DLL with its PDB embedded and source
# link, the XML docs, README.md) and builds and runs examples/nuget, a program that consumes that package.
# The source link points at $EMOSER_REPOSITORY_URL, else the git remote 'origin' when it is on GitHub, else
# https://github.com/emoser/emoser (the project's public location is not fixed yet: set EMOSER_REPOSITORY_URL).
# Usage: scripts/pack-nuget.sh [AUDIO...]   (default: examples/audio/sample.wav and the FLAC and AIFF test fixtures)
set -euo pipefail
cd "$(dirname "$0")/.."
origin="$(git remote get-url origin 2>/dev/null || true)"
case "$origin" in
  https://github.com/*|git@github.com:*) url="${EMOSER_REPOSITORY_URL:-}" ;;
  *) url="${EMOSER_REPOSITORY_URL:-https://github.com/emoser/emoser}" ;;
esac
rm -rf artifacts/nuget examples/nuget/bin examples/nuget/obj
dotnet pack src/EmoSer.Runtime -c Release -o artifacts/nuget --nologo -p:EmoSerSourceLink=true ${url:+-p:EmoSerRepositoryUrl=$url}
ls -l artifacts/nuget
# The sample restores EmoSer.Runtime from artifacts/nuget only (examples/nuget/NuGet.config), into its own folder.
dotnet build examples/nuget -c Release --nologo
audio=("$@")
[ ${#audio[@]} -gt 0 ] || audio=(examples/audio/sample.wav tests/fixtures/audio/flac-16-mono.flac tests/fixtures/audio/aiff-24-stereo.aiff)
dotnet examples/nuget/bin/Release/net10.0/EmoSer.NuGetSample.dll weights/model-a.emow "${audio[@]}" | tee artifacts/nuget/sample-output.txt
