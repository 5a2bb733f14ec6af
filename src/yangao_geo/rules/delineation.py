"""B3xx: block delineation rules (划定原则) of 第三章第三节."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely

from ..area import basic_unit_block_area
from ..findings import text_array
from ..i18n import N_, t
from ..threads import chunks, map_ordered
from .messages import WordedLater, area_text, km2, percent
from .registry import rule

_MIN_UNIT = "第三章第三节 二(二)1(5) 拟设勘查规划区块面积原则上不小于1个基本单位区块"
_SPLIT = (
    "第三章第三节 二(二)1(6) 单矿床不可分割设置勘查规划区块；三(二)3 严禁大矿小开，一矿多开；"
    "第四章第三节 严禁大矿小开、一矿多开"
)
_PARTIAL = "第三章第三节 三(二)3 严禁大矿小开；第四章第三节 矿山设计开采规模须与矿床资源储量规模相适应"
_BLOCKS = (
    "第三章第三节 二(二)1(1)、三(二)1(1) 区块不得与矿业权重叠 — 相互重叠的规划区块出让后必然形成重叠矿业权；"
    "三(二)3 严格落实规划区块划定的范围"
)
#: deposits are split when they fall in several blocks of the same family
_FAMILY = {"exploration": "exploration", "mining": "mining", "concentrated": "mining"}
_FAMILY_LABEL = {"exploration": N_("exploration"), "mining": N_("mining")}


@rule(
    code="B301",
    name="block.min_unit",
    severity="fail",
    kinds={"exploration"},
    params={"cell_minutes": 1.0},
    citation=_MIN_UNIT,
)
def block_min_unit(ctx, params):
    """An exploration block is smaller than one basic unit block (1′×1′).

    Fail: the block's ellipsoidal area is below the area of a 1′×1′
    latitude/longitude cell centred on the block's latitude (the middle of its
    latitude range; about 2.63 km² in Yanggao) by more than the area
    tolerance, so a block of exactly one cell passes. Parameter
    ``cell_minutes`` (default 1.0).
    """
    minutes = float(params["cell_minutes"])
    positions = ctx.block_positions({"exploration"}, spatial=True)
    if len(positions) == 0:
        return
    areas = ctx.blocks["area_m2"].to_numpy(dtype=float)[positions]
    extent = shapely.bounds(ctx.lonlat_geometry(positions))  # the blocks brought to lon/lat in one call
    for pos, area, south, north in zip(positions.tolist(), areas.tolist(), extent[:, 1], extent[:, 3]):
        lat = float(south + north) / 2
        unit = basic_unit_block_area(lat, minutes)
        if area < unit - ctx.tolerance_m2:
            ctx.add(
                pos,
                "fail",
                t(
                    "area {area} is below one basic unit block ({minutes}′×{minutes}′ = {unit} at {lat}°N): "
                    "{fraction} of a unit",
                    area=km2(area),
                    minutes=f"{minutes:g}",
                    unit=km2(unit),
                    lat=f"{lat:.4f}",
                    fraction=f"{area / unit:.3f}",
                ),
            )


@rule(code="B302", name="deposit.split", severity="fail", layers=("deposits",), citation=_SPLIT)
def deposit_split(ctx, params):
    """A deposit is split across two or more blocks of the same family.

    Fail: a deposit overlaps, each beyond the tolerance, two or more exploration
    blocks (单矿床不可分割), or two or more mining/concentrated blocks (一矿多开).
    An exploration block and a mining block over the same deposit are not a
    split (that is the exploration-to-mining sequence).
    """
    ov = ctx.overlaps("deposits")
    deposit_ids = ctx.layer("deposits")["feature_id"].to_numpy()
    kinds, block_ids = ctx.block_kinds, ctx.blocks["block_id"].to_numpy(dtype=object)
    groups: dict[tuple, list] = defaultdict(list)
    for pos, feat, geom, area, hair in zip(ov.block, ov.feature, ov.geometry, ov.area_m2, ov.hairline):
        if ctx.significant(area) and not hair:
            groups[(feat, _FAMILY[kinds[pos]])].append((pos, geom, area))
    for (feat, family), members in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if len({pos for pos, _, _ in members}) < 2:
            continue
        ids = ", ".join(str(block_ids[pos]) for pos, _, _ in members)
        for pos, geom, area in members:
            ctx.add(
                pos,
                "fail",
                t(
                    "deposit {deposit} is split across {count} {family} blocks ({ids}); this block holds {area} of it",
                    deposit=deposit_ids[feat],
                    count=len(members),
                    family=t(_FAMILY_LABEL[family]),
                    ids=ids,
                    area=area_text(area),
                ),
                layer="deposits",
                feature_id=deposit_ids[feat],
                overlap_m2=area,
                geometry=geom,
            )


@rule(
    code="B303",
    name="deposit.partial",
    severity="warn",
    kinds={"mining", "concentrated"},
    layers=("deposits",),
    citation=_PARTIAL,
)
def deposit_partial(ctx, params):
    """A mining block covers only part of a deposit it overlaps (大矿小开).

    Warn: the deposit's area outside the block exceeds the tolerance.
    Pass: the block covers the whole deposit.
    """
    ov = ctx.overlaps("deposits")
    deposits = ctx.layer("deposits")
    deposit_areas = ctx.layer_areas("deposits")
    ids = deposits["feature_id"].to_numpy()
    kinds = ctx.block_kinds
    for pos, feat, geom, area, hair in zip(ov.block, ov.feature, ov.geometry, ov.area_m2, ov.hairline):
        if kinds[pos] not in ("mining", "concentrated") or not ctx.significant(area) or hair:
            continue
        outside = deposit_areas[feat] - area
        if ctx.significant(outside):
            ctx.add(
                pos,
                "warn",
                t(
                    "covers only {share} of deposit {deposit} ({outside} of it lies outside the block)",
                    share=percent(area / deposit_areas[feat]),
                    deposit=ids[feat],
                    outside=area_text(outside),
                ),
                layer="deposits",
                feature_id=ids[feat],
                overlap_m2=area,
                geometry=geom,
            )


@rule(code="B304", name="blocks.overlap", severity="fail", citation=_BLOCKS)
def blocks_overlap(ctx, params):
    """Two proposed blocks overlap each other.

    Fail: overlap above the tolerance, reported on both blocks.
    Warn: a sliver. Info: a hair-line piece narrower than the width tolerance everywhere (a shared
    edge drawn in two CRSs). Pass: the blocks only share an edge.
    """
    ov = ctx.block_overlaps()
    ids = ctx.blocks["block_id"].to_numpy(dtype=object)
    block_areas = ctx.block_areas
    # each pair on both of its blocks; a block's findings ordered by the other block
    pos = np.concatenate([ov.block, ov.feature])
    other = np.concatenate([ov.feature, ov.block])
    order = np.lexsort((other, pos))
    pos, other = pos[order], other[order]
    area = np.concatenate([ov.area_m2, ov.area_m2])[order]
    geoms = np.concatenate([ov.geometry, ov.geometry])[order]
    hair = np.concatenate([ov.hairline, ov.hairline])[order]
    # the three words themselves, referred to by every pair (not a string object a pair)
    severity = np.array(["warn", "fail", "info"], dtype=object)[np.where(hair, 2, area > ctx.tolerance_m2)]
    joined = t("{message}; {note}")
    notes = {
        "warn": t("sliver at or below the {tolerance} m² tolerance", tolerance=f"{ctx.tolerance_m2:g}"),
        "info": t(
            "narrower than {width} m everywhere: a shared edge within coordinate precision, not an overlap",
            width=f"{ctx.width_tolerance_m:g}",
        ),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = area / block_areas[pos]
    others = text_array(ids[other])  # one copy, for the feature_id column and the messages
    messages = WordedLater(  # worded when a report reads them, as the overlap rules' messages
        t("overlaps proposed block {block} by {area}, {ratio} of the block"),
        {"block": others, "area": ("area", area), "ratio": ("percent", ratio)},
        notes=np.array([notes.get(sev, "") for sev in severity], dtype=object),
        joined=joined,
    )
    ctx.add_many(pos, severity, messages, layer="blocks", feature_ids=others, overlap_m2=area, geometries=geoms)


@rule(
    code="B305",
    name="grid.alignment",
    severity="info",
    kinds={"exploration"},
    params={"severity": "info", "tolerance_arcsec": 0.001},
    citation=_MIN_UNIT + "；《矿产资源勘查区块登记管理办法》第三条 以经纬度1′×1′划分的区块为基本单位区块",
)
def grid_alignment(ctx, params):
    """How an exploration block sits on the 1′×1′ basic-unit grid.

    Reports, per exploration block: the 1′×1′ cells it touches and those it
    covers whole, and how many corner points lie on the 1′ and on the 30″
    grid (within ``tolerance_arcsec``, default 0.001″ — the 3-decimal seconds
    of registration data). Severity ``info`` by default (parameter
    ``severity``): whether current rules still require grid-aligned edges is
    not settled.
    """
    severity = str(params["severity"])
    if severity not in ("info", "warn", "fail"):
        raise ValueError(t("B305 severity must be info, warn or fail, got {severity}", severity=repr(severity)))
    tol = float(params["tolerance_arcsec"])
    positions = ctx.block_positions({"exploration"}, spatial=True)
    lonlat = ctx.lonlat_geometry(np.asarray(positions, dtype=int))
    counts = map_ordered(  # each block's cells on its own: on every core (GEOS releases the GIL)
        lambda r: [cells_touched_and_covered(g) for g in lonlat[r[0] : r[1]]], chunks(len(positions), minimum=32)
    )
    counts = [c for part in counts for c in part]
    vertices = ctx.block_column("lonlat_vertices")[np.asarray(positions, dtype=int)]
    corners, on_minute, on_half = corners_on_grid(vertices, tol)
    for pos, (touched, covered), n, minute, half in zip(positions, counts, corners, on_minute, on_half):
        aligned = minute == n
        ctx.add(
            pos,
            "info" if aligned else severity,
            t(
                "touches {touched} and covers {covered} whole 1′×1′ basic unit blocks; {on_minute} of {corners} "
                "corner points on the 1′ grid, {on_half} on the 30″ grid{note}",
                touched=touched,
                covered=covered,
                on_minute=int(minute),
                corners=int(n),
                on_half=int(half),
                note="" if aligned else t(" (not aligned to the 1′ grid)"),
            ),
        )


def corners_on_grid(geoms, tolerance_arcsec: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each lon/lat polygon: how many corner points it has (every ring's points but its closing repeat of
    the first), and how many of them lie on the 1′ and on the 30″ grid (:func:`on_grid`); all polygons'
    corners judged in one pass.

    Examples
    --------
    >>> square = shapely.box(113.5, 40.0, 113.5 + 1 / 60, 40.0 + 1 / 120)   # 1′ wide, 30″ high
    >>> corners, on_minute, on_half = corners_on_grid([square, None], 0.001)
    >>> corners.tolist(), on_minute.tolist(), on_half.tolist()
    ([4, 0], [2, 0], [4, 0])
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    closing = np.ones(len(coord_ring), dtype=bool)  # each ring's last point repeats its first
    closing[:-1] = coord_ring[1:] != coord_ring[:-1]
    owner = part_owner[ring_part[coord_ring[~closing]]]
    corners = coords[~closing]
    n = len(geoms)
    counts = [np.bincount(owner, minlength=n)]
    for step in (60.0, 30.0):
        counts.append(np.bincount(owner[on_grid(corners, step, tolerance_arcsec)], minlength=n))
    return counts[0], counts[1], counts[2]


def on_grid(lonlat: np.ndarray, step_arcsec: float, tolerance_arcsec: float) -> np.ndarray:
    """True for each (lon, lat) point whose both coordinates are multiples of ``step_arcsec``."""
    seconds = np.asarray(lonlat, dtype=float) * 3600.0
    off = np.abs(seconds - np.round(seconds / step_arcsec) * step_arcsec)
    return (off <= tolerance_arcsec).all(axis=1)


def cells_touched_and_covered(lonlat_geom, minutes: float = 1.0) -> tuple[int, int]:
    """Count the lon/lat grid cells (``minutes`` wide) whose interior the polygon meets, and those it covers.

    The polygon's share of each cell is the area of the polygon clipped to the cell (GEOS's rectangle
    clipping: one pass over the polygon's edges, 4-5× cheaper than an overlay; tested to give the overlay's
    counts, ``tests/test_fast_paths.py``).

    Examples
    --------
    >>> cells_touched_and_covered(shapely.box(0, 0, 2.5 / 60, 1 / 60))  # 2½ cells wide, one cell high
    (3, 2)
    """
    step = minutes / 60.0
    minx, miny, maxx, maxy = lonlat_geom.bounds
    xs = np.arange(np.floor(minx / step + 1e-9), np.ceil(maxx / step - 1e-9)) * step
    ys = np.arange(np.floor(miny / step + 1e-9), np.ceil(maxy / step - 1e-9)) * step
    if len(xs) == 0 or len(ys) == 0:
        return 0, 0
    shared = np.array(
        [shapely.area(shapely.clip_by_rect(lonlat_geom, x, y, x + step, y + step)) for y in ys for x in xs]
    )
    cell_area = step * step
    touched = shared > cell_area * 1e-9
    covered = shared >= cell_area * (1 - 1e-9)
    return int(touched.sum()), int(covered.sum())
