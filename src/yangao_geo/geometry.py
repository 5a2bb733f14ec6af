"""Geometry hygiene: polygonal parts, validity reasons, repair.

Invalid geometry is data, not an exception: :func:`repair_polygons` returns
the repaired geometry together with GEOS's reason, so the D101 finding can
say what was wrong.

Examples
--------
>>> import shapely
>>> bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
>>> fixed, reasons = repair_polygons([bowtie])
>>> reasons[0].startswith("Self-intersection")
True
>>> round(fixed[0].area, 6)
2.0
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = [
    "covering_boxes",
    "distances_to",
    "is_polygonal",
    "nonfinite_positions",
    "polygonal",
    "repair_polygons",
    "segmentize_exact",
]

_POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def is_polygonal(geoms) -> np.ndarray:
    """True where a geometry is a non-empty Polygon or MultiPolygon."""
    geoms = np.asarray(geoms, dtype=object)
    return np.isin(shapely.get_type_id(geoms), _POLYGONAL) & ~shapely.is_empty(geoms)


def polygonal(geoms) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (lines and points of an overlay dropped).

    Returns a Polygon/MultiPolygon per input, or an empty Polygon.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.empty(len(geoms), dtype=object)
    simple = np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    out[simple] = geoms[simple]
    rest = np.flatnonzero(~simple)
    if len(rest):
        parts, idx = shapely.get_parts(geoms[rest], return_index=True)
        keep = shapely.get_type_id(parts) == 3
        for i in range(len(rest)):
            out[rest[i]] = shapely.Polygon()
        if keep.any():
            grouped: dict[int, list] = {}
            for part, j in zip(parts[keep], idx[keep]):
                grouped.setdefault(int(j), []).append(part)
            for j, ps in grouped.items():
                out[rest[j]] = ps[0] if len(ps) == 1 else shapely.MultiPolygon(ps)
    return out


def repair_polygons(geoms) -> tuple[np.ndarray, list[str | None]]:
    """Repair invalid polygons with ``make_valid(method="structure")``, keeping polygons.

    Returns
    -------
    (geometries, reasons)
        ``reasons[i]`` is GEOS's ``is_valid_reason`` for an invalid input, else None.
    """
    geoms = np.asarray(geoms, dtype=object)
    valid = shapely.is_valid(geoms) | shapely.is_missing(geoms)
    out = geoms.copy()
    reasons: list[str | None] = [None] * len(geoms)
    bad = np.flatnonzero(~valid)
    if len(bad):
        for i in bad:
            reasons[i] = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        out[bad] = polygonal(fixed)
    return out, reasons


def nonfinite_positions(geoms) -> np.ndarray:
    """Positions of the geometries with a NaN or infinite coordinate (GEOS would drop or mangle them).

    Examples
    --------
    >>> nonfinite_positions([shapely.box(0, 0, 1, 1), shapely.Polygon([(0, 0), (1, float("nan")), (1, 1)])])
    array([1])
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.array([], dtype=int)
    # the common case first, without an owner per coordinate: every x and y finite, no Z
    with_z = np.flatnonzero(shapely.has_z(geoms))
    if np.isfinite(shapely.get_coordinates(geoms)).all() and len(with_z) == 0:
        return np.array([], dtype=int)
    coords, owner = shapely.get_coordinates(geoms, include_z=True, return_index=True)
    finite = np.isfinite(coords)
    # a missing Z is NaN in the third column: only x and y, and a Z the geometry really has, count
    has_z = np.zeros(len(geoms), dtype=bool)
    has_z[with_z] = True
    bad = ~finite[:, 0] | ~finite[:, 1] | (has_z[owner] & ~finite[:, 2])
    return np.unique(owner[bad])


def segmentize_exact(geoms, max_segment_length: float) -> np.ndarray:
    """Densify edges to at most ``max_segment_length`` *without repairing anything*.

    GEOS's densifier rebuilds polygons with ``buffer(0)``, which silently turns an invalid polygon (a
    bow-tie) into a valid one and drops a lobe. Here each ring is densified as a ring and the polygons are
    reassembled as they were, so an invalid input stays invalid and the validity check and the repair
    (:func:`repair_polygons`, reported as D101) stay explicit.

    Examples
    --------
    >>> bowtie = shapely.Polygon([(0, 0), (20, 20), (20, 0), (0, 20)])
    >>> dense = segmentize_exact([bowtie], 5.0)[0]
    >>> bool(dense.is_valid), len(dense.exterior.coords) > 5
    (False, True)
    """
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    if len(geoms) == 0:
        return out
    types = shapely.get_type_id(geoms)
    poly = np.isin(types, _POLYGONAL) & ~shapely.is_empty(geoms)
    other = ~poly & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if other.any():
        out[other] = shapely.segmentize(geoms[other], max_segment_length)
    idx = np.flatnonzero(poly)
    if len(idx) == 0:
        return out
    parts, part_of = shapely.get_parts(geoms[idx], return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    dense = rings.copy()
    has_length = shapely.length(rings) > 0  # a collapsed ring (all points equal) cannot be densified
    if has_length.any():
        dense[has_length] = shapely.segmentize(rings[has_length], max_segment_length)
    polys = shapely.polygons(dense, indices=ring_of)
    multi = shapely.multipolygons(polys, indices=part_of)
    first = np.searchsorted(part_of, np.arange(len(idx)))
    single = types[idx] == 3
    result = np.where(single, polys[first], multi)
    out[idx] = result
    return out


def distance_between(a, b) -> float:
    """``shapely.distance(a, b)``, exactly, with each geometry first clipped to where the nearest points can be.

    An upper bound ``u`` comes from one vertex of ``a`` (its distance to ``b``): the vertex nearest ``b``'s
    bounding box, so that ``u`` is close to the distance itself. The nearest points of the two lie within
    ``u`` of the other geometry, hence inside the other's bounding box widened by ``u``. Clipping each
    geometry to that box keeps the nearest points and adds only edges on the box, which lie ``u`` or more
    from the other geometry: the distance is unchanged, and GEOS compares a few edges instead of all (a
    block of thousands of vertices against a densified layer extent).

    Examples
    --------
    >>> a, b = shapely.box(0, 0, 10, 10).segmentize(0.01), shapely.box(13, 14, 30, 30).segmentize(0.01)
    >>> distance_between(a, b), float(shapely.distance(a, b))
    (5.0, 5.0)
    """
    return float(_distances_clipped(np.array([a], dtype=object), b)[0])


def _distances_clipped(geoms: np.ndarray, b) -> np.ndarray:
    """:func:`distance_between` of each of ``geoms`` and ``b``: the same steps on the same numbers, each step
    taken for all of ``geoms`` in one call where shapely takes arrays (the bound ``u``, the final distance)."""
    out = np.empty(len(geoms), dtype=float)
    plain = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if b is None or shapely.is_empty(b):
        plain[:] = True
    idx = np.flatnonzero(~plain)
    if len(idx):
        xy, owner = shapely.get_coordinates(geoms[idx], return_index=True)
        bx0, by0, bx1, by1 = shapely.bounds(b)
        gap_x = np.maximum(np.maximum(bx0 - xy[:, 0], xy[:, 0] - bx1), 0.0)
        gap_y = np.maximum(np.maximum(by0 - xy[:, 1], xy[:, 1] - by1), 0.0)
        gap = gap_x * gap_x + gap_y * gap_y
        # each geometry's vertex nearest b's box: the first of its nearest, as np.argmin picks (owner is sorted)
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        hits = np.flatnonzero(gap == np.minimum.reduceat(gap, starts)[owner])
        first = np.full(len(idx), -1)
        first[owner[hits][::-1]] = hits[::-1]  # the last assignment to an owner wins: its first hit
        u = np.full(len(idx), np.nan)  # a NaN coordinate: no nearest vertex, the plain distance
        found = first >= 0
        u[found] = shapely.distance(shapely.points(xy[first[found]]), b)
        whole = (u == 0.0) | ~np.isfinite(u)
        plain[idx[whole]] = True
        idx, u = idx[~whole], u[~whole] * 1.01 + 1.0  # wider than needed: a nearest point on the box edge stays
        near_a = np.array(
            [shapely.clip_by_rect(a, bx0 - w, by0 - w, bx1 + w, by1 + w) for a, w in zip(geoms[idx], u)], dtype=object
        )
        near_b = np.array(
            [
                shapely.clip_by_rect(b, x0 - w, y0 - w, x1 + w, y1 + w)
                for (x0, y0, x1, y1), w in zip(shapely.bounds(geoms[idx]).reshape(-1, 4), u)
            ],
            dtype=object,
        )
        out[idx] = shapely.distance(near_a, near_b)
    out[plain] = shapely.distance(geoms[plain], b)
    return out


def distances_to(geoms, b) -> np.ndarray:
    """:func:`distance_between` of each of ``geoms`` and ``b``, on every core (GEOS releases the GIL): each
    thread's share in one pass of :func:`_distances_clipped`, the values bit for bit those of one at a time.

    Examples
    --------
    >>> far = [shapely.box(13, 14, 30, 30), shapely.box(0, 20, 1, 21)]
    >>> distances_to(far, shapely.box(0, 0, 10, 10)).tolist()
    [5.0, 10.0]
    """
    from .threads import chunks, map_ordered

    geoms = np.asarray(geoms, dtype=object)
    parts = map_ordered(lambda r: _distances_clipped(geoms[r[0] : r[1]], b), chunks(len(geoms), minimum=64))
    return np.concatenate(parts) if parts else np.empty(0, dtype=float)


def covering_boxes(geom, fill: float = 0.95, max_depth: int = 6, slack: float = 0.0005) -> np.ndarray:
    """Boxes whose union covers ``geom``: ``(k, 4)`` rows of ``minx, miny, maxx, maxy``.

    Each polygonal part is cut into quarters of its bounding box until the part fills at least ``fill`` of
    a piece's box, or the box's spare area is at most ``slack`` of ``geom``'s whole area (or ``max_depth``
    cuts were made); every piece contributes its own bounding box, so the boxes cover the geometry exactly,
    with some area to spare. An index asked with these boxes (one query per box) misses no feature meeting
    ``geom``, and returns far fewer than one query with ``geom``'s envelope when ``geom`` is, say, the
    blocks' envelopes spread over a county.

    The spare area is bounded both ways because features are not spread evenly: blocks ringing a basin of
    farmland make one part that fills 80 % of its box, the basin being the other 20 % and holding most of
    the parcels (hills 2 000 blocks × 200 000 parcels: with ``fill=0.8`` alone every parcel was read, with
    these defaults 88 175, against 86 106 whose boxes meet a block's).

    Examples
    --------
    >>> import shapely
    >>> ell = shapely.Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])
    >>> boxes = covering_boxes(ell)
    >>> bool(shapely.union_all(shapely.box(*boxes.T)).covers(ell))
    True
    >>> float(shapely.area(shapely.box(*boxes.T)).sum()) < 0.5 * 100
    True
    """
    out = []
    todo = [(part, 0) for part in shapely.get_parts(np.atleast_1d(np.asarray(geom, dtype=object)))]
    todo = [(p, d) for p, d in todo if p is not None and not p.is_empty]
    spare = slack * sum(p.area for p, _ in todo)
    while todo:
        piece, depth = todo.pop()
        minx, miny, maxx, maxy = piece.bounds
        box_area = (maxx - minx) * (maxy - miny)
        if depth >= max_depth or box_area == 0 or piece.area >= fill * box_area or box_area - piece.area <= spare:
            out.append((minx, miny, maxx, maxy))
            continue
        midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
        quarters = (
            (minx, miny, midx, midy),
            (midx, miny, maxx, midy),
            (minx, midy, midx, maxy),
            (midx, midy, maxx, maxy),
        )
        for rect in quarters:
            sub = shapely.clip_by_rect(piece, *rect)
            if sub.area > 0:  # a piece only touching the cut lies in its neighbour's box too
                todo.append((sub, depth + 1))
    return np.asarray(out, dtype=float).reshape(-1, 4)
