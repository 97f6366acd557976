#!/usr/bin/env bash
# Runs one fuzz target for a number of seconds: fuzz/run.sh TARGET SECONDS [libFuzzer args…]
# Seeds its corpus from ../shared first (Marine's modules, IT texts and configs). Needs the
# nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). SANITIZER=address for ASan;
# the default is none: strait forbids unsafe code, and without ASan a run does ~3× more
# executions.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer args...]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer args...]}
shift 2
if [ ! -d "corpus/$target" ]; then
    (cd .. && cargo run -q -p strait-conformance --example fuzz_seeds -- fuzz/corpus)
fi
exec cargo +nightly fuzz run --sanitizer "${SANITIZER:-none}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 "$@"
