"""Overlaps with a constraint layer too large to hold: read in batches, measured, dropped.

A run whose outputs carry no overlap geometry (JSON/CSV: what the CLI writes by
default) needs from the farmland layer only *which* parcel overlaps *which*
block and by how much. For such a run, a layer of :data:`STREAMABLE_LAYERS` with
more than :data:`STREAM_MIN_FEATURES` features is not loaded: it is read
:data:`BATCH_FEATURES` features at a time — through the file's spatial index,
only near the blocks — and each batch goes through exactly the steps the
in-memory path applies to the whole layer (reprojection, repair, the same
:func:`~yangao_geo.overlap.interior_overlaps`), keeping only the pairs' numbers.
The findings are identical to the in-memory run, feature positions and ids
included (tested); memory holds one batch, not the layer.

The same batches are what a Dask cluster's workers compute
(:mod:`yangao_geo.distributed`): for a partitioned GeoParquet layer each worker
reads its own parts, so a province-scale layer never passes through the driver.

Streaming is used only where nothing else reads the layer: the farmland and
arable-land layers serve only overlap rules (O203, O205); maps and GPKG/HTML
outputs need the geometry and load the layer as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from .area import FeatureAreas
from .crs import ANALYSIS_CRS, ResolvedCRS
from .errors import DataSourceError, InputError
from .features import arable_mask, dlbm_column, format_id, id_columns, is_dltb, validated_analysis_geometries
from .geometry import is_polygonal, nonfinite_positions
from .i18n import t
from .io.geoparquet import PART_SHIFT
from .io.geoparquet import file_rows as parquet_rows
from .io.vector import SourceInfo, file_rows, read_by_fid
from .overlap import Overlaps, interior_overlaps
from .threads import prefetched

__all__ = [
    "BATCH_FEATURES",
    "STREAMABLE_LAYERS",
    "STREAM_MIN_FEATURES",
    "BatchOverlaps",
    "LayerStream",
    "batch_overlaps",
    "combine_batches",
    "local_batches",
    "streamed_overlaps",
]

#: layers read by the overlap rules only, hence streamable
STREAMABLE_LAYERS = ("basic_farmland", "arable_land")
#: layers with more features than this (in the whole file) are streamed in geometry-free runs
STREAM_MIN_FEATURES = 100_000
#: features read, reprojected and intersected at a time
BATCH_FEATURES = 5_000


@dataclass
class LayerStream:
    """A constraint layer read batch by batch: where it is and how to read it.

    ``fids`` (from a GeoPackage's own R-tree) or else ``mask`` (file CRS, GDAL's filter) selects the features
    near the blocks; neither reads them all. ``parts`` is set for GeoParquet (one or many files), with each
    part's recorded ``part_bounds``.
    """

    name: str
    source_name: str
    path: Path
    layer: str | None
    crs: object
    mask: object
    info: SourceInfo
    fields: list = field(default_factory=list)
    encoding: str | None = None
    parts: list | None = None
    part_bounds: list | None = None
    geometry_name: str | None = None
    #: the edge convention of the run (see :data:`yangao_geo.crs.EDGE_CONVENTIONS`)
    edges: str = "source"
    #: the whole layer's extent in EPSG:4547 (a polygon)
    extent: object = None
    #: the run's width tolerance (see :func:`yangao_geo.overlap.narrow_pieces`), set per run
    width_m: float = 0.0
    #: the FIDs near the blocks from the file's own spatial index (sorted), used instead of ``mask``
    fids: np.ndarray | None = None

    @property
    def columns(self) -> list:
        """The attribute columns a batch needs: the id candidates, and DLBM for a DLTB layer."""
        cols = id_columns(self.fields)
        if is_dltb(self.source_name):
            cols.append(dlbm_column(self.fields, self.path))
        return cols

    def batches(self, batch_size: int | None = None):
        """Yield ``(GeoDataFrame in the file's CRS, int64 keys in file order)`` for the features near the blocks.

        ``batch_size``: features per batch, default :data:`BATCH_FEATURES`.
        """
        batch_size = BATCH_FEATURES if batch_size is None else batch_size
        if self.parts is not None:
            for k in range(len(self.parts)):
                yield from self.part_batches(k, batch_size)
            return
        yield from _ogr_batches(
            self.path, self.layer, self.encoding, self.columns, self.mask, batch_size, self.fids, self.info.features
        )

    def rows(self, keys) -> np.ndarray:
        """The 1-based rows in the whole layer of the features with these batch keys (row-number ids)."""
        if self.parts is not None:
            return parquet_rows(self.parts, keys)
        return file_rows(self.path, self.layer, keys)

    def part_batches(self, k: int, batch_size: int | None = None):
        """The batches of GeoParquet part ``k`` (what a Dask worker reads)."""
        from .io.geoparquet import iter_parquet_part

        batch_size = BATCH_FEATURES if batch_size is None else batch_size
        for gdf, rows in iter_parquet_part(
            self.parts[k],
            columns=self.columns,
            geometry_name=self.geometry_name,
            mask=self.mask,
            bounds=self.part_bounds[k],
            batch_size=batch_size,
        ):
            yield gdf, (np.int64(k) << PART_SHIFT) | rows


def _ogr_batches(path, layer, encoding, columns, mask, batch_size, fids=None, features=0):
    """Batches read through GDAL: by ``mask``, by ``fids`` (a few) or whole with the others dropped (many)."""
    import geopandas as gpd
    from pyogrio.raw import open_arrow

    by_fid = fids is not None and read_by_fid(len(fids), features)
    try:
        with open_arrow(
            str(path),
            layer=layer,
            encoding=encoding,
            columns=columns,
            mask=mask,
            fids=fids if by_fid else None,
            return_fids=True,
            batch_size=batch_size,
            use_pyarrow=True,
        ) as (meta, reader):
            geometry = meta["geometry_name"] or "wkb"
            for batch in reader:
                names = batch.schema.names
                fid = next(n for n in names if n not in columns and n != geometry)
                keys = batch.column(fid).to_numpy().astype(np.int64)
                if fids is not None and not by_fid:
                    keep = np.isin(keys, fids)
                    if not keep.all():
                        batch, keys = batch.filter(keep), keys[keep]
                if not len(keys):
                    continue
                geoms = shapely.from_wkb(batch.column(geometry).to_numpy(zero_copy_only=False))
                attrs = batch.select(list(columns)).to_pandas() if columns else None
                yield gpd.GeoDataFrame(attrs, geometry=geoms), keys
    except DataSourceError:
        raise
    except Exception as exc:
        raise DataSourceError(
            t(
                "{path}: cannot read layer {layer} in batches ({value})",
                path=path,
                layer=repr(layer),
                value=str(exc).splitlines()[0],
            )
        ) from None


@dataclass
class BatchOverlaps:
    """The overlaps of the blocks with one batch: numbers only, plus what feature ids need."""

    block: np.ndarray
    key: np.ndarray
    area_m2: np.ndarray
    #: id candidate column -> the overlapping features' values
    ids: dict
    #: id candidate column -> True when no feature of the batch lacks it
    complete: dict
    #: keys of every feature kept (polygonal after repair), for row-number ids
    kept_keys: np.ndarray
    read: int = 0
    repaired: int = 0
    #: per overlap: narrower than the width tolerance everywhere
    narrow: np.ndarray | None = None


def batch_overlaps(blocks, spatial, gdf, keys, stream: LayerStream) -> BatchOverlaps:
    """The interior overlaps of ``blocks`` (EPSG:4547, prepared) with one batch read from ``stream``.

    The batch takes the in-memory path's steps, feature by feature: DLTB selection, reprojection to the
    analysis CRS, repair, polygonal features only, areas by the scale-factor integral.
    """
    read = len(gdf)
    if is_dltb(stream.source_name):
        arable = arable_mask(gdf, stream.path)
        gdf, keys = gdf.iloc[np.flatnonzero(arable)], keys[arable]
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = nonfinite_positions(geoms)
    if len(bad):
        raise InputError(
            t(
                "{path}: {name}: feature {value} has a coordinate that is NaN or infinite; expected finite numbers",
                path=stream.path,
                name=stream.name,
                value=int(stream.rows(keys[bad[:1]])[0]),
            )
        )
    geoms, repairs = validated_analysis_geometries(geoms, ResolvedCRS(stream.crs), stream.edges)
    keep = is_polygonal(geoms) if len(geoms) else np.zeros(0, dtype=bool)
    geoms, keys = geoms[keep], keys[keep]
    attrs = gdf.iloc[np.flatnonzero(keep)]
    candidates = id_columns(stream.fields)
    ov = interior_overlaps(
        blocks,
        spatial,
        geoms,
        feature_areas=FeatureAreas(geoms, ANALYSIS_CRS),  # measured only where a parcel lies wholly inside
        keep_pieces=False,
        width_m=stream.width_m,
    )
    return BatchOverlaps(
        block=ov.block,
        key=keys[ov.feature],
        area_m2=ov.area_m2,
        ids={c: attrs[c].to_numpy(dtype=object)[ov.feature] for c in candidates},
        complete={c: bool(attrs[c].notna().all()) for c in candidates},
        kept_keys=keys,
        read=read,
        repaired=len(repairs),
        narrow=ov.hairline,
    )


def combine_batches(batches: list[BatchOverlaps], stream: LayerStream) -> Overlaps:
    """One :class:`~yangao_geo.overlap.Overlaps` from the batches, as the in-memory path orders and names it.

    ``feature`` is the feature's position in the layer as the in-memory path reads it (file order, near
    features only); ``feature_id`` follows :func:`yangao_geo.layers._feature_ids`: the first id column
    complete in every batch, else the feature's 1-based row in the whole file (:meth:`LayerStream.rows`),
    as the in-memory path numbers it.
    """
    kept = np.sort(np.concatenate([b.kept_keys for b in batches])) if batches else np.empty(0, np.int64)
    if not batches or not sum(len(b.block) for b in batches):
        empty = np.empty(0, dtype=int)
        return Overlaps(empty, empty, np.empty(0, object), np.empty(0, float), np.empty(0, object))
    block = np.concatenate([b.block for b in batches]).astype(np.intp, copy=False)
    key = np.concatenate([b.key for b in batches])
    position = np.searchsorted(kept, key)
    order = np.lexsort((position, block))
    column = next((c for c in id_columns(stream.fields) if all(b.complete[c] for b in batches)), None)
    if column is None:
        ids = _formatted(np.asarray(stream.rows(key[order])))
    else:
        ids = _formatted(np.concatenate([b.ids[column] for b in batches])[order])
    area = np.concatenate([b.area_m2 for b in batches]).astype(float, copy=False)
    narrow = np.concatenate(
        [b.narrow if b.narrow is not None else np.zeros(len(b.block), dtype=bool) for b in batches]
    ).astype(bool, copy=False)
    pieces = np.full(len(order), None, dtype=object)
    return Overlaps(block[order], position[order], pieces, area[order], ids, narrow=narrow[order])


def _formatted(values: np.ndarray) -> np.ndarray:
    """:func:`~yangao_geo.features.format_id` of every value (an object array), each distinct id formatted once
    (a parcel meets several blocks).

    Examples
    --------
    >>> _formatted(np.array([12.0, 3.5, 12.0])).tolist(), _formatted(np.array(["a", 1, 1.0], dtype=object)).tolist()
    (['12', '3.5', '12'], ['a', '1', '1'])
    """
    import pandas as pd

    if values.dtype.kind in "iuf" or (len(values) and all(isinstance(v, str) for v in values[:1])):
        try:
            codes, distinct = pd.factorize(values, use_na_sentinel=False)
        except TypeError:  # an unhashable value
            codes = None
        # 1, True and 1.0 are one key to a hash table: looked up only when the distinct values are all of one type
        if codes is not None and len({type(v) for v in distinct}) <= 1:
            return np.array([format_id(v) for v in distinct], dtype=object)[codes]
    return np.array([format_id(v) for v in values], dtype=object)


def local_batches(blocks, spatial, stream: LayerStream) -> list[BatchOverlaps]:
    """The :class:`BatchOverlaps` of every batch of ``stream``, computed here, one batch at a time."""
    # the next batch is read (GDAL, WKB decoding) while this one is computed
    return [batch_overlaps(blocks, spatial, gdf, keys, stream) for gdf, keys in prefetched(stream.batches())]


def streamed_overlaps(blocks, spatial, stream: LayerStream, width_m: float = 0.0, compute=None) -> Overlaps:
    """The interior overlaps of the usable blocks with a streamed layer.

    ``compute(blocks, spatial, stream)`` computes the batches: :func:`local_batches` by default, or
    :func:`yangao_geo.distributed.distributed_stream` bound to a client (what the engine passes when the
    run has a Dask cluster).
    """
    stream.width_m = width_m
    if not np.asarray(spatial, dtype=bool).any():
        return combine_batches([], stream)
    batches = (compute or local_batches)(blocks, spatial, stream)
    overlaps = combine_batches(batches, stream)
    repaired = sum(b.repaired for b in batches)
    stream.info.notes.append(
        t(
            "read {n} of {total} features (those near the blocks), in batches of up to {batch} (not held in memory)",
            n=sum(b.read for b in batches),
            total=stream.info.features,
            batch=BATCH_FEATURES,
        )
    )
    if repaired:
        stream.info.notes.append(t("{n} invalid geometries repaired", n=repaired))
    return overlaps
