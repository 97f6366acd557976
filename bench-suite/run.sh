#!/usr/bin/env bash
# Reruns the benches of bench-suite/README.md and regenerates its tables and plots.
#
#   bench-suite/run.sh [--marine] [--quick]
#
#   --marine  also run Marine 0.37 on the same inputs in the same run (builds bench-suite/marine
#             with RUSTC_BOOTSTRAP=marine_core: Marine's own Wasmtime, ~25 min the first time)
#   --quick   short measurements, to check the pipeline (figures too noisy to quote)
#
# Steps: the sweep fixtures (bench-fixtures), criterion's `growth` bench (and Marine's), the
# interleaved `ratio` bench, the process-level `batch` comparison, then scripts/report.py
# writes bench-suite/results/ and the tables between the markers of README.md. Criterion's raw
# estimates go to target/criterion.
set -euo pipefail

marine=0
quick=0
for arg in "$@"; do
    case "$arg" in
        --marine) marine=1 ;;
        --quick) quick=1 ;;
        *) echo "usage: $0 [--marine] [--quick]" >&2; exit 2 ;;
    esac
done

suite=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$suite/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
results="$suite/results"
fixtures="$root/target/bench-fixtures"
export CRITERION_HOME="$root/target/criterion"
export STRAIT_BENCH_FIXTURES="$fixtures"
mkdir -p "$results"

if [ "$quick" = 1 ]; then
    timing=(--warm-up-time 0.2 --measurement-time 0.5)
    batch_opts=(--reps 1 --quick)
else
    timing=(--warm-up-time 1 --measurement-time 3)
    batch_opts=(--reps 5)
fi

cd "$root"
{
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit:  $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench-suite/results' ':!bench-suite/README.md' || echo ' (with local changes)')"
    echo "cpu:     $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores available"
    echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "os:      $(uname -sr)"
    echo "rustc:   $(rustc --version)"
    echo "engines: strait with Wasmtime 48 and wasmi 2; Marine 0.37.0 (marine-wasmtime-backend 0.7, Wasmtime 13)"
    echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min load average at the start: other work shares the machine)"
} > "$results/machine.txt"

echo "== fixtures"
cargo run -q --release -p strait-bench --bin bench-fixtures -- "$fixtures"
cargo build -q --release -p strait-cli

echo "== strait: criterion growth bench"
cargo bench -p strait-bench --bench growth -- "${timing[@]}"

if [ "$marine" = 1 ]; then
    echo "== Marine: the same groups"
    (cd "$suite/marine" && RUSTC_BOOTSTRAP=marine_core cargo bench --bench marine -- "${timing[@]}")
    (cd "$suite/marine" && RUSTC_BOOTSTRAP=marine_core cargo build -q --release --bin marine-batch)
fi

echo "== strait: interleaved ratios"
cargo bench -p strait-bench --bench ratio | tee "$results/ratio.txt"

echo "== process level: the batch protocol"
marine_batch=()
if [ "$marine" = 1 ]; then
    marine_batch=(--marine "$suite/marine/target/release/marine-batch")
fi
python3 "$suite/scripts/batch.py" --strait "$root/target/release/strait" "${marine_batch[@]}" \
    --shared "$shared" --out "$results/batch.json" "${batch_opts[@]}"

echo "== report"
python3 "$suite/scripts/report.py" --criterion "$CRITERION_HOME" --results "$results" \
    --readme "$suite/README.md"
