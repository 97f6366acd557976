#!/usr/bin/env bash
# The footprint of strait's C API on a constrained host: code size and heap.
#
#   capi/footprint.sh              # no_std builds: strait (wasmi) and wasmi alone
#   capi/footprint.sh --wasmtime   # also the std build with Wasmtime (an LTO build of
#                                  # Wasmtime: about half an hour on 2 cores)
#
# Code: the .text (and .rodata) a C program gains by linking the library, measured on
# executables linked with --gc-sections against the same C program without it
# (capi/footprint/driver.c): strait's whole C API, or wasmi alone running greeting
# (capi/footprint/wasmi-only). Both are built like the workspace's `embedded` profile: LTO,
# one codegen unit, opt-level "s", panic = "abort", stripped.
# Heap: bytes live in the arena allocator (capi/tests/arena.c) at the peak of loading and
# calling Marine's greeting, and of loading the records pair and calling records_pure.invoke;
# "guest" is the modules' linear memory (memory statistics), "host" the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
out=target/footprint
mkdir -p "$out"
cc=${CC:-cc}
cflags=(-std=c11 -Os -ffunction-sections -fdata-sections -Icapi/include -Icapi/tests)
ldflags=(-Wl,--gc-sections)

# `cargo rustc --crate-type staticlib`: with the crate's three crate types (staticlib, cdylib,
# rlib) in one build, rustc skips LTO (the rlib must stay linkable), and the library's code
# is a quarter larger.
cargo rustc -q -p strait-capi --lib --crate-type staticlib --no-default-features --features embedded \
    --profile embedded
CARGO_TARGET_DIR=$out cargo build -q --release --manifest-path capi/footprint/wasmi-only/Cargo.toml
strait_lib=target/embedded/libstrait_capi.a
wasmi_lib=$out/release/libstrait_footprint_wasmi_only.a

"$cc" "${cflags[@]}" capi/footprint/driver.c capi/tests/arena.c "${ldflags[@]}" -o "$out/baseline"
"$cc" "${cflags[@]}" -DFOOTPRINT_STRAIT capi/footprint/driver.c capi/tests/arena.c "$strait_lib" \
    "${ldflags[@]}" -lm -o "$out/strait"
"$cc" "${cflags[@]}" -DFOOTPRINT_WASMI capi/footprint/driver.c capi/tests/arena.c "$wasmi_lib" \
    "${ldflags[@]}" -lm -o "$out/wasmi"

section() { size -A "$1" | awk -v s="$2" '$1 == s {print $2}'; }
kib() { awk -v b="$1" 'BEGIN {printf "%.0f KiB", b / 1024}'; }
grows() { echo $(($(section "$1" "$2") - $(section "$out/baseline" "$2"))); }

"$out/strait" "$shared" >"$out/strait.txt"
"$out/wasmi" "$shared" >"$out/wasmi.txt"
value() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

echo "## Code (.text / .rodata added to a C program, stripped, LTO, opt-level s)"
echo
echo "| build | .text | .rodata |"
echo "|---|---:|---:|"
echo "| strait C API, no_std, wasmi | $(kib "$(grows "$out/strait" .text)") | $(kib "$(grows "$out/strait" .rodata)") |"
echo "| wasmi alone running greeting | $(kib "$(grows "$out/wasmi" .text)") | $(kib "$(grows "$out/wasmi" .rodata)") |"
if [ "${1:-}" = --wasmtime ]; then
    CARGO_TARGET_DIR=target/footprint-std cargo rustc -q -p strait-capi --lib --crate-type staticlib \
        --profile embedded
    "$cc" "${cflags[@]}" -DFOOTPRINT_STRAIT capi/footprint/driver.c capi/tests/arena.c \
        target/footprint-std/embedded/libstrait_capi.a "${ldflags[@]}" \
        -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$out/strait-std"
    echo "| strait C API, std, wasmi + Wasmtime | $(kib "$(grows "$out/strait-std" .text)") | $(kib "$(grows "$out/strait-std" .rodata)") |"
fi
echo
echo "## Heap at the peak (arena allocator), bytes"
echo
echo "| run | peak | guest linear memory | host (peak - guest) | live after load |"
echo "|---|---:|---:|---:|---:|"
row() {
    local file=$1 name=$2 label=$3
    local peak guest
    peak=$(value "$file" "$name.peak")
    [ -n "$peak" ] || peak=$(value "$file" "$name.load.peak")
    guest=$(value "$file" "$name.guest")
    echo "| $label | $peak | $guest | $((peak - guest)) | $(value "$file" "$name.load.live") |"
}
row "$out/strait.txt" greeting "strait: greeting, load + call"
row "$out/wasmi.txt" greeting "wasmi alone: greeting, load + call"
row "$out/strait.txt" records "strait: records pair, load + invoke"
row "$out/wasmi.txt" records "wasmi alone: records pair, load only"
echo
for file in "$out/strait.txt" "$out/wasmi.txt"; do
    for run in greeting records; do
        left=$(value "$file" "$run.after_free")
        if [ "$left" != 0 ]; then
            echo "error: $left bytes still live after freeing ($file, $run)" >&2
            exit 1
        fi
    done
done
echo "(the load peaks alone: strait greeting $(value "$out/strait.txt" greeting.load.peak), records $(value "$out/strait.txt" records.load.peak); the call peaks: greeting $(value "$out/strait.txt" greeting.call.peak), records $(value "$out/strait.txt" records.call.peak))"
