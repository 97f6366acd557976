#!/usr/bin/env bash
# Start-up of Fluence's production services: process wall time of `strait interface` (load the
# service, print its interface, exit) for each service, on Wasmtime with Cranelift cold (no
# cache) and warm (compiled-module cache filled by a first run), with Winch cold, and on wasmi.
# Then the in-process figures (`--bench startup`: wasmi's compilation modes too).
#
#   bash bench-suite/startup.sh            # RUNS=5 runs per figure, the median printed
#   RUNS=11 WORK=/tmp/x bash bench-suite/startup.sh
#
# The services (spell, registry, trust-graph, aqua-ipfs) come from their crates.io distro
# packages, written out by bench-suite/real-services. Their start-up creates SQLite databases
# in their directories, with an fsync per transaction: the services are placed in WORK, by
# default on /dev/shm (tmpfs), so the figures are strait's and not the disk's; give
# WORK=<a disk directory> to include the disk.
set -euo pipefail
export LC_ALL=C

RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z ${WORK:-} ]]; then
    base=/dev/shm
    [[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
    WORK=$(mktemp -d "$base/strait-startup.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

echo "building strait (release) and writing the services to $WORK/services ..." >&2
cargo build --release -q -p strait-cli --manifest-path "$ROOT/Cargo.toml"
STRAIT=$ROOT/target/release/strait
cargo run --release -q --manifest-path "$ROOT/bench-suite/real-services/Cargo.toml" \
    --target-dir "$ROOT/target/real-services" -- "$WORK/services" >/dev/null

# The median wall time in ms of RUNS runs of a command (in the current directory).
median_ms() {
    local times=() start end i
    for ((i = 0; i < RUNS; i++)); do
        if [[ -n ${PREPARE:-} ]]; then eval "$PREPARE"; fi
        start=${EPOCHREALTIME/./}
        if ! "$@" >/dev/null 2>"$WORK/stderr"; then
            echo "failed: $* (in $PWD):" >&2
            cat "$WORK/stderr" >&2
            return 1
        fi
        end=${EPOCHREALTIME/./}
        times+=($(((end - start) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

# Marine 0.37's load times on this machine, from issue 9 (same services, same protocol).
marine() {
    case $1 in
    spell) echo "3.6 s" ;;
    registry) echo "5.4 s" ;;
    *) echo "-" ;;
    esac
}

CACHE=$WORK/cache
echo
echo "Process wall time of \`strait interface Config.toml\`, median of $RUNS runs ($(nproc) cores):"
echo
echo "| service | modules (wasm) | Cranelift cold | Cranelift warm | Winch cold | wasmi | Marine 0.37 |"
echo "|---|---|---:|---:|---:|---:|---:|"
for dir in "$WORK"/services/*/; do
    name=$(basename "$dir")
    cd "$dir"
    sizes=$(for wasm in *.wasm; do printf '%s %s KB, ' "${wasm%.wasm}" $(($(stat -c %s "$wasm") / 1024)); done)
    cold=$(median_ms "$STRAIT" --no-cache interface Config.toml)
    "$STRAIT" --cache-dir "$CACHE" interface Config.toml >/dev/null 2>&1
    warm=$(median_ms "$STRAIT" --cache-dir "$CACHE" interface Config.toml)
    winch=$(median_ms "$STRAIT" --no-cache --compiler winch interface Config.toml)
    wasmi=$(median_ms "$STRAIT" interface --backend wasmi Config.toml)
    echo "| $name | ${sizes%, } | $cold ms | $warm ms | $winch ms | $wasmi ms | $(marine "$name") |"
done
cd "$ROOT"

echo
echo "In process (Service::from_config_file), median of $RUNS loads:"
echo
STRAIT_SERVICES=$WORK/services STARTUP_RUNS=$RUNS \
    cargo bench -q -p strait-bench --bench startup 2>/dev/null
