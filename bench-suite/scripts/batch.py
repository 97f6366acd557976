#!/usr/bin/env python3
"""Process-level comparison through the `batch` protocol: `strait batch` on each engine and,
when given, Marine's `marine-batch` (bench-suite/marine), on the same request lines.

For each scenario and side, the process is run with 0 requests (start-up + load), 1 request
and N requests; per call = (T(N) - T(1)) / (N - 1). The sides run interleaved, REPS times, and
the medians are kept. Every reply is checked against the expected result.

usage: batch.py --strait PATH [--marine PATH] --shared DIR --out FILE [--reps R] [--quick]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def scenarios(shared, quick):
    """(name, config, request line, expected result, N)."""
    greeting = os.path.join(shared, "artifacts/greeting/Config.toml")
    records = os.path.join(shared, "artifacts/records/Config.toml")
    out = []
    for label, size, n in [("x", 1, 2000), ("64 KiB", 65536, 500), ("1 MiB", 1 << 20, 100)]:
        name = "x" if size == 1 else "a" * size
        line = json.dumps({"module": "greeting", "function": "greeting", "args": [name]})
        out.append((f'greeting("{label}")' if size == 1 else f"greeting({label})",
                    greeting, line, "Hi, " + name, n))
    invoke = json.dumps({"module": "records_pure", "function": "invoke", "args": []})
    out.append(("records_pure.invoke()", records, invoke, None, 2000))
    if quick:
        out = [(a, b, c, d, max(3, n // 10)) for (a, b, c, d, n) in out]
    return out


def run(command, cwd, lines, expected):
    """Wall time of one process answering `lines`; checks every reply.

    The requests come from a file and the replies go to one, as a driver that writes whole
    requests would give them: through pipes, Python's `communicate` writes at most PIPE_BUF
    (4 KiB) per system call after a `select`, so a 1 MiB line took hundreds of wake-ups of
    both processes, which cost more than the call and pulled every ratio towards 1.
    """
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout:
        stdin.write("".join(line + "\n" for line in lines).encode())
        stdin.flush()
        stdin.seek(0)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, stdin=stdin, stdout=stdout,
                              stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        stdout.seek(0)
        output = stdout.read()
    if done.returncode != 0:
        sys.exit(f"{command} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    replies = output.decode().splitlines()
    if len(replies) != len(lines):
        sys.exit(f"{command}: {len(replies)} replies to {len(lines)} requests")
    results = []
    for reply in replies:
        value = json.loads(reply)
        if "result" not in value:
            sys.exit(f"{command}: {reply[:500]}")
        if expected is not None and value["result"] != expected:
            sys.exit(f"{command}: unexpected result {reply[:200]}")
        results.append(value["result"])
    return elapsed, results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strait", required=True)
    parser.add_argument("--marine")
    parser.add_argument("--shared", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    cache = tempfile.mkdtemp(prefix="strait-bench-cache-")
    sides = {
        "strait-wasmtime": [args.strait, "--cache-dir", cache, "batch", "--backend", "wasmtime"],
        "strait-wasmi": [args.strait, "batch", "--backend", "wasmi"],
    }
    # The first start with an empty cache compiles; `cold` never uses the cache.
    cold = {"strait-wasmtime-cold": [args.strait, "--no-cache", "batch", "--backend", "wasmtime"]}
    if args.marine:
        sides["marine"] = [args.marine]

    results = {"reps": args.reps, "scenarios": []}
    for name, config, line, expected, n in scenarios(args.shared, args.quick):
        cwd = os.path.dirname(config)
        # Fill the cache (and the OS's file cache) once, and check every side answers alike.
        answers = {side: run(command + [config], cwd, [line], expected)[1]
                   for side, command in sides.items()}
        if len({json.dumps(a, sort_keys=True) for a in answers.values()}) != 1:
            sys.exit(f"{name}: the sides answer differently: {answers}")
        times = {side: {"t0": [], "t1": [], "tn": []} for side in list(sides) + list(cold)}
        for _ in range(args.reps):
            for side, command in list(sides.items()) + list(cold.items()):
                full = command + [config]
                times[side]["t0"].append(run(full, cwd, [], expected)[0])
                times[side]["t1"].append(run(full, cwd, [line], expected)[0])
                if side in sides:
                    times[side]["tn"].append(run(full, cwd, [line] * n, expected)[0])
        entry = {"name": name, "n": n, "sides": {}}
        for side, t in times.items():
            t0, t1 = statistics.median(t["t0"]), statistics.median(t["t1"])
            record = {"start_load_s": t0, "one_call_s": t1}
            if t["tn"]:
                tn = statistics.median(t["tn"])
                record["per_call_s"] = max(0.0, (tn - t1) / (n - 1))
            entry["sides"][side] = record
        results["scenarios"].append(entry)
        print(name, json.dumps(entry["sides"]), flush=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
