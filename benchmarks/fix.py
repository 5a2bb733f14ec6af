"""Proposing the compliant block (yangao_geo.fix) against county-size constraint layers, per block.

Usage::

    python benchmarks/fix.py [--blocks 200] [--parcels 50000] [--placement hills|anywhere]

Generates the synthetic county (``benchmarks/synthetic.py``: ``--blocks`` blocks, farmland of ``--parcels``
parcels, placed in the hills around the farmland basin or anywhere, in the farmland too), then times, in
the same process and on the same data:

* ``fix()`` — the whole pipeline per block: allowed area, fileable outline, rounding, the full re-check;
* ``fix(grid="15s")`` — the same, snapped inward to whole 15″ cells;
* ``floor`` — a plain ``block.difference(union of the features it meets)`` with shapely (STRtree query on the
  held layers), which is what any tool must at least do; the ratio says what the rest costs.

The bundled plan blocks are fixed too (against the bundled layers). Times are per block.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--placement", default="hills", choices=["hills", "anywhere"])
    args = parser.parse_args()
    from synthetic import build

    import yangao_geo
    from yangao_geo.layers import load_constraints

    start = time.perf_counter()
    bundled = yangao_geo.fix()
    t_bundled = (time.perf_counter() - start) / len(bundled.proposals)

    with tempfile.TemporaryDirectory() as tmp:
        data = build(args.blocks, args.parcels, Path(tmp), placement=args.placement)
        layers = load_constraints(data["constraints"])
        for name in layers.layers:
            layers.tree(name)
        blocks = yangao_geo.read_blocks(data["blocks"])[0][["block_id", "name", "kind", "mineral", "geometry"]]
        n = len(blocks)

        start = time.perf_counter()
        result = yangao_geo.fix(blocks, layers)
        t_fix = (time.perf_counter() - start) / n
        start = time.perf_counter()
        yangao_geo.fix(blocks, layers, grid="15s")
        t_grid = (time.perf_counter() - start) / n

        start = time.perf_counter()
        for geom in blocks.geometry.values:
            cut = []
            for name in ("eco_redline", "basic_farmland", "town_boundary", "mining_rights"):
                if name in layers.layers:
                    idx = layers.tree(name).query(geom, predicate="intersects")
                    cut.extend(layers.geometries(name)[idx])
            shapely.difference(geom, shapely.union_all(np.asarray(cut, dtype=object)))
        t_floor = (time.perf_counter() - start) / n
    kept = float(np.nanmean(result.proposals.kept_ratio))
    print("| data | blocks | fix() ms/block | fix(grid=15″) ms/block | floor ms/block | fix / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| bundled plan blocks | {len(bundled.proposals)} | {1000 * t_bundled:.0f} | | | |")
    print(
        f"| synthetic, {args.parcels} parcels, {args.placement} | {n} | {1000 * t_fix:.1f} | {1000 * t_grid:.1f} | "
        f"{1000 * t_floor:.2f} | {t_fix / t_floor:.0f}× |"
    )
    print(f"mean kept ratio {kept:.3f}")


if __name__ == "__main__":
    main()
