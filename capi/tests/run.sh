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
        # The arena allocator provides the embedder hooks.
        extra=(-DSTRAIT_TEST_NO_STD "$here/arena.c")
        hooks=("$here/arena.c")
        libs=(-lm)
        ;;
    std)
        extra=()
        hooks=()
        # What Rust's std needs from the C library (rustc --print native-static-libs).
        libs=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
        ;;
    *)
        echo "usage: $0 no_std|std LIB" >&2
        exit 2
        ;;
esac
"$cc" "${flags[@]}" "${extra[@]}" "$here/capi_tests.c" "$here/json.c" "$lib" "${libs[@]}" -o "$out"
echo "== C tests ($mode build): $out"
"$out" "$shared" "$work"

# The README's C example, as written there.
"$cc" "${flags[@]}" "${hooks[@]}" "$here/../examples/hello.c" "$lib" "${libs[@]}" -o "$out-hello"
answer=$("$out-hello" "$shared/artifacts/greeting/greeting.wasm")
if [ "$answer" != '"Hi, World"' ]; then
    echo "error: capi/examples/hello.c printed $answer" >&2
    exit 1
fi
echo "capi/examples/hello.c: $answer"
