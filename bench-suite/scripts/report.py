#!/usr/bin/env python3
"""Makes bench-suite's results readable: tables (Markdown) and SVG plots from criterion's
estimates, the interleaved ratios (`ratio` bench) and the process-level comparison
(batch.py), written into bench-suite/results/ and into README.md between its
`<!-- results:begin -->` and `<!-- results:end -->` markers. Standard library only.

usage: report.py --criterion DIR --results DIR --readme FILE
"""

import argparse
import json
import math
import os
import re

SIDES = ["memcpy", "ideal-wasmtime", "strait-wasmtime", "ideal-wasmi", "strait-wasmi", "marine"]
COLORS = {
    "memcpy": "#7f7f7f",
    "ideal-wasmtime": "#9ecae1",
    "strait-wasmtime": "#1f77b4",
    "ideal-wasmi": "#fdae6b",
    "strait-wasmi": "#e6550d",
    "marine": "#2ca02c",
}
DASHED = {"memcpy", "ideal-wasmtime", "ideal-wasmi"}
LABELS = {
    "memcpy": "memcpy",
    "ideal-wasmtime": "ideal Wasmtime",
    "strait-wasmtime": "strait Wasmtime",
    "ideal-wasmi": "ideal wasmi",
    "strait-wasmi": "strait wasmi",
    "marine": "Marine 0.37",
}


def read_estimates(root):
    """{(group, side, parameter or None): median ns} from criterion's output folders."""
    out = {}
    for folder, _, files in os.walk(root):
        if os.path.basename(folder) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(folder, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(folder, "estimates.json")) as f:
            estimates = json.load(f)
        value = bench.get("value_str")
        out[(bench["group_id"], bench["function_id"], value)] = \
            estimates["median"]["point_estimate"]
    return out


def fmt_time(ns):
    if ns is None:
        return "–"
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_num(x):
    """Three significant digits, without exponents."""
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    digits = max(0, 2 - math.floor(math.log10(x))) if x > 0 else 0
    return f"{x:.{digits}f}"


def fmt_size(n):
    n = int(n)
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n >> 10} KiB"
    return f"{n} B"


def sides_present(est, group):
    return [s for s in SIDES if any(k[0] == group and k[1] == s for k in est)]


def params(est, group):
    return sorted({k[2] for k in est if k[0] == group and k[2] is not None}, key=float)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---- SVG -----------------------------------------------------------------------------------

def plot(path, title, xlabel, ylabel, series, x_format):
    """A log-log line plot of {side: [(x, y)]}."""
    width, height = 720, 420
    left, right, top, bottom = 80, 170, 40, 60
    points = [p for s in series.values() for p in s if p[1] and p[1] > 0]
    if not points:
        return False
    xs = sorted({p[0] for p in points})
    ys = [p[1] for p in points]
    # x: the measured parameters are the ticks; y: decades.
    x0, x1 = math.log10(xs[0]) - 0.15, math.log10(xs[-1]) + 0.15
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    y1 = max(y1, y0 + 1)

    def px(x):
        return left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)

    def decade(e):
        return f"{10.0 ** e:,.{max(0, -e)}f}" if -4 <= e <= 6 else f"1e{e}"

    def py(y):
        return height - bottom - (math.log10(y) - y0) / (y1 - y0) * (height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{(left + width - right) / 2}" y="22" text-anchor="middle" '
           f'font-size="15">{title}</text>']
    for value in xs:
        x = px(value)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" '
                   f'stroke="#e0e0e0"/>')
        out.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                   f'{x_format(value)}</text>')
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{decade(e)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{width - left - right}" '
               f'height="{height - top - bottom}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 18}" '
               f'text-anchor="middle">{xlabel}</text>')
    out.append(f'<text transform="translate(18,{(top + height - bottom) / 2}) rotate(-90)" '
               f'text-anchor="middle">{ylabel}</text>')
    for i, (side, pts) in enumerate(series.items()):
        pts = sorted(p for p in pts if p[1] and p[1] > 0)
        if not pts:
            continue
        color = COLORS.get(side, "#000")
        dash = ' stroke-dasharray="6 4"' if side in DASHED else ""
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" '
                   f'stroke-width="2"{dash}/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
        ly = top + 10 + i * 20
        lx = width - right + 12
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 30}" y="{ly + 4}">{LABELS.get(side, side)}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return True


# ---- sections ------------------------------------------------------------------------------

def read_ratios(path):
    """{(scenario, engine): (base ns, measured ns, ratio)} from the ratio bench's output."""
    out = {}
    if not os.path.exists(path):
        return out
    pattern = re.compile(r"^(\S+)\s+\w+\s+([\d.]+) ns\s+\w+\s+([\d.]+) ns\s+\S+ ([\d.]+)")
    with open(path) as f:
        for line in f:
            m = pattern.match(line)
            if m:
                out[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
    return out


def calls_section(est, ratios):
    rows = []
    for group, label in [("greeting", 'greeting("x")'),
                         ("records_pure_invoke", "records_pure.invoke()")]:
        row = [label]
        for engine in ["wasmtime", "wasmi"]:
            strait = est.get((group, f"strait-{engine}", None))
            ideal = est.get((group, f"ideal-{engine}", None))
            ratio = ratios.get(f"adapters/{group}/{engine}")
            row += [fmt_time(ideal), fmt_time(strait),
                    f"**{ratio[2]:.2f}×**" if ratio else "–"]
        marine = est.get((group, "marine", None))
        row.append(fmt_time(marine))
        fastest = est.get((group, "strait-wasmtime", None))
        row.append(f"{marine / fastest:.0f}×" if marine and fastest else "–")
        rows.append(row)
    return table(["call", "ideal Wasmtime", "strait Wasmtime", "strait / ideal",
                  "ideal wasmi", "strait wasmi", "strait / ideal", "Marine 0.37",
                  "Marine / strait Wasmtime"], rows)


def sweep(est, group, unit, value, results, plot_title, ylabel, x_format, x_label, note):
    """A table (one row per parameter, one column per side) and its plot."""
    sides = sides_present(est, group)
    ps = params(est, group)
    if not ps:
        return ""
    rows = []
    series = {s: [] for s in sides}
    for p in ps:
        row = [x_format(float(p))]
        for s in sides:
            ns = est.get((group, s, p))
            v = value(ns, float(p)) if ns else None
            row.append(fmt_num(v))
            if v:
                series[s].append((float(p), v))
        rows.append(row)
    svg = f"{group}.svg"
    plot(os.path.join(results, svg), plot_title, x_label, ylabel, series, x_format)
    return (table([unit] + [LABELS[s] for s in sides], rows) +
            f"\n\n{note}\n\n![{plot_title}](results/{svg})\n")


def load_section(est):
    group = "load"
    sides = [s for s in ["strait-wasmtime", "strait-wasmi", "marine"]
             if any(k[0] == group and k[1] == s for k in est)]
    services = sorted({k[2] for k in est if k[0] == group})
    rows = [[svc] + [fmt_time(est.get((group, s, svc))) for s in sides] for svc in services]
    return table(["service"] + [LABELS[s] for s in sides], rows)


def batch_section(path):
    if not os.path.exists(path):
        return "(not run)"
    with open(path) as f:
        data = json.load(f)
    order = ["marine", "strait-wasmtime", "strait-wasmi"]
    rows = []
    for scenario in data["scenarios"]:
        sides = scenario["sides"]
        row = [scenario["name"], str(scenario["n"])]
        for side in order:
            v = sides.get(side, {}).get("per_call_s")
            row.append(fmt_time(v * 1e9) if v is not None else "–")
        m, w = (sides.get(s, {}).get("per_call_s") for s in ["marine", "strait-wasmtime"])
        row.append(f"{m / w:.1f}×" if m and w else "–")
        rows.append(row)
    per_call = table(["call (per call)", "N", "Marine 0.37", "strait Wasmtime",
                      "strait wasmi", "Marine / strait Wasmtime"], rows)
    load_rows = []
    for scenario in data["scenarios"]:
        if scenario["name"] not in ('greeting("x")', "records_pure.invoke()"):
            continue
        sides = scenario["sides"]
        load_rows.append([scenario["name"].split("(")[0].split(".")[0]] + [
            fmt_time(sides[s]["start_load_s"] * 1e9) if s in sides else "–"
            for s in ["marine", "strait-wasmtime-cold", "strait-wasmtime", "strait-wasmi"]])
    start = table(["service (start + load, no call)", "Marine 0.37", "strait Wasmtime, no cache",
                   "strait Wasmtime, cached", "strait wasmi"], load_rows)
    return (per_call + f"\n\nEach process: load the service, answer N requests; per call = "
            f"(T(N) − T(1)) / (N − 1), medians of {data['reps']} interleaved runs. The requests "
            f"come from a file and the replies go to one.\n\n" + start)


def targets_section(est, ratios, batch_path):
    """Issue 9's targets that these benches measure, beside the figures of this run."""
    rows = []
    for group, label in [("greeting", 'greeting("x")'),
                         ("records_pure_invoke", "records_pure.invoke()")]:
        for engine in ["wasmtime", "wasmi"]:
            for suffix, api in [("", "call_into"), ("_call", "call")]:
                r = ratios.get(f"adapters/{group}{suffix}/{engine}")
                v = r[2] if r else None
                if v is None and suffix:
                    continue
                rows.append([f"strait / ideal host, {label}, {engine} (`{api}`)", "≤ 1.5×",
                             f"{v:.2f}×" if v else "–", verdict(v, lambda x: x <= 1.5)])
    mib = str(1 << 20)
    for engine in ["wasmtime", "wasmi"]:
        ns = est.get(("string_arg", f"strait-{engine}", mib))
        v = (1 << 20) / ns if ns else None
        marine = est.get(("string_arg", "marine", mib))
        note = f" (Marine {(1 << 20) / marine:.1f})" if marine else ""
        rows.append([f"greeting(1 MiB) in process, {engine}", "≥ 5 GB/s",
                     (f"{v:.1f} GB/s" if v else "–") + note, verdict(v, lambda x: x >= 5)])
    if os.path.exists(batch_path):
        with open(batch_path) as f:
            scenarios = {s["name"]: s["sides"] for s in json.load(f)["scenarios"]}
        for name in ["greeting(64 KiB)", "greeting(1 MiB)"]:
            sides = scenarios.get(name, {})
            marine = sides.get("marine", {}).get("per_call_s")
            for engine in ["wasmtime", "wasmi"]:
                own = sides.get(f"strait-{engine}", {}).get("per_call_s")
                v = marine / own if marine and own else None
                rows.append([f"{name} through `batch`, Marine / strait {engine}", "≥ 2.5×",
                             f"{v:.1f}×" if v else "–", verdict(v, lambda x: x >= 2.5)])
    return table(["target (issue 9)", "target", "this run", "met"], rows)


def verdict(value, ok):
    if value is None:
        return "–"
    return "yes" if ok(value) else "**no**"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--criterion", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--readme", required=True)
    args = parser.parse_args()
    est = read_estimates(args.criterion)
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, "estimates.json"), "w") as f:
        json.dump({"/".join(x for x in k if x is not None): v for k, v in sorted(
            est.items(), key=lambda kv: tuple(x or "" for x in kv[0]))}, f, indent=1)
    ratios = read_ratios(os.path.join(args.results, "ratio.txt"))
    machine = open(os.path.join(args.results, "machine.txt")).read().strip() \
        if os.path.exists(os.path.join(args.results, "machine.txt")) else "(unknown)"

    parts = [
        "### Machine\n\n```text\n" + machine + "\n```",
        "### Targets\n\n" + targets_section(
            est, ratios, os.path.join(args.results, "batch.json")),
        "### Calls against the ideal host\n\n" + calls_section(est, ratios) +
        "\n\nTimes are criterion medians (strait through `Service::call`); **strait / ideal** is "
        "the median of per-round ratios of the interleaved `ratio` bench, strait through "
        "`Service::call_into` with one results vector kept across calls (target ≤ 1.5×), both "
        "from this run.",
        "### String argument, 1 B → 1 MiB: `greeting(s)`\n\n" + sweep(
            est, "string_arg", "size", lambda ns, p: p / ns, args.results,
            "greeting(s): payload throughput", "GB/s of argument (log)", fmt_size,
            "argument size",
            "GB/s = argument bytes / time per call (the result, 4 bytes longer, also crosses "
            "back); `memcpy` copies the same bytes once in the host."),
        "### Record leaves, 13 → 65,536: `echo(r)`\n\n" + sweep(
            est, "record_leaves", "leaves", lambda ns, p: ns / p, args.results,
            "echo(record): ns per leaf", "ns per leaf (log)", lambda x: f"{x:,.0f}",
            "scalar leaves in the record",
            "ns per leaf = time per call / leaves; the record is lowered into the module and "
            "lifted back (13 leaves: one flat record; above 64: records of 4 records over "
            "64-field leaf records)."),
        "### Array of records, 1 → 10,000: `echo_array(a)`\n\n" + sweep(
            est, "record_array", "records", lambda ns, p: ns / p, args.results,
            "echo_array(records): ns per record", "ns per record (log)",
            lambda x: f"{x:,.0f}", "TestRecords in the array",
            "Each element is Marine's 13-field `TestRecord` (a string and a byte array among "
            "them); ns per record = time per call / records."),
        "### Three-module chain: url-downloader's `get_n_save`\n\n" + sweep(
            est, "chain", "body", lambda ns, p: ns / 1e3, args.results,
            "facade.get_n_save: µs per call", "µs per call (log)", fmt_size,
            "body bytes from the in-process curl",
            "facade → curl_adapter (its `curl` import answered in process with the body) → "
            "facade → local_storage.put (writes the body to a file through WASI); µs per call."),
        "### Loading a service from its Config.toml (in process)\n\n" + load_section(est) +
        "\n\n`Service::from_config_file` with `ServiceOptions::default()` against Marine's "
        "`TomlMarineConfig::load` + `Marine::with_raw_config`: read, compile, instantiate.",
        "### Through the `batch` protocol (process wall time)\n\n" +
        batch_section(os.path.join(args.results, "batch.json")),
    ]
    generated = "\n\n".join(parts)
    with open(os.path.join(args.results, "tables.md"), "w") as f:
        f.write(generated + "\n")
    with open(args.readme) as f:
        readme = f.read()
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    if begin in readme and end in readme:
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme = head + begin + "\n" + generated + "\n" + end + tail
        with open(args.readme, "w") as f:
            f.write(readme)
    print(f"wrote {args.results}/tables.md and the plots; README updated: "
          f"{begin in readme}")


if __name__ == "__main__":
    main()
