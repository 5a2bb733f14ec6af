"""County-size constraint layers from PostGIS against the same layers from files, in the same run.

Usage::

    python benchmarks/postgis.py [--blocks 20] [--parcels 50000] [--placement hills|anywhere]

Starts a throwaway PostgreSQL 15 + PostGIS 3 cluster (``tests/pg_cluster.py``; Debian's
postgresql-15-postgis-3), loads the synthetic county (``benchmarks/synthetic.py``) into it, then times
``yangao_geo.check(blocks, layers)`` with the layers from the GeoPackage and from the database URL (the median
of ``--repeat``), checks that both give the same findings, and prints the rows the database path fetched
(only the rows whose boxes meet the blocks) against the rows the tables hold.
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
sys.path.insert(0, str(HERE.parent / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--placement", default="hills", choices=["hills", "anywhere"])
    args = parser.parse_args()
    import geopandas as gpd
    import psycopg
    import pyogrio
    from synthetic import build

    import yangao_geo
    from pg_cluster import cluster, upload

    with tempfile.TemporaryDirectory() as tmp, cluster() as (url, _):
        data = build(args.blocks, args.parcels, Path(tmp), placement=args.placement)
        layers = data["constraints"]
        start = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            for name, _ in pyogrio.list_layers(layers):
                upload(conn, gpd.read_file(layers, layer=name), name)
        t_load = time.perf_counter() - start

        def timed(source):
            runs, report = [], None
            for _ in range(args.repeat):
                start = time.perf_counter()
                report = yangao_geo.check(data["blocks"], source, keep_geometry=False)
                runs.append(time.perf_counter() - start)
            return statistics.median(runs), report

        t_file, by_file = timed(layers)
        t_db, by_db = timed(url)
        assert by_file.to_dict()["findings"] == by_db.to_dict()["findings"], "the database path must agree"
        fetched = {i.role: i.features for i in by_db.inputs if i.role != "blocks"}
        total = {i.role: i.features for i in by_file.inputs if i.role != "blocks"}
    print(f"{args.blocks} blocks in the {args.placement}, {args.parcels} parcels")
    print(f"(loading the layers into PostGIS: {t_load:.1f} s, not counted)")
    print("| layers from | check() s | × file |")
    print("|---|---:|---:|")
    print(f"| GeoPackage | {t_file:.2f} | 1.00 |")
    print(f"| PostGIS URL | {t_db:.2f} | {t_db / t_file:.2f} |")
    print("\n| layer | rows fetched from PostGIS | features read from the file |")
    print("|---|---:|---:|")
    for name in sorted(fetched):
        print(f"| {name} | {fetched[name]} | {total.get(name, '')} |")


if __name__ == "__main__":
    main()
