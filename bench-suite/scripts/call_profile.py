#!/usr/bin/env python3
"""Where the time of a call goes (issue 9, item 2): the instructions of one call split into
guest code, engine, WASI host calls, IT adapters, JSON and strait's own bookkeeping.

The service runs under `strait batch` in callgrind (deterministic instruction counts, no
hardware counters needed) twice: with N1 and with N2 request lines. Everything is taken as the
difference of the two runs divided by N2 - N1, so start-up and loading drop out.

Each function's own (exclusive) instructions go to the part its crate belongs to. Functions
shared by every part (libc's malloc and memcpy, core/alloc/std generics, hashbrown) are charged
to their callers in proportion to what each caller spent in them, up the call graph until a
caller with a part is found; a generic instantiated for a strait type (`drop_in_place<IValue>`)
is charged to that type's part.

usage: call_profile.py --strait PATH --dir SERVICE_DIR --request JSON_LINE [--setup JSON_LINE]
                  [--engine E]
                  [--n1 10] [--n2 110] [--label TEXT] [--json OUT] [--top K]
                  [-- extra strait batch arguments]

Run from the service directory's parent or anywhere: `strait batch Config.toml` runs with the
service directory as working directory (its configs map directories relative to it).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

# The parts a call's instructions are split into, in report order.
PARTS = ["guest", "engine", "wasi", "adapters", "json", "strait", "other"]
PART_NAMES = {
    "guest": "guest code",
    "engine": "engine (calls, traps, memory)",
    "wasi": "WASI host calls",
    "adapters": "IT adapters (lift/lower, cross-module)",
    "json": "JSON in/out",
    "strait": "strait bookkeeping",
    "other": "unattributed",
}

# Crate (first path segment of a symbol) -> part; None = shared, charged to callers.
CRATE_PARTS = [
    (re.compile(r"^wasmi::engine::executor"), "guest"),
    (re.compile(r"^(wasmtime_wasi|wasi_common|wasi_cap_std_sync|cap_std|cap_primitives|"
                r"cap_fs_ext|cap_time_ext|rustix|system_interface|io_lifetimes|wasmi_wasi|"
                r"fs_set_times)\b"), "wasi"),
    (re.compile(r"^strait(_wasmtime|_wasmi|_backend)?::(bare_)?wasi\b"), "wasi"),
    (re.compile(r"^strait::json\b|^serde_json\b|^serde\b"), "json"),
    (re.compile(r"^strait_it\b"), "adapters"),
    (re.compile(r"^strait(_wasmtime|_wasmi|_backend|_cli)?\b"), "strait"),
    (re.compile(r"^(wasmtime|wasmtime_[a-z_]+|cranelift[a-z_]*|wasmi|wasmi_[a-z_]+|"
                r"wasmparser)\b"), "engine"),
]
JIT = "[JIT code]"


def part_of(name):
    """The part of a function by its symbol, or None when it is shared."""
    if name == JIT:
        return "guest"
    text = name.lstrip("<&*( ")
    for prefix in ("mut ", "const ", "dyn "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    for pattern, part in CRATE_PARTS:
        if pattern.search(text):
            return part
    # A shared generic instantiated for one part's type belongs to that part.
    if "<" in text:
        inner = text[text.index("<") + 1:]
        for pattern, part in CRATE_PARTS:
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+",
                                   inner):
                if pattern.search(word):
                    return part
    return None


def parse(path):
    """(exclusive cost by function, inclusive cost by (caller, callee) arc)."""
    names = {"fn": {}, "ob": {}}
    own = collections.Counter()
    arcs = collections.Counter()
    fn = ob = callee = None
    cob = None
    pending_call = False

    def resolve(kind, text):
        match = re.match(r"\((\d+)\)(?: (.*))?$", text)
        if not match:
            return text
        key, name = match.groups()
        if name is not None:
            names[kind][key] = name
        return names[kind].get(key, text)

    def fn_name(name, obj):
        if obj == "???" and name.startswith("0x"):
            return JIT
        return name

    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line:
                continue
            if line.startswith("ob="):
                ob = resolve("ob", line[3:])
            elif line.startswith("fn="):
                fn = fn_name(resolve("fn", line[3:]), ob)
                cob = None
            elif line.startswith("cob="):
                cob = resolve("ob", line[4:])
            elif line.startswith("cfn="):
                callee = resolve("fn", line[4:])
            elif line.startswith("calls="):
                pending_call = True
            elif line[0] in "0123456789+-*":
                fields = line.split()
                if len(fields) < 2:
                    continue
                cost = int(fields[1])
                if pending_call:
                    arcs[(fn, fn_name(callee, cob if cob is not None else ob))] += cost
                    pending_call = False
                    cob = None
                else:
                    own[fn] += cost
    return own, arcs


def split(small, large, calls):
    """Instructions per call by part, from the runs with few and many calls."""
    own = collections.Counter(large[0])
    own.subtract(small[0])
    arcs = collections.Counter(large[1])
    arcs.subtract(small[1])
    callers = collections.defaultdict(list)
    for (caller, callee), cost in arcs.items():
        if cost > 0 and caller != callee:
            callers[callee].append((caller, cost))
    memo = {}

    def shares(name, seen):
        """Fractions of `name`'s cost per part."""
        part = part_of(name)
        if part is not None:
            return {part: 1.0}
        if name in memo:
            return memo[name]
        if name in seen:
            return {}
        seen = seen | {name}
        total = collections.Counter()
        weight = 0
        for caller, cost in callers.get(name, []):
            for part, fraction in shares(caller, seen).items():
                total[part] += cost * fraction
            weight += cost
        result = {p: v / weight for p, v in total.items()} if weight else {}
        memo[name] = result
        return result

    parts = collections.Counter()
    for name, cost in own.items():
        fractions = shares(name, frozenset())
        if not fractions:
            parts["other"] += cost
            continue
        assigned = sum(fractions.values())
        for part, fraction in fractions.items():
            parts[part] += cost * fraction
        parts["other"] += cost * (1 - assigned)
    top = sorted(((cost / calls, name) for name, cost in own.items()), reverse=True)
    return {part: parts[part] / calls for part in PARTS}, top


def run(args, lines, out):
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
               args.strait, "batch", "Config.toml"] + args.extra
    if args.engine:
        command += ["--backend", args.engine]
    requests = [args.setup] if args.setup else []
    requests += [args.request] * lines
    data = "".join(line + "\n" for line in requests).encode()
    done = subprocess.run(command, cwd=args.dir, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    replies = done.stdout.decode().splitlines()
    if done.returncode != 0 or len(replies) != len(requests):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): "
                 f"{done.stderr.decode()[-2000:]}")
    for reply in replies:
        if "result" not in json.loads(reply):
            sys.exit(f"the call failed: {reply[:300]}")
    return parse(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strait", required=True)
    parser.add_argument("--dir", required=True, help="the service directory (Config.toml)")
    parser.add_argument("--request", required=True, help="one batch request line")
    parser.add_argument("--setup", help="a request line sent once before the others")
    parser.add_argument("--engine")
    parser.add_argument("--n1", type=int, default=10)
    parser.add_argument("--n2", type=int, default=110)
    parser.add_argument("--label", default="")
    parser.add_argument("--json", help="append the split as a JSON line to this file")
    parser.add_argument("--top", type=int, default=0, help="also list the N costliest functions")
    parser.add_argument("extra", nargs="*", help="more `strait batch` arguments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = run(args, args.n1, os.path.join(tmp, "small.out"))
        large = run(args, args.n2, os.path.join(tmp, "large.out"))
    result, top = split(small, large, args.n2 - args.n1)
    total = sum(result.values())
    print(f"{args.label or args.request[:100]}: {total:,.0f} instructions per call")
    for part in PARTS:
        print(f"  {PART_NAMES[part]:<40} {result[part]:>14,.0f}  {100 * result[part] / total:5.1f}%")
    for cost, name in top[:args.top]:
        print(f"    {cost:>12,.0f}  {part_of(name) or '(shared)':<9} {name[:150]}")
    if args.json:
        with open(args.json, "a", encoding="utf-8") as out:
            out.write(json.dumps({"label": args.label, "engine": args.engine,
                                  "total": total, "parts": result}) + "\n")


if __name__ == "__main__":
    main()
