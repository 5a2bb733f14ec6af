"""Deterministic synthetic data around Yanggao for the performance benchmarks (EPSG:4490 files, like real deliveries).

``python benchmarks/synthetic.py --blocks 200 --farmland 50000 --out DIR`` writes ``DIR/blocks.gpkg`` and
``DIR/constraints.gpkg`` (layers mining_rights, eco_redline, basic_farmland, town_boundary, county_boundary):

* N blocks of 0.1–60 km² (log-uniform), some multipart, some with holes; placed as plan blocks are, in the
  hills around the farmland basin, one in four across the basin's edge (``--placement anywhere`` scatters
  them over farmland too: a stress test of the output side);
* 500 mining rights; 50 red-line polygons of ~20 000 vertices with holes; 5 town polygons;
* F permanent-farmland parcels (80 m lattice, 12–40 vertices) tiling a basin whose size grows with F, without
  overlaps (a jittered lattice whose shared edges carry the same intermediate points on both sides).

Everything is built in EPSG:4547 metres and written in EPSG:4490, with every edge shorter than 30 m, so that
densifying at yangao_geo's lon/lat step (4.5e-4°) adds no vertex: every method compared in the benchmark
sees exactly the same polygons. The same arguments give the same files.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely import GeometryType

TO_DEG = pyproj.Transformer.from_crs(4547, 4490, always_xy=True)
CENTRE = (479_000.0, 4_450_000.0)  # about 113.76°E 40.2°N
HALF = 40_000.0  # the study area is 80 km × 80 km


def _lonlat(geoms):
    return shapely.transform(geoms, lambda c: np.column_stack(TO_DEG.transform(c[:, 0], c[:, 1])))


def _blob(cx, cy, r, rng, n, wobble, hf=0.0):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ph = rng.uniform(0, 2 * np.pi, 4)
    rad = r * (
        1
        + wobble * (np.sin(3 * t + ph[0]) + 0.6 * np.sin(5 * t + ph[1]) + 0.3 * np.sin(9 * t + ph[2])) / 1.9
        + hf * np.sin(173 * t + ph[3])
    )
    return shapely.Polygon(np.column_stack([cx + rad * np.cos(t), cy + rad * np.sin(t)]))


def farmland(n_parcels: int, seed: int = 1) -> np.ndarray:
    """About ``n_parcels`` non-overlapping 80 m parcels of 12–40 vertices tiling a square basin."""
    rng = np.random.default_rng(seed)
    cell = 80.0
    n = round(math.sqrt(n_parcels))
    side = n * cell
    x0, y0 = CENTRE[0] - side / 2, CENTRE[1] - side / 2
    jitter = cell * 0.15
    gx = x0 + cell * np.arange(n + 1)[:, None] + rng.uniform(-jitter, jitter, (n + 1, n + 1))
    gy = y0 + cell * np.arange(n + 1)[None, :] + rng.uniform(-jitter, jitter, (n + 1, n + 1))
    # intermediate points of every lattice edge: 2..9 per edge, shared by the two cells on its sides
    m_h = 2 + (np.arange(n * (n + 1)).reshape(n, n + 1) * 2654435761 % 8)  # edge (i,j)-(i+1,j)
    m_v = 2 + (np.arange((n + 1) * n).reshape(n + 1, n) * 40503 % 8)  # edge (i,j)-(i,j+1)
    wig = cell * 0.04

    def edge_points(xa, ya, xb, yb, m, key):
        t = (np.arange(1, m + 1) / (m + 1))[:, None]
        off = np.sin(key * 12.9898 + np.arange(1, m + 1) * 78.233) * wig
        dx, dy = xb - xa, yb - ya
        length = math.hypot(dx, dy)
        return np.column_stack([xa + t[:, 0] * dx - off * dy / length, ya + t[:, 0] * dy + off * dx / length])

    h_pts = {
        (i, j): edge_points(gx[i, j], gy[i, j], gx[i + 1, j], gy[i + 1, j], m_h[i, j], i * 7919 + j)
        for i in range(n)
        for j in range(n + 1)
    }
    v_pts = {
        (i, j): edge_points(gx[i, j], gy[i, j], gx[i, j + 1], gy[i, j + 1], m_v[i, j], i * 104729 + j + 3)
        for i in range(n + 1)
        for j in range(n)
    }
    rings, offsets = [], [0]
    for i in range(n):
        for j in range(n):
            ring = np.concatenate(
                [
                    [[gx[i, j], gy[i, j]]],
                    h_pts[(i, j)],
                    [[gx[i + 1, j], gy[i + 1, j]]],
                    v_pts[(i + 1, j)],
                    [[gx[i + 1, j + 1], gy[i + 1, j + 1]]],
                    h_pts[(i, j + 1)][::-1],
                    [[gx[i, j + 1], gy[i, j + 1]]],
                    v_pts[(i, j)][::-1],
                    [[gx[i, j], gy[i, j]]],
                ]
            )
            rings.append(ring)
            offsets.append(offsets[-1] + len(ring))
    coords = np.concatenate(rings)
    ring_offsets = np.asarray(offsets, dtype=np.int64)
    poly_offsets = np.arange(len(rings) + 1, dtype=np.int64)
    return shapely.from_ragged_array(GeometryType.POLYGON, coords, (ring_offsets, poly_offsets))


def _place(rng, r, basin_half, placement):
    """A block centre: anywhere, or (``hills``) in the hills around the farmland basin, 1 in 4 across its edge.

    Blocks are placed in the 80 km study area, or — when the basin outgrows it (a province-scale layer,
    F > ~1 million) — in a square 10 km wider than the basin.
    """
    cx, cy = CENTRE
    half = max(HALF, basin_half + 10_000.0)
    while True:
        x, y = cx + rng.uniform(-half + r, half - r), cy + rng.uniform(-half + r, half - r)
        if placement == "anywhere":
            return x, y
        d = max(abs(x - cx), abs(y - cy)) - basin_half  # > 0 outside the basin square
        if d > r or (rng.uniform() < 0.25 and abs(d) < r):
            return x, y


def build(n_blocks: int, n_farmland: int, out: Path, seed: int = 7, placement: str = "hills") -> dict:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    cx, cy = CENTRE
    basin_half = round(math.sqrt(n_farmland)) * 80.0 / 2

    blocks, kinds = [], []
    areas = np.exp(rng.uniform(math.log(0.1e6), math.log(60e6), n_blocks))
    for k in range(n_blocks):
        r = math.sqrt(areas[k] / math.pi)
        x, y = _place(rng, r, basin_half, placement)
        g = _blob(x, y, r, rng, 48, 0.25)
        if k % 10 == 3:  # a hole
            g = g.difference(_blob(x, y, r * 0.3, rng, 24, 0.1))
        elif k % 10 == 7:  # a second part
            g = shapely.MultiPolygon([g, _blob(x + 2.6 * r, y, r * 0.4, rng, 24, 0.1)])
        blocks.append(shapely.segmentize(g, 30.0))
        kinds.append(("exploration", "mining", "concentrated")[k % 3])
    block_gdf = gpd.GeoDataFrame(
        {
            "block_id": [f"B{k:05d}" for k in range(n_blocks)],
            "kind": kinds,
            "mineral": [("铁", "金", "建筑用砂")[k % 3] for k in range(n_blocks)],
        },
        geometry=_lonlat(np.array(blocks, dtype=object)),
        crs=4490,
    )

    rights = [
        _blob(
            cx + rng.uniform(-HALF, HALF),
            cy + rng.uniform(-HALF, HALF),
            math.sqrt(rng.uniform(0.05e6, 2e6) / math.pi),
            rng,
            12,
            0.2,
        )
        for _ in range(500)
    ]
    rights = shapely.segmentize(np.array(rights, dtype=object), 30.0)
    red = []
    for _ in range(50):
        r = rng.uniform(2_000, 6_000)
        x, y = cx + rng.uniform(-HALF, HALF), cy + rng.uniform(-HALF, HALF)
        shell = _blob(x, y, r, rng, 20_000, 0.3, hf=0.01)
        holes = [
            _blob(x + rng.uniform(-0.3, 0.3) * r, y + rng.uniform(-0.3, 0.3) * r, r * 0.12, rng, 400, 0.1)
            for _ in range(int(rng.integers(1, 4)))
        ]
        poly = shapely.Polygon(shell.exterior.coords, [h.exterior.coords for h in holes if shell.contains(h)])
        red.append(shapely.make_valid(poly) if not poly.is_valid else poly)
    towns = [
        shapely.segmentize(
            _blob(cx + rng.uniform(-HALF, HALF), cy + rng.uniform(-HALF, HALF), 2_500, rng, 60, 0.2), 30.0
        )
        for _ in range(5)
    ]
    county = shapely.segmentize(
        shapely.box(cx - HALF - 5_000, cy - HALF - 5_000, cx + HALF + 5_000, cy + HALF + 5_000), 30.0
    )
    parcels = farmland(n_farmland)

    def frame(geoms, prefix):
        geoms = np.asarray(geoms, dtype=object)
        return gpd.GeoDataFrame(
            {"feature_id": [f"{prefix}{i:07d}" for i in range(len(geoms))]}, geometry=_lonlat(geoms), crs=4490
        )

    layers = {
        "mining_rights": frame(rights, "C"),
        "eco_redline": frame(red, "RL"),
        "basic_farmland": frame(parcels, "F"),
        "town_boundary": frame(towns, "T"),
        "county_boundary": frame([county], "X"),
    }
    blocks_path, constraints_path = out / "blocks.gpkg", out / "constraints.gpkg"
    for p in (blocks_path, constraints_path):
        if p.exists():
            p.unlink()
    block_gdf.to_file(blocks_path, layer="blocks", engine="pyogrio")
    for name, gdf in layers.items():
        gdf.to_file(constraints_path, layer=name, engine="pyogrio", append=constraints_path.exists())
    return {"blocks": blocks_path, "constraints": constraints_path, "counts": {k: len(v) for k, v in layers.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=200)
    parser.add_argument("--farmland", type=int, default=50_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--placement", choices=["hills", "anywhere"], default="hills")
    args = parser.parse_args()
    print(build(args.blocks, args.farmland, args.out, placement=args.placement))


if __name__ == "__main__":
    main()
