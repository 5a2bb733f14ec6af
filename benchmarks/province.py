"""Province scale: a farmland layer of millions of parcels, on this machine and on a Dask cluster.

Usage::

    python benchmarks/province.py                        # F = 5 000 000 parcels, N = 2 000 blocks, 2 workers
    python benchmarks/province.py --farmland 500000      # a smaller run of the same steps

Steps, each a ``yangao-geo`` command in its own process (wall time and peak memory, VmHWM, recorded):

1. the data (``synthetic.py``: EPSG:4490 GeoPackage; the farmland basin grows with F) — cached;
2. ``yangao-geo partition`` of the farmland layer into GeoParquet parts (dask-geopandas, Hilbert order) —
   the one-time preparation a province's layer gets, cached;
3. ``yangao-geo check`` end to end (every rule, JSON written) with the farmland layer
   (a) in the GeoPackage, streamed through its spatial index on this machine;
   (b) as partitioned GeoParquet on this machine;
   (c) as partitioned GeoParquet on a Dask ``LocalCluster`` (``--dask ADDRESS``): the workers read the
       parts, the driver never holds the layer. The workers' peak memory is reported too.

Before any figure is printed, every run's findings (block, rule, layer, feature, overlap m², severity) are
checked identical, as sets: the GeoPackage and the parts list a block's parcels in different orders.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from perf import peak_of  # noqa: E402  (same folder)


def _run(cmd: list[str]) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    peak = peak_of(proc)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # 1: findings at fail level, a normal result
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return {"wall": wall, "peak_mib": peak}


def _findings(path: Path) -> list:
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        (f["block_id"], f["rule_id"], f["layer"], f["feature_id"], f["overlap_m2"], f["severity"])
        for f in doc["findings"]
    ]
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def _worker_peaks(client) -> list[float]:
    def vmhwm():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    return sorted(client.run(vmhwm).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=2_000)
    parser.add_argument("--farmland", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    args = parser.parse_args()
    data = args.cache / f"{args.blocks}x{args.farmland}"
    blocks, constraints = data / "blocks.gpkg", data / "constraints.gpkg"
    yangao = [sys.executable, "-m", "yangao_geo"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    steps = {}
    if not constraints.exists():
        import synthetic

        t0 = time.perf_counter()
        counts = synthetic.build(args.blocks, args.farmland, data)["counts"]
        print(f"data generated in {time.perf_counter() - t0:.0f} s: {counts}")
    parts = data / "basic_farmland.parquet"
    if not parts.exists():
        steps["partition (once)"] = _run(
            [*yangao, "partition", str(constraints), str(parts), "--layer", "basic_farmland"]
        )
    n_parts = len(list(parts.glob("*.parquet")))

    outputs = {}

    def check(label: str, extra: list[str], dask: str | None = None) -> None:
        out = data / f"_province_{len(outputs)}.json"
        out.unlink(missing_ok=True)
        cmd = [*yangao, "check", str(blocks), *extra, "-o", str(out), "-q"]
        steps[label] = _run(cmd + (["--dask", dask] if dask else []))
        outputs[label] = out

    check("check, farmland in the GeoPackage (streamed)", ["-c", str(constraints)])
    check("check, farmland as GeoParquet parts", ["-c", str(parts), "-c", str(constraints)])
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, dashboard_address=None, memory_limit=0
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        label = f"check, GeoParquet parts on Dask ({args.workers} workers)"
        check(label, ["-c", str(parts), "-c", str(constraints)], dask=cluster.scheduler_address)
        steps[label]["workers_mib"] = _worker_peaks(client)

    reference = None
    for label, path in outputs.items():
        rows = _findings(path)
        if reference is None:
            reference = rows
        elif rows != reference:
            raise SystemExit(f"{label}: findings differ from the first run's")
    o203 = sum(1 for r in reference if r[1] == "O203")
    print(
        f"\nN = {args.blocks:,} blocks, F = {args.farmland:,} parcels ({n_parts} GeoParquet parts); "
        f"{len(reference):,} findings ({o203:,} farmland overlaps), identical in every run\n"
    )
    print("| step | wall time (s) | peak memory (MiB) | note |\n|---|---:|---:|---|")
    for label, r in steps.items():
        note = ""
        if "workers_mib" in r:
            note = "driver; workers' peaks " + ", ".join(f"{w:,.0f}" for w in r["workers_mib"]) + " MiB"
        print(f"| {label} | {r['wall']:.1f} | {r['peak_mib']:,.0f} | {note} |")


if __name__ == "__main__":
    main()
