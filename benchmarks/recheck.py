"""Re-checking one edited block against county-size constraint layers: fresh check() vs a held Checker.

Usage::

    python benchmarks/recheck.py [--parcels 50000] [--repeat 20]

Generates the benchmark's synthetic county layers (``benchmarks/synthetic.py``; farmland of ``--parcels``
parcels), then times, in the same process, re-checking one block (the median of ``--repeat``):

* ``check()``: a fresh ``yangao_geo.check(block, layers)`` — the layers read and indexed each time;
* ``Checker.check``: ``yangao_geo.Checker(layers).check(block, keep_geometry=False)`` — layers held;
* ``floor``: the overlaps alone — STRtree query and exact intersection of the block with the held
  farmland and red-line geometries (no rules, no report).

Checks that the two checks give the same findings before printing the times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from synthetic import build

    import yangao_geo

    with tempfile.TemporaryDirectory() as tmp:
        data = build(20, args.parcels, Path(tmp))
        blocks = yangao_geo.read_blocks(data["blocks"])[0]
        one = blocks.iloc[[0]][["block_id", "name", "kind", "mineral", "geometry"]]
        layers = data["constraints"]

        def timed(fn):
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                out = fn()
                runs.append(time.perf_counter() - start)
            return statistics.median(runs), out

        t_fresh, fresh = timed(lambda: yangao_geo.check(one, layers, keep_geometry=False))
        checker = yangao_geo.Checker(layers)
        t_held, held = timed(lambda: checker.check(one, keep_geometry=False))
        assert fresh.to_dict()["findings"] == held.to_dict()["findings"], "the held checker must agree"
        cs = checker.constraints
        geom = one.geometry.iloc[0]

        def floor():
            total = 0.0
            for name in ("basic_farmland", "eco_redline"):
                idx = cs.tree(name).query(geom, predicate="intersects")
                total += float(shapely.area(shapely.intersection(geom, cs.geometries(name)[idx])).sum())
            return total

        t_floor, _ = timed(floor)
    print("| parcels | check() ms | Checker.check ms | floor ms | Checker / floor |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {args.parcels} | {1000 * t_fresh:.1f} | {1000 * t_held:.1f} | {1000 * t_floor:.2f} | "
        f"{t_held / t_floor:.1f}× |"
    )


if __name__ == "__main__":
    main()
