#!/usr/bin/env bash
# Builds the C tests (capi/tests/*.c) against a staticlib of strait-capi and runs them.
#
#   capi/tests/run.sh no_std LIB   # LIB: a no_std staticlib with the `embedded` feature; the
#                                  # tests bring the arena allocator (arena.c), wasmi only
#   capi/tests/run.sh std LIB      # LIB: the std staticlib (wasmi and Wasmtime), e.g.
#                                  # target/debug/deps/libstrait_capi.a from `cargo test`
#
# The modules and golden outputs come from ../shared beside the repository (SHARED overrides).
set -euo pipefail
mode=$1
lib=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
shared=$(realpath "${SHARED:-$here/../../../shared}")
cc=${CC:-cc}
out=$(dirname "$lib")/capi-tests-$mode
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

flags=(-std=c11 -O1 -g -Wall -Wextra -Werror -I"$here/../include" -I"$here")
case $mode in
    no_std)
        "$cc" "${flags[@]}" -DSTRAIT_TEST_NO_STD "$here/capi_tests.c" "$here/json.c" "$here/arena.c" \
            "$lib" -lm -o "$out"
        ;;
    std)
        # What Rust's std needs from the C library (rustc --print native-static-libs).
        "$cc" "${flags[@]}" "$here/capi_tests.c" "$here/json.c" "$lib" \
            -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$out"
        ;;
    *)
        echo "usage: $0 no_std|std LIB" >&2
        exit 2
        ;;
esac
echo "== C tests ($mode build): $out"
"$out" "$shared" "$work"
