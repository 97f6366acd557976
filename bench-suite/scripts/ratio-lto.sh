#!/usr/bin/env bash
# Issue 9, item 4, in an optimized build: the `ratio` bench's strait / ideal-host lines with
# fat LTO and one codegen unit, as a server's release build is often made. Both sides are in
# the one bench binary, so both get the same build. The bench profile itself stays as it is
# (the other benches compare with Marine, whose harness is built without LTO).
#
# usage: bench-suite/scripts/ratio-lto.sh   (from the repository root)
#
# It builds in its own target directory (target/lto unless CARGO_TARGET_DIR says otherwise),
# so the normal build's artifacts stay; the first build takes about 8 minutes on 2 cores.
# The lines go to bench-suite/results/ratio-lto.txt.
set -euo pipefail
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/lto}"
export CARGO_PROFILE_BENCH_LTO=fat
export CARGO_PROFILE_BENCH_CODEGEN_UNITS=1
{
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), bench profile with lto = \"fat\", codegen-units = 1"
    cargo bench -q -p strait-bench --bench ratio -- adapters/
} | tee bench-suite/results/ratio-lto.txt
