"""Cut a large constraint layer into spatially partitioned GeoParquet, in bounded memory.

A province's permanent-farmland layer (millions of parcels) is checked fastest,
and on a Dask cluster at all, as GeoParquet parts cut by location: a run reads
only the parts whose bounds touch the blocks, and each Dask worker reads its own
parts (:mod:`yangao_geo.streaming`, :mod:`yangao_geo.distributed`).

:func:`partition_layer` (CLI ``yangao-geo partition``) makes such a folder from
any vector file GDAL reads, as an external sort: a first pass reads the layer a
chunk at a time and keeps only each feature's id and the Hilbert-curve distance
of its envelope (geopandas' ``hilbert_distance``, the key dask-geopandas'
``spatial_shuffle`` sorts by); a second pass writes part after part — the next
``features_per_part`` features along the curve, read by id, in file order
within the part. Memory holds two numbers per feature and one part, so a layer
much larger than memory can be partitioned (dask-geopandas' shuffle, tried
first, held about five times the layer in memory on this machine — see
``benchmarks/RESULTS.md``). Layers partitioned by dask-geopandas
(``ddf.spatial_shuffle().to_parquet(...)``) are read the same way.

The source is only read; the folder is written under a temporary name and
renamed when complete.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .errors import InputError, OutputError
from .i18n import t
from .io.output import atomic_path

__all__ = ["FEATURES_PER_PART", "partition_layer"]

#: default size of a part: large enough to read efficiently, small enough for a worker's memory
FEATURES_PER_PART = 100_000
#: features read at a time in the first pass
_READ_CHUNK = 200_000
#: Hilbert curve level (2^16 cells a side; as dask-geopandas' default)
_HILBERT_LEVEL = 16


def partition_layer(src, dst, *, layer: str | None = None, features_per_part: int = FEATURES_PER_PART) -> dict:
    """Write layer ``src`` as a folder ``dst`` of GeoParquet parts cut along a Hilbert curve.

    Parameters
    ----------
    src : path
        Any vector file GDAL reads with random access by feature id (GeoPackage, shapefile, FlatGeobuf …).
    dst : path
        The folder to create (name it after the layer, e.g. ``basic_farmland.parquet``, so that
        ``--constraints`` recognises it). It must not exist.
    layer : str, optional
        Layer of a multi-layer ``src``.
    features_per_part : int
        Features per part (the last part may hold fewer).

    Returns
    -------
    dict
        ``{"features": n, "parts": k, "path": dst}``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from yangao_geo.layers import bundled_constraint_paths
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "basic_farmland.parquet"
    >>> src = bundled_constraint_paths()[1]
    >>> partition_layer(src, out, layer="basic_farmland", features_per_part=1000)["parts"]
    3
    """
    import geopandas as gpd
    import pyogrio

    src, dst = Path(src), Path(dst)
    if not src.exists():
        raise InputError(t("{src}: no such file", src=src))
    if dst.exists():
        raise OutputError(
            t("{dst}: already exists; choose a new folder (partitions are never merged into old ones)", dst=dst)
        )
    if features_per_part < 1:
        raise InputError(
            t("features per part must be at least 1, got {features_per_part}", features_per_part=features_per_part)
        )
    try:
        info = pyogrio.read_info(str(src), layer=layer, force_total_bounds=True)
    except Exception as exc:
        raise InputError(
            t("{src}: cannot read layer {layer} ({value})", src=src, layer=repr(layer), value=str(exc).splitlines()[0])
        ) from None
    if not info.get("crs"):
        raise InputError(t("{src}: the layer declares no CRS; partitioned layers must carry one", src=src))
    n = int(info["features"])
    bounds = tuple(info["total_bounds"])

    # pass 1: every feature's id and Hilbert distance, a chunk at a time
    fids, keys = [], []
    for start in range(0, n, _READ_CHUNK):
        chunk = pyogrio.read_dataframe(
            str(src), layer=layer, columns=[], skip_features=start, max_features=_READ_CHUNK, fid_as_index=True
        )
        fids.append(chunk.index.to_numpy(dtype=np.int64))
        keys.append(chunk.geometry.hilbert_distance(total_bounds=bounds, level=_HILBERT_LEVEL).to_numpy())
        del chunk
    fid = np.concatenate(fids) if fids else np.empty(0, np.int64)
    order = np.argsort(np.concatenate(keys), kind="stable") if keys else np.empty(0, np.int64)
    fid = fid[order]
    parts = max(1, math.ceil(len(fid) / features_per_part))

    # pass 2: part after part, read by id
    with atomic_path(dst) as tmp:
        tmp.mkdir()
        for k in range(parts):
            wanted = np.sort(fid[k * features_per_part : (k + 1) * features_per_part])
            gdf = pyogrio.read_dataframe(str(src), layer=layer, fids=wanted)
            gpd.GeoDataFrame(gdf).to_parquet(tmp / f"part.{k}.parquet", index=False)
    return {"features": len(fid), "parts": parts, "path": str(dst)}
