"""Where an overlap is computed: interior overlaps of blocks with features, exact, with their areas.

This is the kernel every execution strategy runs — the in-memory path (:class:`yangao_geo.engine.Context`
on a loaded layer), the streamed path (:mod:`yangao_geo.streaming`, batch by batch) and the Dask path
(:mod:`yangao_geo.distributed`, chunk by chunk on the workers) — so the three give the same pairs and
areas. It knows nothing of layers, rules or findings. The modules depend in one direction::

    features, overlap          (what a feature is; how an overlap is computed)
        ↑
    streaming, distributed     (how a large layer is read and computed: batches, a cluster)
        ↑
    layers                     (which layers there are, loaded or streamed)
        ↑
    engine                     (what rules see: Context chooses the strategy per layer)

A test (``tests/test_structure.py``) holds every import of the package, function-level ones included,
to this order.

Only interiors count: a block that shares an edge or a point with a feature has a zero-area
intersection and no overlap. Pieces below :data:`NUMERIC_ZERO_M2` (1 cm², far below the 1 cm
precision of cadastral coordinates) are floating-point noise from reprojection and are dropped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import shapely

from .area import scale_factor_area
from .crs import ANALYSIS_CRS
from .geometry import polygonal
from .threads import chunks, map_ordered, thread_count

__all__ = ["NUMERIC_ZERO_M2", "Overlaps", "interior_overlaps", "narrow_pieces"]

NUMERIC_ZERO_M2 = 1e-4
#: features with more vertices than this are clipped to the block's box before intersecting
_CLIP_VERTICES = 500
#: pairs intersected at a time, at most
_PAIR_CHUNK = 50_000
#: about this many input vertices intersected at a time
_CHUNK_COORDS = 2_000_000
#: pairs with a heavy feature intersected at a time (each clipped piece may hold thousands of vertices)
_HEAVY_PAIR_CHUNK = 64
#: the smallest share of work a thread is given: blocks queried, pairs intersected (below it, one thread)
_MIN_BLOCKS_PER_TASK = 64
_MIN_VERTICES_PER_TASK = 50_000


@dataclass
class Overlaps:
    """Block × feature pairs whose interiors intersect (area > :data:`NUMERIC_ZERO_M2`).

    All arrays are aligned; ``block`` and ``feature`` are positional indices; ``feature_id`` (set by
    :meth:`Context.overlaps`) is each feature's id as reports show it.
    """

    block: np.ndarray
    feature: np.ndarray
    geometry: np.ndarray
    area_m2: np.ndarray
    feature_id: np.ndarray | None = None
    #: True where the piece is narrower than the width tolerance everywhere: a shared edge drawn in two
    #: CRSs or by two producers, not an overlap (None: no piece is)
    narrow: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.block)

    @property
    def hairline(self) -> np.ndarray:
        """:attr:`narrow` as a boolean array of the pairs' length."""
        return np.zeros(len(self.block), dtype=bool) if self.narrow is None else np.asarray(self.narrow, dtype=bool)


def narrow_pieces(pieces: np.ndarray, width_m: float) -> np.ndarray:
    """True where every polygon of a piece is narrower than ``width_m`` everywhere (a hair-line sliver).

    A part is narrow when eroding it by ``width_m / 2`` leaves nothing: no disc of diameter
    ``width_m`` fits inside it. A piece with a thin neck and a fat body is *not* narrow (its body
    survives the erosion), so its whole area still counts. Only parts with ``2·area/perimeter ≤
    width_m`` can be narrow (a region within ``w/2`` of its boundary has area ≤ perimeter·w/2), so
    the erosion runs on those alone.

    Examples
    --------
    >>> import shapely
    >>> strip = shapely.box(0, 0, 1000, 0.001)           # 1 mm × 1 km: 1 m² of nothing
    >>> body = shapely.union_all([shapely.box(0, 0, 1000, 0.001), shapely.box(1000, -5, 1010, 5)])
    >>> narrow_pieces(np.array([strip, body], dtype=object), 0.05).tolist()
    [True, False]
    """
    pieces = np.asarray(pieces, dtype=object)
    out = np.zeros(len(pieces), dtype=bool)
    if width_m <= 0 or len(pieces) == 0:
        return out
    present = ~shapely.is_missing(pieces) & ~shapely.is_empty(pieces)
    # a piece whose parts are all thin is thin as a whole (sum the parts' inequalities): only pieces thin as
    # a whole, or without area, are split into their parts (splitting copies every part)
    area, length = shapely.area(pieces), shapely.length(pieces)
    present &= (area <= 0) | (2.0 * area <= width_m * np.maximum(length, 1e-300))
    idx = np.flatnonzero(present)
    if len(idx) == 0:
        return out
    parts, owner = shapely.get_parts(pieces[idx], return_index=True)
    area, length = shapely.area(parts), shapely.length(parts)
    thin = (area > 0) & (2.0 * area <= width_m * np.maximum(length, 1e-300))
    candidates = np.flatnonzero(thin)
    narrow_part = np.zeros(len(parts), dtype=bool)
    if len(candidates):
        eroded = shapely.buffer(parts[candidates], -width_m / 2.0, quad_segs=2)
        narrow_part[candidates] = shapely.is_empty(eroded) | (shapely.area(eroded) <= 0)
    narrow_part |= area <= 0
    # a piece is narrow when all its parts are
    all_narrow = np.ones(len(idx), dtype=bool)
    np.logical_and.at(all_narrow, owner, narrow_part)
    out[idx] = all_narrow
    return out


def _block_aligned(bi: np.ndarray, weight: np.ndarray, pieces: int, minimum: float) -> list[tuple[int, int]]:
    """Cut pairs (in block order) into about ``pieces`` ranges of equal ``weight`` (≥ ``minimum``), never in a block.

    A prepared GEOS geometry is not safe to use from two threads at once (libgeos/geos#825); with every
    block's pairs in one range, each prepared block is used by one thread only. The weight of a pair is
    its vertex count, so a few pairs with a 20 000-vertex red line are shared out as well as many parcels.
    """
    n = len(bi)
    if n == 0:
        return []
    cum = np.cumsum(weight, dtype=float)
    size = max(minimum, cum[-1] / max(1, pieces))
    cuts = [0]
    while cuts[-1] < n:
        base = cum[cuts[-1] - 1] if cuts[-1] else 0.0
        target = int(np.searchsorted(cum, base + size, side="left"))
        if target >= n - 1:
            cuts.append(n)
            break
        # move the cut to where the block changes (pairs of one block stay together)
        cuts.append(int(np.searchsorted(bi, bi[target], side="right")))
    return list(itertools.pairwise(cuts))


def _query(tree, blocks: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``tree.query(blocks[usable], predicate="intersects")`` → (block position, feature position), in block order.

    Run on disjoint sets of blocks at once (each prepared block in one thread), concatenated in order: the
    same pairs in the same order as one query.
    """
    ranges = chunks(len(usable), minimum=_MIN_BLOCKS_PER_TASK)
    parts = map_ordered(lambda r: tree.query(blocks[usable[r[0] : r[1]]], predicate="intersects"), ranges)
    if not parts:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    qi = np.concatenate([p[0] + r[0] for p, r in zip(parts, ranges)])
    fi = np.concatenate([p[1] for p in parts])
    return usable[qi], fi


def _nested(blocks, feats, bi, fi) -> np.ndarray:
    """For block pairs: the block wholly inside the other one (``contains_properly``), else None.

    That block *is* the pair's overlap. Both directions are asked here, on the calling thread, before the
    pairs are shared out: the second asks the *other* block's prepared geometry, which a thread working on
    another range of blocks may be using (see :func:`_block_aligned`).
    """
    inner = np.full(len(bi), None, dtype=object)
    if len(bi) == 0:
        return inner
    first = shapely.contains_properly(blocks[bi], feats[fi])
    inner[first] = feats[fi[first]]
    rest = np.flatnonzero(~first)
    second = shapely.contains_properly(feats[fi[rest]], blocks[bi[rest]])
    inner[rest[second]] = blocks[bi[rest[second]]]
    return inner


def _pair_areas(blocks, feats, bi, fi, feature_areas, self_join, keep_pieces, width_m, nested=None):
    """Areas, narrowness and (with ``keep_pieces``) pieces of the pairs ``(bi[k], fi[k])``: the exact work.

    ``nested``: for block pairs, the block lying wholly inside the other one, per pair (see :func:`_nested`).
    """
    n = len(bi)
    pieces = np.empty(n, dtype=object)
    areas = np.empty(n, dtype=float)
    narrow = np.zeros(n, dtype=bool)
    inside = np.zeros(n, dtype=bool)
    if not self_join and feature_areas is not None:
        inside = shapely.contains_properly(blocks[bi], feats[fi])
        pieces[inside] = feats[fi[inside]]
        areas[inside] = feature_areas[fi[inside]]
        narrow[inside] = narrow_pieces(pieces[inside], width_m)
    elif nested is not None:
        inside = ~shapely.is_missing(nested)
        pieces[inside] = nested[inside]
        areas[inside] = scale_factor_area(nested[inside], ANALYSIS_CRS)
        narrow[inside] = narrow_pieces(pieces[inside], width_m)
    rest = np.flatnonzero(~inside)
    heavy = shapely.get_num_coordinates(feats[fi[rest]]) > _CLIP_VERTICES
    light, heavy = rest[~heavy], rest[heavy]
    # light pairs in chunks of about _CHUNK_COORDS input vertices (the pieces of a chunk are alive together)
    cost = np.cumsum(shapely.get_num_coordinates(blocks[bi[light]]) + shapely.get_num_coordinates(feats[fi[light]]))
    group = np.maximum(cost // _CHUNK_COORDS, np.arange(len(light)) // _PAIR_CHUNK)
    cuts = np.flatnonzero(np.diff(group)) + 1
    parts = [c for c in np.split(light, cuts) if len(c)]
    parts += [heavy[i : i + _HEAVY_PAIR_CHUNK] for i in range(0, len(heavy), _HEAVY_PAIR_CHUNK)]
    for part in parts:
        b, f = blocks[bi[part]], feats[fi[part]]
        if shapely.get_num_coordinates(f[:1])[0] > _CLIP_VERTICES:  # a chunk of heavy features
            f = np.array([shapely.clip_by_rect(g, *bb) for g, bb in zip(f, shapely.bounds(b))], dtype=object)
        chunk_pieces = polygonal(shapely.intersection(b, f))
        areas[part] = scale_factor_area(chunk_pieces, ANALYSIS_CRS)
        narrow[part] = narrow_pieces(chunk_pieces, width_m)
        if keep_pieces:
            pieces[part] = chunk_pieces
    if not keep_pieces:
        pieces[:] = None
    return areas, narrow, pieces


def interior_overlaps(
    blocks: np.ndarray,
    spatial: np.ndarray,
    feats: np.ndarray,
    *,
    tree=None,
    feature_areas: np.ndarray | None = None,
    self_join: bool = False,
    keep_pieces: bool = True,
    width_m: float = 0.0,
) -> Overlaps:
    """Interior overlaps of the usable blocks with ``feats``, exact, with three shortcuts.

    * a feature that lies wholly inside a block (``contains_properly``) *is* the overlap: no
      intersection is computed, its area is the feature's own (computed once per layer); so is, for
      pairs of blocks (``self_join``), the block that lies wholly inside the other;
    * a feature with many vertices (a red line) is first clipped to the block's bounding box, so
      GEOS intersects a small piece instead of the whole polygon;
    * overlap areas come from :func:`~yangao_geo.area.scale_factor_area` (exact Gauss-Krüger scale
      integral, within 2e-8 of the TD/T 1055 path; tested).

    ``width_m`` > 0 marks the pieces narrower than that everywhere (:func:`narrow_pieces`, in
    :attr:`Overlaps.narrow`).

    The query and the pairs run on every core (:mod:`yangao_geo.threads`: GEOS releases the GIL), on
    disjoint sets of blocks, and are put back in order: the result is the single thread's, pair for pair.

    Returns the pairs sorted by block, then feature (positions in ``blocks`` and ``feats``). With
    ``keep_pieces=False`` the overlap geometries are measured and dropped (``geometry`` is all None),
    chunk by chunk, so that memory does not grow with the number of pairs.
    """
    usable = np.flatnonzero(spatial)
    empty = Overlaps(np.array([], int), np.array([], int), np.array([], object), np.array([], float))
    if len(usable) == 0 or len(feats) == 0:
        return empty
    tree = shapely.STRtree(feats) if tree is None else tree
    bi, fi = _query(tree, blocks, usable)
    if self_join:
        keep = (bi < fi) & spatial[fi]
        bi, fi = bi[keep], fi[keep]
    if len(bi) == 0:
        return empty
    weight = shapely.get_num_coordinates(blocks[bi]) + shapely.get_num_coordinates(feats[fi])
    ranges = _block_aligned(bi, weight, 4 * thread_count(), minimum=_MIN_VERTICES_PER_TASK)
    nested = _nested(blocks, feats, bi, fi) if self_join else None
    results = map_ordered(
        lambda r: _pair_areas(
            blocks,
            feats,
            bi[r[0] : r[1]],
            fi[r[0] : r[1]],
            feature_areas,
            self_join,
            keep_pieces,
            width_m,
            None if nested is None else nested[r[0] : r[1]],
        ),
        ranges,
    )
    areas = np.concatenate([a for a, _, _ in results])
    narrow = np.concatenate([n for _, n, _ in results])
    pieces = np.concatenate([p for _, _, p in results])
    keep = areas > NUMERIC_ZERO_M2
    order = np.lexsort((fi[keep], bi[keep]))
    return Overlaps(
        bi[keep][order], fi[keep][order], pieces[keep][order], areas[keep][order], narrow=narrow[keep][order]
    )
