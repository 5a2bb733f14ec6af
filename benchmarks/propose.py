"""Delineating from deposits (yangao_geo.propose) against county-size constraint layers, per deposit.

Usage::

    python benchmarks/propose.py [--deposits 100] [--parcels 50000] [--placement hills|anywhere]

Generates the synthetic county (``benchmarks/synthetic.py``), takes ``--deposits`` deposit outlines (the
synthetic blocks shrunk to a fifth of their radius around their centres), loads and indexes the layers
once, and times ``propose(kind="exploration")`` on the 1′ grid and on the 15″ grid and
``propose(kind="mining")``, per deposit; prints how many deposits were covered whole.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deposits", type=int, default=100)
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--placement", default="hills", choices=["hills", "anywhere"])
    args = parser.parse_args()
    import geopandas as gpd
    from synthetic import build

    import yangao_geo
    from yangao_geo.layers import load_constraints

    with tempfile.TemporaryDirectory() as tmp:
        data = build(args.deposits, args.parcels, Path(tmp), placement=args.placement)
        layers = load_constraints(data["constraints"])
        for name in layers.layers:
            layers.tree(name)
        blocks = yangao_geo.read_blocks(data["blocks"])[0]
        deposits = gpd.GeoDataFrame(
            {"block_id": blocks.block_id},
            geometry=[shapely.affinity.scale(g, 0.2, 0.2, origin="centroid") for g in blocks.geometry],
            crs=blocks.crs,
        )
        rows = []
        for label, options in (
            ("exploration, 1′ grid", {"kind": "exploration", "grid": "1min"}),
            ("exploration, 15″ grid", {"kind": "exploration", "grid": "15s"}),
            ("mining", {"kind": "mining", "margin_m": 20.0}),
        ):
            start = time.perf_counter()
            result = yangao_geo.propose(deposits, layers, mineral="铁", **options)
            seconds = time.perf_counter() - start
            p = result.proposals
            if "deposit_left_out_m2" in p.columns:  # mining: the outline minus what is avoided
                whole = int((p.deposit_left_out_m2 <= 1e-3).sum())
            else:
                whole = int((p.note.astype(str) == "").sum())
            rows.append((label, 1000 * seconds / len(deposits), whole))
    print(f"{args.deposits} deposits, {args.parcels} farmland parcels, {args.placement}")
    print("| proposal | ms/deposit | covered whole |")
    print("|---|---:|---:|")
    for label, ms, whole in rows:
        print(f"| {label} | {ms:.0f} | {whole} of {args.deposits} |")


if __name__ == "__main__":
    main()
