#!/bin/bash
# Issue 9, item 4, by instruction counts: the cost of one call through strait against the
# hand-written ideal host, for greeting("x") and records_pure.invoke() on each engine. Each
# side runs under callgrind with N1 and N2 calls; per call = (I(N2) - I(N1)) / (N2 - N1), so
# loading drops out and the figure does not depend on the machine's load.
#
# usage: bench-suite/scripts/ideal-ratio.sh [N1] [N2]   (from the repository root)
set -euo pipefail
n1=${1:-2000} n2=${2:-22000}
cargo build --release -q -p strait-bench --example ideal_calls
bin=target/release/examples/ideal_calls
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" "$@" 2>&1 |
    awk '/Collected/ {print $4}'
}
# strait: Service::call_into with one results vector kept across calls; call: Service::call,
# a new results vector per call.
printf '%-9s %-9s %10s %10s %7s %10s %7s\n' engine scenario ideal strait ratio call ratio
for engine in wasmtime wasmi; do
  for scenario in greeting records; do
    per_call=()
    for mode in ideal strait strait-call; do
      a=$(count "$engine" "$scenario" "$mode" "$n1")
      b=$(count "$engine" "$scenario" "$mode" "$n2")
      per_call+=($(( (b - a) / (n2 - n1) )))
    done
    awk -v e="$engine" -v s="$scenario" -v i="${per_call[0]}" -v t="${per_call[1]}" \
      -v c="${per_call[2]}" \
      'BEGIN { printf "%-9s %-9s %10d %10d %7.2f %10d %7.2f\n", e, s, i, t, t / i, c, c / i }'
  done
done
