"""Batch throughput: one ``yangao-geo check DIR`` run against a shell loop of one process per file.

Usage::

    python benchmarks/batch_throughput.py [--files 54] [--jobs 2] [--repeat 3]

Generates the same mixed folder the tests use (shapefile/GeoPackage/GeoJSON, GBK shapefiles, some broken
files), then times, in the same run on the same folder:

* ``loop``: ``for f in files: yangao-geo check f -q -o OUT/f.json`` (what a shell script does today);
* ``batch``: ``yangao-geo check DIR -o OUT --jobs N -q``.

Prints files per minute for each and the ratio, as a Markdown table (median of ``--repeat`` runs).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from submissions import make_submissions

EXE = [sys.executable, "-m", "yangao_geo"]


def _loop(files, out: Path) -> float:
    start = time.perf_counter()
    for i, f in enumerate(files):
        subprocess.run([*EXE, "check", f, "-q", "-o", str(out / f"{i}.json")], capture_output=True)
    return time.perf_counter() - start


def _batch(root: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([*EXE, "check", str(root), "-q", "-o", str(out), "--jobs", str(jobs)], capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=54)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "subs"
        files = sorted(make_submissions(root, n=args.files))
        loop_times, batch_times = [], []
        for r in range(args.repeat):
            (Path(tmp) / f"loop{r}").mkdir()
            loop_times.append(_loop(files, Path(tmp) / f"loop{r}"))
            batch_times.append(_batch(root, Path(tmp) / f"batch{r}", args.jobs))
    loop_t, batch_t = statistics.median(loop_times), statistics.median(batch_times)
    n = len(files)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{n} inputs (some broken), median of {args.repeat} runs\n")
    print("| method | wall time (s) | files per minute | ratio to batch |")
    print("|---|---:|---:|---:|")
    print(f"| shell loop, one process per file | {loop_t:.1f} | {60 * n / loop_t:.0f} | {loop_t / batch_t:.1f}× |")
    print(f"| `yangao-geo check DIR --jobs {args.jobs}` | {batch_t:.1f} | {60 * n / batch_t:.0f} | 1.0× |")


if __name__ == "__main__":
    main()
