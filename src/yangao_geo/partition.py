"""Cut a large constraint layer into spatially partitioned GeoParquet (dask-geopandas).

A province's permanent-farmland layer (millions of parcels) is checked fastest,
and on a Dask cluster at all, as GeoParquet parts cut by location: a run reads
only the parts whose bounds touch the blocks, and each Dask worker reads its own
parts (:mod:`yangao_geo.streaming`, :mod:`yangao_geo.distributed`).
:func:`partition_layer` makes such a folder from any vector file with
dask-geopandas — read in chunks, ordered along a Hilbert curve
(``spatial_shuffle``), written one part per partition, each part's ``geo``
metadata recording its CRS and bounds. The source is only read; the folder is
written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import math
from pathlib import Path

from .errors import InputError, OutputError, YangaoError
from .io.output import atomic_path

__all__ = ["FEATURES_PER_PART", "partition_layer"]

#: default size of a part: large enough to read efficiently, small enough for a worker's memory
FEATURES_PER_PART = 100_000


def partition_layer(
    src, dst, *, layer: str | None = None, features_per_part: int = FEATURES_PER_PART, client=None
) -> dict:
    """Write layer ``src`` as a folder ``dst`` of GeoParquet parts cut along a Hilbert curve.

    Parameters
    ----------
    src : path
        Any vector file GDAL reads (GeoPackage, shapefile, FlatGeobuf …).
    dst : path
        The folder to create (name it after the layer, e.g. ``basic_farmland.parquet``, so that
        ``--constraints`` recognises it). It must not exist.
    layer : str, optional
        Layer of a multi-layer ``src``.
    features_per_part : int
        About this many features per part.
    client : distributed.Client or str, optional
        Partition on this Dask cluster (a client or a scheduler address); by default on this machine's
        threads (a Dask client that happens to be active is not used unless passed here).

    Returns
    -------
    dict
        ``{"features": n, "parts": k, "path": dst}``.
    """
    try:
        import dask_geopandas
    except ImportError:
        raise YangaoError("partitioning needs dask-geopandas: pip install 'yangao-geo[dask]'") from None
    import pyogrio

    src, dst = Path(src), Path(dst)
    if not src.exists():
        raise InputError(f"{src}: no such file")
    if dst.exists():
        raise OutputError(f"{dst}: already exists; choose a new folder (partitions are never merged into old ones)")
    if features_per_part < 1:
        raise InputError(f"features_per_part must be at least 1, got {features_per_part}")
    try:
        info = pyogrio.read_info(str(src), layer=layer)
    except Exception as exc:
        raise InputError(f"{src}: cannot read layer {layer!r} ({str(exc).splitlines()[0]})") from None
    if not info.get("crs"):
        raise InputError(f"{src}: the layer declares no CRS; partitioned layers must carry one")
    features = int(info["features"])
    parts = max(1, math.ceil(features / features_per_part))
    import dask

    from .distributed import connect

    cluster = connect(client)
    # on this machine: threads and an in-memory shuffle, whatever Dask client another library left active
    local = {"scheduler": "threads", "dataframe.shuffle.method": "tasks"}
    with dask.config.set(local if cluster is None else {"scheduler": cluster.get}), atomic_path(dst) as tmp:
        ddf = dask_geopandas.read_file(str(src), layer=layer, npartitions=parts)
        ddf = ddf.spatial_shuffle(by="hilbert", npartitions=parts)
        ddf.to_parquet(str(tmp), write_index=False)
    return {"features": features, "parts": parts, "path": str(dst)}
