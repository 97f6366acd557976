#!/bin/bash
# Issue 9, item 2: the instruction split of spell `get_string` and registry `get_key_metadata`
# on each engine (and wasmi with fuel metering), through `strait batch` under callgrind.
#
# usage: bench-suite/scripts/profile-real.sh STRAIT_BINARY SERVICES_DIR LABEL [JSON_OUT]
#   SERVICES_DIR: written by bench-suite/real-services (`strait-real-services DIR`).
set -euo pipefail
# As a node runs: with RUST_BACKTRACE set, wasi-common (wasmi's WASI) captures a backtrace for
# every errno it returns (an anyhow error each), a fifth of a registry call on wasmi.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
strait=$1 services=$2 label=$3 out=${4:-/dev/null}
here=$(cd "$(dirname "$0")" && pwd)
spell_setup='{"module":"spell","function":"set_string","args":["hw_greeting","hello"]}'
spell='{"module":"spell","function":"get_string","args":["hw_greeting"]}'
registry='{"module":"registry","function":"get_key_metadata","args":["no such key"]}'
for engine in wasmtime wasmi wasmi-fuel; do
  extra=() backend=$engine
  if [ "$engine" = wasmi-fuel ]; then backend=wasmi extra=(--fuel 10000000000); fi
  python3 "$here/call_profile.py" --strait "$strait" --dir "$services/spell" \
    --setup "$spell_setup" --request "$spell" --engine "$backend" --n1 3 --n2 23 \
    --label "spell get_string, $engine, $label" --json "$out" -- "${extra[@]}"
  python3 "$here/call_profile.py" --strait "$strait" --dir "$services/registry" \
    --request "$registry" --engine "$backend" --n1 3 --n2 23 \
    --label "registry get_key_metadata, $engine, $label" --json "$out" -- "${extra[@]}"
done
