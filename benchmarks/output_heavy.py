"""Output-heavy runs: the time per million findings of message building, JSON, CSV and GeoPackage writing.

Usage::

    python benchmarks/output_heavy.py [--sizes 2000x200000,2000x500000] [--repeat 3]

The blocks are scattered over the farmland (``synthetic.py --placement anywhere``): most pairs are
parcels wholly inside a block, and a check has ~0.8 million findings at 200 000 parcels and ~1.9 million
at 500 000. For each size, in one process: one ``yangao_geo.check`` (every rule, the overlap pieces kept
so that the GeoPackage has its geometry), during which the overlap rules' own time is split into the
overlaps (intersections, areas) and the rest — recording each finding with what its message is made of
(``rules.overlaps._overlap_findings`` is wrapped to time the two apart). The overlap messages are worded
when a report reads them (``yangao_geo.rules.messages.WordedLater``): wording every message once, 5 000
findings at a time as the writers do, is timed on its own ("messages (worded)"), and is part of each
writer's time. Then the report is written as JSON, CSV and GeoPackage, each timed (median of
``--repeat``). Linear means the seconds per million findings stay level from one size to the next.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _data(cache: Path, n: int, f: int) -> Path:
    from synthetic import build

    data = cache / "anywhere" / f"{n}x{f}"
    if not (data / "constraints.gpkg").exists():
        build(n, f, data, placement="anywhere")
    return data


def measure(data: Path, repeat: int) -> dict:
    import yangao_geo
    from yangao_geo.rules import overlaps

    spent = {"overlaps": 0.0, "messages": 0.0}
    original = overlaps._overlap_findings

    def timed(ctx, layer, *args, **kwargs):
        start = time.perf_counter()
        ctx.overlaps(layer)  # computed (and cached) here, so that what follows is the findings' own work
        middle = time.perf_counter()
        original(ctx, layer, *args, **kwargs)
        spent["overlaps"] += middle - start
        spent["messages"] += time.perf_counter() - middle

    overlaps._overlap_findings = timed
    try:
        start = time.perf_counter()
        report = yangao_geo.check(data / "blocks.gpkg", data / "constraints.gpkg")
        check_s = time.perf_counter() - start
    finally:
        overlaps._overlap_findings = original
    n = report.n_findings
    start = time.perf_counter()
    for first in range(0, n, 5_000):
        report._finding_slice(["message"], first, first + 5_000, arrow=True)
    spent["worded"] = time.perf_counter() - start
    writes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".json", ".csv", ".gpkg"):
            runs = []
            for k in range(repeat):
                target = Path(tmp) / f"r{k}{suffix}"
                start = time.perf_counter()
                report.to_file(target)
                runs.append(time.perf_counter() - start)
                size = target.stat().st_size
                target.unlink()
            writes[suffix] = (statistics.median(runs), size)
    return {"findings": n, "check_s": check_s, **spent, "writes": writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000x200000,2000x500000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    args = parser.parse_args()
    rows = []
    for spec in args.sizes.split(","):
        n, f = (int(v) for v in spec.lower().split("x"))
        result = measure(_data(args.cache, n, f), args.repeat)
        rows.append((n, f, result))
        print(f"N={n} F={f}: {result['findings']:,} findings, check {result['check_s']:.1f} s", flush=True)
    print()
    print("| blocks × parcels | findings | step | seconds | seconds per million findings | output size |")
    print("|---|---:|---|---:|---:|---:|")
    for n, f, r in rows:
        per = 1e6 / max(r["findings"], 1)
        label = f"{n:,} × {f:,}"
        print(
            f"| {label} | {r['findings']:,} | findings recorded (overlap rules) | {r['messages']:.1f} | "
            f"{r['messages'] * per:.2f} | |"
        )
        print(f"| {label} | {r['findings']:,} | messages (worded) | {r['worded']:.1f} | {r['worded'] * per:.2f} | |")
        for suffix, (sec, size) in r["writes"].items():
            print(
                f"| {label} | {r['findings']:,} | write {suffix[1:].upper()} | {sec:.1f} | {sec * per:.2f} | "
                f"{size / 2**20:,.0f} MiB |"
            )


if __name__ == "__main__":
    main()
