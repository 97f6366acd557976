#!/usr/bin/env python3
"""Random calls through Fluence's production services, the same sequence on every runtime.

usage: bench-suite/scripts/random-calls.py [--marine] [--seeds A-B] [--calls N] [--sqlite S]
       (from the repository root)

For each seed and each service (spell, registry, trust-graph, aqua-ipfs, written by
`strait-real-services`), it makes N calls of random functions with random JSON arguments of
their parameter types, now and then of the wrong types or too few (sqlite3's own exports
get a share S of the calls, with random handles), and feeds the same lines to `strait batch`
on Wasmtime and on wasmi, and with --marine to Marine 0.37's `marine-batch`
(bench-suite/marine, built as its README says). Each runtime runs the sequence twice, each
time in a fresh copy of the service directory.

It checks that every runtime answers every call without crashing and compares the answers:
the result, or the presence of an error (the texts differ by design). Calls whose answer
differs between two runs of the same runtime are not compared, nor are registry's merges
(they order by a HashMap the guest seeds from `random_get`); wall-clock readings are masked. With --marine
the unsigned arguments stay below 2^31 and 2^63, which Marine refuses (spec D-rule 2). A run
that exhausts fuel (10^10 a call on strait) stops comparing at that call.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STRAIT = os.path.join(ROOT, 'target', 'release', 'strait')
MARINE = os.path.join(ROOT, 'bench-suite', 'marine', 'target', 'release', 'marine-batch')
SERVICES = ['registry', 'spell', 'trust-graph', 'aqua-ipfs']
FUEL = 10_000_000_000
INTS = {'i8': (-2**7, 2**7 - 1), 'u8': (0, 2**8 - 1), 'i16': (-2**15, 2**15 - 1),
        'u16': (0, 2**16 - 1), 'i32': (-2**31, 2**31 - 1), 'u32': (0, 2**32 - 1),
        'i64': (-2**63, 2**63 - 1), 'u64': (0, 2**64 - 1)}
NOW = time.time()


def interface(service_dir):
    """The records (name -> [(field, type)]) and functions ([(module, name, [type])])."""
    text = subprocess.run([STRAIT, 'interface', 'Config.toml'], cwd=service_dir,
                          capture_output=True, text=True, check=True).stdout
    records, functions = {}, []
    record = module = None
    in_functions = False
    for line in text.splitlines():
        if line.startswith('exported functions'):
            in_functions = True
        elif not in_functions:
            if m := re.match(r'data (\w+):', line):
                record = m.group(1)
                records[record] = []
            elif (m := re.match(r'\s+(\w+): (.+)', line)) and record:
                records[record].append((m.group(1), m.group(2).strip()))
        elif m := re.match(r'(\S+):$', line):
            module = m.group(1)
        elif m := re.match(r'\s+func (\w+)\((.*)\)', line):
            params = [p.split(': ', 1)[1] for p in re.split(r', (?=\w+: )', m.group(2)) if p]
            functions.append((module, m.group(1), params))
    return records, functions


def random_string(r):
    k = r.random()
    if k < 0.2:
        return ''
    if k < 0.35:
        return ''.join(r.choice('αβγ😀\u0000\\"\n/') for _ in range(r.randint(1, 8)))
    if k < 0.45:
        return 'x' * r.choice([100, 1000, 5000])
    if k < 0.6:
        return r.choice(['12D3KooWEXNUbCXooUwHrHBbrmjsrpHXoEphPwbjQXEGyzbqKnE9', '{}', '[]',
                         '{"a":1}', 'null', '0', 'bafy'])
    return ''.join(r.choice('abcdefghijklmnopqrstuvwxyz0123456789_-')
                   for _ in range(r.randint(1, 20)))


def random_value(ty, records, r, marine, depth=0):
    if r.random() < 0.03:
        return r.choice([None, 1, -1, 'str', [], {}, 1.5, True])
    if ty == '[]u8':
        return [r.randint(0, 255) for _ in range(r.choice([0, 1, 4, 32, 64]))]
    if ty.startswith('[]'):
        count = 0 if depth > 2 else r.choice([0, 0, 1, 2, 3])
        return [random_value(ty[2:], records, r, marine, depth + 1) for _ in range(count)]
    if ty == 'bool':
        return r.random() < 0.5
    if ty in INTS:
        low, high = INTS[ty]
        if marine and ty in ('u32', 'u64'):
            high //= 2
        return r.choice([low, high, 0, 1, r.randint(low, high), r.randint(0, 100)])
    if ty in ('f32', 'f64'):
        return r.choice([0.0, -1.5, 1e30, 3.25, 1e-30])
    if ty == 'string':
        return random_string(r)
    if ty in records:
        fields = records[ty]
        if r.random() < 0.15:
            return [random_value(t, records, r, marine, depth + 1) for _, t in fields]
        return {f: random_value(t, records, r, marine, depth + 1) for f, t in fields}
    return None


def masked(value):
    """The value with wall-clock readings (seconds or milliseconds near now) masked."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        if NOW - 3e7 < value < NOW + 1e5 or (NOW - 3e7) * 1e3 < value < (NOW + 1e5) * 1e3:
            return 'clock'
    return value


def answers(service_dir, runtime, lines):
    """The answer lines of `runtime` to `lines`, in a fresh copy of the service."""
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, 'service')
        shutil.copytree(service_dir, work)
        command = ([MARINE, 'Config.toml'] if runtime == 'marine' else
                   [STRAIT, 'batch', '--backend', runtime, '--fuel', str(FUEL), 'Config.toml'])
        run = subprocess.run(command, cwd=work, input='\n'.join(lines) + '\n',
                             capture_output=True, text=True, timeout=3600)
    got = run.stdout.splitlines()
    crashed = run.returncode != 0 or len(got) != len(lines)
    return got, crashed, run.stderr


def check(services_dir, service, seed, calls, sqlite_share, marine):
    service_dir = os.path.join(services_dir, service)
    records, functions = interface(service_dir)
    r = random.Random(seed)
    high = [f for f in functions if not f[1].startswith('sqlite3_')]
    low = [f for f in functions if f[1].startswith('sqlite3_')]
    lines = []
    for _ in range(calls):
        module, function, params = r.choice(low if low and r.random() < sqlite_share else high)
        args = [random_value(t, records, r, marine) for t in params]
        if r.random() < 0.02:
            args = args[:-1]
        lines.append(json.dumps({'module': module, 'function': function, 'args': args}))
    runtimes = ['wasmtime', 'wasmi'] + (['marine'] if marine else [])
    runs, failures = {}, 0
    for runtime in runtimes:
        for rep in (0, 1):
            got, crashed, stderr = answers(service_dir, runtime, lines)
            if crashed:
                failures += 1
                print(f'{service} seed {seed}: {runtime} answered {len(got)} of {len(lines)} '
                      f'calls and exited abnormally\n{stderr[-2000:]}')
            runs[runtime, rep] = got
    compared = differences = 0
    for i, line in enumerate(lines):
        texts = [runs[rt, rep][i] if i < len(runs[rt, rep]) else None
                 for rt in runtimes for rep in (0, 1)]
        if any(t is None or 'fuel' in t.lower() for t in texts):
            break
        if any(texts[2 * k] != texts[2 * k + 1] for k in range(len(runtimes))):
            continue
        if service == 'registry' and json.loads(line)['function'].startswith('merge'):
            continue  # ordered by a HashMap seeded from random_get: may agree by chance
        compared += 1
        first = masked(json.loads(texts[0]))
        for k, runtime in enumerate(runtimes[1:], start=1):
            other = masked(json.loads(texts[2 * k]))
            if ('result' in first) != ('result' in other) or first.get('result') != other.get('result'):
                differences += 1
                print(f'{service} seed {seed} call {i}: {line[:300]}\n'
                      f'  wasmtime: {texts[0][:300]}\n  {runtime}: {texts[2 * k][:300]}')
    print(f'{service} seed {seed}: {len(lines)} calls, {compared} compared on '
          f'{", ".join(runtimes)}: {differences} differences, {failures} abnormal exits')
    return differences + failures


def main():
    args = sys.argv[1:]
    marine = '--marine' in args
    option = lambda name, default: args[args.index(name) + 1] if name in args else default
    first, last = map(int, option('--seeds', '1-10').split('-'))
    calls = int(option('--calls', '300'))
    sqlite_share = float(option('--sqlite', '0.15'))
    if marine and not os.path.exists(MARINE):
        sys.exit(f'{MARINE} is missing: build bench-suite/marine as its README says')
    subprocess.run(['cargo', 'build', '--release', '-q', '-p', 'strait-cli'], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as services_dir:
        subprocess.run(['cargo', 'run', '--release', '-q', '-p', 'strait-real-services', '--',
                        services_dir], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        bad = sum(check(services_dir, service, seed, calls, sqlite_share, marine)
                  for seed in range(first, last + 1) for service in SERVICES)
    sys.exit(1 if bad else 0)


main()
