"""The large reference size checked on a Dask LocalCluster against the single-machine run.

``python benchmarks/dask_run.py [--workers 2]``: times ``yangao_geo.check`` (library call, no JSON) both
ways on ``benchmarks/.cache/2000x500000`` (made by ``perf.py``) and checks that the findings are identical.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import distributed

import yangao_geo

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=HERE / ".cache" / "2000x500000")
    args = parser.parse_args()
    blocks, constraints = args.data / "blocks.gpkg", args.data / "constraints.gpkg"
    t0 = time.perf_counter()
    local = yangao_geo.check(blocks, constraints)
    t_local = time.perf_counter() - t0
    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None)
    with distributed.Client(cluster) as client:
        t0 = time.perf_counter()
        remote = yangao_geo.check(blocks, constraints, dask=client)
        t_dask = time.perf_counter() - t0
    cluster.close()
    same = remote.to_dict()["findings"] == local.to_dict()["findings"]
    print(
        f"| run | wall time (s) | findings | identical |\n|---|---:|---:|---|\n"
        f"| single machine | {t_local:.1f} | {len(local.findings):,} | |\n"
        f"| Dask LocalCluster, {args.workers} workers | {t_dask:.1f} | {len(remote.findings):,} | {same} |"
    )


if __name__ == "__main__":
    main()
