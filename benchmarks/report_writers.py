"""Report writers under load: the XLSX report against JSON and CSV, end to end, on two layouts.

Usage::

    python benchmarks/report_writers.py [--blocks 600 3000] [--repeat 3]

For each size, generates blocks in two layouts against the bundled constraint layers:

* ``scattered``: N 400 m squares spread over the county (few findings per block);
* ``dense``: N 1.2 km squares on a 1 km grid over the farmland basin (overlapping neighbours and
  farmland: many findings per block);

and times ``yangao-geo check BLOCKS -o r.json`` / ``-o r.csv`` / ``-o r.xlsx`` in the same run on the
same file (median of ``--repeat``). Prints a Markdown table with the XLSX/JSON ratio per layout and size.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

EXE = [sys.executable, "-m", "yangao_geo"]


def _blocks(n: int, layout: str) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    if layout == "scattered":
        x = rng.uniform(462_000, 500_000, n)
        y = rng.uniform(4_425_000, 4_475_000, n)
        geoms = [shapely.box(a, b, a + 400, b + 400) for a, b in zip(x, y)]
    else:
        side = int(np.ceil(np.sqrt(n)))
        geoms = [
            shapely.Point(474_000 + 1000 * (i % side), 4_436_000 + 1000 * (i // side)).buffer(600, cap_style=3)
            for i in range(n)
        ]
    return gpd.GeoDataFrame(
        {
            "block_id": [f"B{i:05d}" for i in range(n)],
            "name": [f"区块{i}" for i in range(n)],
            "kind": ["exploration"] * n,
            "mineral": ["铁"] * n,
        },
        geometry=geoms,
        crs=4547,
    )


def _time(args: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*EXE, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", default=[600, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in args.blocks:
            for layout in ("scattered", "dense"):
                path = root / f"{layout}_{n}.gpkg"
                _blocks(n, layout).to_file(path)
                times = {}
                for fmt in ("json", "csv", "xlsx"):
                    runs = []
                    for r in range(args.repeat):
                        out = root / f"{layout}_{n}_{r}.{fmt}"
                        runs.append(_time(["check", "-q", str(path), "-o", str(out)]))
                    times[fmt] = statistics.median(runs)
                findings = len(__import__("json").loads((root / f"{layout}_{n}_0.json").read_text())["findings"])
                rows.append((n, layout, findings, times))
    print("| blocks | layout | findings | JSON s | CSV s | XLSX s | XLSX / JSON |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n, layout, findings, t in rows:
        print(
            f"| {n} | {layout} | {findings} | {t['json']:.2f} | {t['csv']:.2f} | {t['xlsx']:.2f} | "
            f"{t['xlsx'] / t['json']:.2f}× |"
        )


if __name__ == "__main__":
    main()
