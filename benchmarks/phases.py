"""Where one ``yangao-geo check`` spends its wall time: imports, blocks, each constraint layer, each rule, the report.

Usage::

    python benchmarks/phases.py benchmarks/.cache/hills/200x50000 [--repeat 3]

The folder holds ``blocks.gpkg`` and ``constraints.gpkg`` (``benchmarks/perf.py`` makes and caches them).
Each run is a fresh interpreter running the command line in-process, as ``yangao-geo check BLOCKS -c
CONSTRAINTS -o report.json -q`` does, with wall clocks around its steps. Profilers were not used for this: with
the work shared out to a pool of threads, a sampling profiler shows the calling thread waiting and
cProfile counts the waits where they happen, so neither says which step the time belongs to.

Printed per run (seconds): the imports, ``read_blocks``, each constraint layer's read (its reprojection is
then started on the pool's threads while the next layer is read) and, once all are read, the wait for each
layer's reprojection; ``load_constraints`` as a whole, each rule taking 3 ms or more, all the rules, the report
written, and the total from the interpreter's first line. A step's parts end before it does, so they print
above it.

``--timeline`` adds, for each run, how busy each of the pool's threads was during each step (the tasks the
pool ran, timed where they ran), with a bar of eighths per 25 ms: an empty bar is a stretch where only the
calling thread worked.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, sys, time
start = time.perf_counter()
import yangao_geo.checker as checker
import yangao_geo.layers as layers
from yangao_geo.cli.main import main
from yangao_geo.report import Report

steps = [("imports", "", time.perf_counter() - start)]
marks = [("imports", 0.0, time.perf_counter() - start)]  # (step, began, ended), seconds from the first line
pool = []  # (thread, began, ended) of every task the pool's threads ran
import threading
import yangao_geo.threads as threads

submitter = threads._submitter


def timed_submitter():
    submit = submitter()

    def run(fn, item):
        began = time.perf_counter()
        try:
            return fn(item)
        finally:
            pool.append((threading.current_thread().name, began - start, time.perf_counter() - start))

    return lambda fn, item: submit(lambda it: run(fn, it), item)


threads._submitter = timed_submitter


def timed(owner, name, label=None, key=None, mark=False):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            ended = time.perf_counter()
            steps.append((label or name, key(args, kwargs) if key else "", ended - began))
            if mark:
                marks.append((label or name, began - start, ended - start))

    setattr(owner, name, wrapper)


which_layer = lambda args, kwargs: kwargs.get("layer") or ""
timed(layers, "read_vector", "  read", key=which_layer)
load_layer_later = layers.load_layer_later


def layer_timed(*args, **kwargs):
    began = time.perf_counter()
    later = load_layer_later(*args, **kwargs)
    name = kwargs.get("layer") or ""
    steps.append(("layer read, reprojection started", name, time.perf_counter() - began))

    def finish():
        began = time.perf_counter()
        try:
            return later()
        finally:
            steps.append(("layer taken (waits for its reprojection)", name, time.perf_counter() - began))

    return layers.Later(finish, later.cancel)


layers.load_layer_later = layer_timed
timed(checker, "read_blocks", mark=True)
timed(checker, "_area_of_interest", "area of interest", mark=True)
timed(checker, "load_constraints", mark=True)
timed(Report, "to_file", "report written", mark=True)
run_rules = checker.run_rules


def rules_timed(ctx, rules, params, on_rule=None):
    last = [time.perf_counter()]

    def each(done, total, code):
        now = time.perf_counter()
        if now - last[0] >= 0.003:
            steps.append(("  rule", code, now - last[0]))
        last[0] = now

    began = time.perf_counter()
    run_rules(ctx, rules, params, on_rule=each)
    ended = time.perf_counter()
    steps.append(("rules", f"{len(rules)} rules", ended - began))
    marks.append(("rules", began - start, ended - start))


checker.run_rules = rules_timed
blocks, constraints, out = sys.argv[1:4]
sys.argv = ["yangao-geo", "check", blocks, "-c", constraints, "-o", out, "-q", "--overwrite"]
try:
    main()
except SystemExit:
    pass
steps.append(("total", "", time.perf_counter() - start))
marks.append(("total", 0.0, time.perf_counter() - start))
print(json.dumps({"steps": steps, "marks": marks, "pool": pool}))
"""


def run_once(folder: Path) -> dict:
    """One fresh interpreter's ``{"steps": [(step, detail, seconds), …], "marks": [(step, began, ended), …],
    "pool": [(thread, began, ended), …]}`` (times from the interpreter's first line)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        argv = [sys.executable, "-c", _CHILD, str(folder / "blocks.gpkg"), str(folder / "constraints.gpkg"), str(out)]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder with blocks.gpkg and constraints.gpkg")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeline", action="store_true", help="also how busy the pool's threads were in each step")
    args = parser.parse_args()
    done = [run_once(args.folder) for _ in range(args.repeat)]
    runs = [_by_step(run["steps"]) for run in done]
    print(f"{args.folder}: {args.repeat} runs (seconds; – where a rule took under 3 ms in that run)")
    for key in dict.fromkeys(k for run in runs for k in run):  # every step, in the order the runs show them
        name, detail, _ = key
        cells = [run.get(key) for run in runs]
        print(f"{name:<28} {detail:<22} " + "  ".join("  –  " if c is None else f"{c:.3f}" for c in cells))
    if args.timeline:
        for k, run in enumerate(done, 1):
            print(f"\nrun {k}: the pool's threads, busy share of each step (and of each {_WINDOW_MS} ms of it)")
            print(_timeline(run["marks"], run["pool"]))


_WINDOW_MS = 25


def _timeline(marks: list, pool: list) -> str:
    """Each step's start and length, and each pool thread's busy share over it and over its windows.

    A step with both threads idle is one whose work could not be shared out: it sets the wall time alone.
    """
    threads = sorted({name for name, _, _ in pool})
    lines = [f"{'step':<22} {'from s':>7} {'ms':>7}  " + "  ".join(f"{t:>9}" for t in threads) + "  windows"]

    def busy(thread, a, b):
        return sum(max(0.0, min(e, b) - max(s, a)) for name, s, e in pool if name == thread)

    for step, began, ended in marks:
        if step == "total":
            continue
        length = max(ended - began, 1e-9)
        shares = [busy(t, began, ended) / length for t in threads]
        windows = []
        w = began
        while w < ended:
            w_end = min(w + _WINDOW_MS / 1000, ended)
            share = sum(busy(t, w, w_end) for t in threads) / max(len(threads) * (w_end - w), 1e-9)
            windows.append(" ▁▂▃▄▅▆▇█"[min(8, round(share * 8))])
            w = w_end
        lines.append(
            f"{step:<22} {began:7.3f} {length * 1000:7.0f}  "
            + "  ".join(f"{100 * x:8.0f}%" for x in shares)
            + "  "
            + "".join(windows)
        )
    return "\n".join(lines)


def _by_step(steps: list) -> dict:
    """A run's steps as {(name, detail, n-th time seen): seconds}, in the run's order."""
    seen: dict = {}
    out: dict = {}
    for name, detail, seconds in steps:
        n = seen[(name, detail)] = seen.get((name, detail), 0) + 1
        out[(name, detail, n)] = seconds
    return out


if __name__ == "__main__":
    main()
