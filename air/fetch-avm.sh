#!/usr/bin/env bash
# Fetches AquaVM (npm @fluencelabs/avm 0.62.0, dist/avm.wasm) for strait-air's tests and
# checks its sha256 (shared/spec/aqua.md). The file lands outside the sources, under the
# repository's target/ (or $STRAIT_AVM_DIR), where the tests look for it; AquaVM is
# AGPL-3.0 and is never committed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${STRAIT_AVM_DIR:-$repo/target/aquavm}"
file="$dir/avm-0.62.0.wasm"
expected=4a9f248d19582a4c0c638a3e4485d092dbf707dd7ad766f5320698b082010eba

check() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$expected" ]; }

if [ -f "$file" ] && check "$file"; then
    echo "AquaVM 0.62.0 already at $file"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm is needed to fetch AquaVM (@fluencelabs/avm 0.62.0); install Node.js/npm" >&2
    exit 1
fi
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @fluencelabs/avm@0.62.0 >/dev/null)
tar -xzf "$work"/fluencelabs-avm-0.62.0.tgz -C "$work" package/dist/avm.wasm
if ! check "$work/package/dist/avm.wasm"; then
    echo "error: @fluencelabs/avm 0.62.0 dist/avm.wasm does not have the expected sha256 $expected" >&2
    exit 1
fi
mv "$work/package/dist/avm.wasm" "$file"
echo "AquaVM 0.62.0 fetched to $file"
