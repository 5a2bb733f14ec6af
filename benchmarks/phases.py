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


def timed(owner, name, label=None, key=None):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            steps.append((label or name, key(args, kwargs) if key else "", time.perf_counter() - began))

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
timed(checker, "read_blocks")
timed(checker, "load_constraints")
timed(Report, "to_file", "report written")
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
    steps.append(("rules", f"{len(rules)} rules", time.perf_counter() - began))


checker.run_rules = rules_timed
blocks, constraints, out = sys.argv[1:4]
sys.argv = ["yangao-geo", "check", blocks, "-c", constraints, "-o", out, "-q", "--overwrite"]
try:
    main()
except SystemExit:
    pass
steps.append(("total", "", time.perf_counter() - start))
print(json.dumps(steps))
"""


def run_once(folder: Path) -> list:
    """One fresh interpreter's steps: ``[(step, detail, seconds), …]``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        argv = [sys.executable, "-c", _CHILD, str(folder / "blocks.gpkg"), str(folder / "constraints.gpkg"), str(out)]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder with blocks.gpkg and constraints.gpkg")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [_by_step(run_once(args.folder)) for _ in range(args.repeat)]
    print(f"{args.folder}: {args.repeat} runs (seconds; – where a rule took under 3 ms in that run)")
    for key in dict.fromkeys(k for run in runs for k in run):  # every step, in the order the runs show them
        name, detail, _ = key
        cells = [run.get(key) for run in runs]
        print(f"{name:<28} {detail:<22} " + "  ".join("  –  " if c is None else f"{c:.3f}" for c in cells))


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
