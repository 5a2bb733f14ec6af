"""GeoParquet layers: one ``.parquet`` file, or a folder of parts (a partitioned layer).

A province-scale farmland layer is best kept as partitioned GeoParquet — parts
cut by location, e.g. with dask-geopandas::

    import dask_geopandas
    ddf = dask_geopandas.read_file("YJJBNTBHTB.gpkg", npartitions=64)
    ddf.spatial_shuffle().to_parquet("basic_farmland.parquet")

Each part's ``geo`` metadata carries its CRS and bounding box, so a run reads
only the parts near the blocks, and on a Dask cluster each worker reads its own
parts (:mod:`yangao_geo.streaming`). The parts of a folder are taken in natural
order of their names (``part.2`` before ``part.10``): a feature's position in the
layer is its position in that concatenation, as :func:`geopandas.read_parquet`
of the folder would give it.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import shapely

from ..errors import DataSourceError, InputError
from ..i18n import t

__all__ = [
    "is_geoparquet",
    "iter_parquet_part",
    "parquet_info",
    "parquet_parts",
    "read_parquet_layer",
    "read_parquet_part",
]


def _natural_key(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def parquet_parts(path: str | Path) -> list[Path]:
    """The parquet files of a layer: the file itself, or a folder's ``*.parquet`` in natural order."""
    p = Path(path)
    if p.is_file():
        return [p]
    return sorted((c for c in p.iterdir() if c.is_file() and c.suffix.lower() == ".parquet"), key=_natural_key)


def is_geoparquet(path: str | Path) -> bool:
    """True for a ``.parquet`` file or a folder holding ``.parquet`` parts."""
    p = Path(path)
    if p.is_file():
        return p.suffix.lower() == ".parquet"
    return p.is_dir() and any(c.suffix.lower() == ".parquet" for c in p.iterdir())


def _geo_metadata(part: Path) -> tuple[dict, object]:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(part)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise DataSourceError(t("{part}: not a readable Parquet file ({exc})", part=part, exc=exc)) from None
    raw = (meta.metadata or {}).get(b"geo")
    if raw is None:
        raise InputError(
            t("{part}: a Parquet file without GeoParquet 'geo' metadata; expected a GeoParquet layer", part=part)
        )
    return json.loads(raw), meta


def parquet_info(path: str | Path) -> dict:
    """What the parts' metadata say, without reading any feature.

    Returns
    -------
    dict
        ``parts`` (paths), ``rows`` (per part), ``bounds`` (per part, file CRS; NaN when not recorded),
        ``features``, ``total_bounds``, ``crs`` (PROJJSON dict, a string, or None), ``geometry_name``,
        ``encoding`` (of the geometry column, e.g. ``WKB``), ``fields`` (attribute column names).
    """
    parts = parquet_parts(path)
    if not parts:
        raise DataSourceError(t("{path}: a folder without .parquet files", path=path))
    rows, bounds, crs, geometry_name, fields, encoding = [], [], None, None, None, None
    for part in parts:
        geo, meta = _geo_metadata(part)
        name = geo.get("primary_column", "geometry")
        column = geo.get("columns", {}).get(name, {})
        if geometry_name is None:
            geometry_name, crs, encoding = name, column.get("crs", "OGC:CRS84"), column.get("encoding", "WKB")
            schema = meta.schema.to_arrow_schema()
            fields = [f for f in schema.names if f != name and not f.startswith("__")]
        elif name != geometry_name or column.get("crs", "OGC:CRS84") != crs:
            raise InputError(
                t(
                    "{part}: its geometry column or CRS differs from {name}'s; one layer expected",
                    part=part,
                    name=parts[0].name,
                )
            )
        rows.append(meta.num_rows)
        bbox = column.get("bbox")
        bounds.append(tuple(bbox[:4]) if bbox and len(bbox) == 4 else (np.nan,) * 4)
    b = np.array(bounds, dtype=float)
    total = tuple(np.nanmin(b[:, :2], axis=0)) + tuple(np.nanmax(b[:, 2:], axis=0)) if len(b) else (np.nan,) * 4
    return {
        "parts": parts,
        "rows": rows,
        "bounds": bounds,
        "features": int(sum(rows)),
        "total_bounds": total,
        "crs": crs,
        "geometry_name": geometry_name,
        "encoding": encoding,
        "fields": fields,
    }


def part_may_touch(bounds, mask) -> bool:
    """False only when a part's recorded ``bounds`` miss ``mask`` (no mask, or unrecorded bounds: True)."""
    if mask is None or bounds is None or np.isnan(np.asarray(bounds, dtype=float)).any():
        return True
    return bool(shapely.intersects(shapely.box(*bounds), mask))


class _MaskTest:
    """Which geometries intersect ``mask``, exactly, and fast: the mask (one large polygon, the union of
    the blocks' envelopes) is cut into the pieces of a 64 × 64 grid, and each feature is tested against
    the few pieces its box touches (an STRtree), not against the whole polygon."""

    def __init__(self, mask, cells: int = 64):
        minx, miny, maxx, maxy = mask.bounds
        xs, ys = np.linspace(minx, maxx, cells + 1), np.linspace(miny, maxy, cells + 1)
        boxes = shapely.box(xs[:-1, None], ys[None, :-1], xs[1:, None], ys[None, 1:]).ravel()
        pieces = shapely.intersection(mask, boxes)
        self._tree = shapely.STRtree(pieces[~shapely.is_empty(pieces)])

    def __call__(self, geoms) -> np.ndarray:
        keep = np.zeros(len(geoms), dtype=bool)
        keep[self._tree.query(geoms, predicate="intersects")[0]] = True
        return keep


def read_parquet_part(part: Path, *, columns=None, mask=None, bounds=None):
    """One part as a GeoDataFrame (file CRS) and the row numbers kept.

    ``mask`` (file CRS) keeps the features intersecting it, as GDAL's spatial filter does; a part whose
    recorded ``bounds`` miss the mask is not read at all.
    """
    import geopandas as gpd

    if not part_may_touch(bounds, mask):
        return None, np.empty(0, dtype=np.int64)
    try:
        gdf = gpd.read_parquet(part, columns=columns)
    except Exception as exc:
        raise DataSourceError(
            t("{part}: cannot read as GeoParquet ({value})", part=part, value=str(exc).splitlines()[0])
        ) from None
    rows = np.arange(len(gdf), dtype=np.int64)
    if mask is not None and len(gdf):
        keep = _MaskTest(mask)(np.asarray(gdf.geometry.values, dtype=object))
        gdf, rows = gdf.iloc[np.flatnonzero(keep)], rows[keep]
    return gdf.reset_index(drop=True), rows


def iter_parquet_part(part: Path, *, columns, geometry_name: str, mask=None, bounds=None, batch_size: int = 5_000):
    """Part ``part`` a batch at a time: ``(GeoDataFrame without CRS, row numbers in the part)``.

    WKB geometry columns (GeoParquet's default) are read ``batch_size`` rows at a time; other encodings
    through :func:`read_parquet_part` whole. ``mask`` and ``bounds`` as for :func:`read_parquet_part`.
    """
    import geopandas as gpd
    import pyarrow.parquet as pq

    if not part_may_touch(bounds, mask):
        return
    geo, _ = _geo_metadata(part)
    if geo.get("columns", {}).get(geometry_name, {}).get("encoding", "WKB").upper() != "WKB":
        gdf, rows = read_parquet_part(part, columns=[*columns, geometry_name], mask=mask)
        if gdf is not None and len(gdf):
            yield gdf, rows
        return
    hits = _MaskTest(mask) if mask is not None else None
    try:
        reader = pq.ParquetFile(part)
        offset = 0
        for batch in reader.iter_batches(batch_size=batch_size, columns=[*columns, geometry_name]):
            geoms = shapely.from_wkb(batch.column(geometry_name).to_numpy(zero_copy_only=False))
            rows = np.arange(offset, offset + batch.num_rows, dtype=np.int64)
            offset += batch.num_rows
            attrs = batch.select(list(columns)).to_pandas() if columns else None
            if hits is not None:
                keep = hits(geoms)
                if not keep.any():
                    continue
                geoms, rows = geoms[keep], rows[keep]
                attrs = attrs.iloc[np.flatnonzero(keep)].reset_index(drop=True) if attrs is not None else None
            yield gpd.GeoDataFrame(attrs, geometry=geoms), rows
    except (OSError, ValueError) as exc:
        raise DataSourceError(
            t("{part}: cannot read as GeoParquet ({value})", part=part, value=str(exc).splitlines()[0])
        ) from None


def read_parquet_layer(path: str | Path, *, mask=None):
    """A whole GeoParquet layer (all parts, in order), optionally only the features intersecting ``mask``."""
    import geopandas as gpd
    import pandas as pd

    info = parquet_info(path)
    frames, rows = [], []
    for k, (part, bounds) in enumerate(zip(info["parts"], info["bounds"])):
        gdf, kept = read_parquet_part(part, mask=mask, bounds=bounds)
        if gdf is not None:
            frames.append(gdf)
            rows.append((np.int64(k) << PART_SHIFT) | kept)
    if not frames:
        first, _ = read_parquet_part(info["parts"][0])
        return first.iloc[:0]
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    if mask is not None:  # read in part: which rows of the layer these are (for row-number ids)
        out.attrs["yangao_rows"] = functools.partial(file_rows, info["parts"], np.concatenate(rows))
    return out


#: keys of GeoParquet features: part number << PART_SHIFT | row in part (file order)
PART_SHIFT = 32


def file_rows(parts, keys) -> np.ndarray:
    """The 1-based rows in the whole layer (parts in order) of the features keyed ``part << 32 | row``."""
    import pyarrow.parquet as pq

    sizes = [pq.ParquetFile(part).metadata.num_rows for part in parts]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    return offsets[keys >> PART_SHIFT] + (keys & ((np.int64(1) << PART_SHIFT) - 1)) + 1
