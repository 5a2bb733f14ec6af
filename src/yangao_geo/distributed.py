"""Overlaps on a Dask cluster: the same pairs and areas as on one machine, computed by the workers.

``yangao_geo.check(..., dask=client_or_address)`` (CLI: ``--dask tcp://scheduler:8786``) sends the blocks to
every worker once, cuts each large constraint layer into chunks, and has the workers compute the interior
overlaps of the blocks with their chunk (:func:`yangao_geo.overlap.interior_overlaps`, the very function the
single-machine run uses); the driver gathers and orders them. Every pair is computed by the same code on
the same geometries, so the findings are identical to a single-machine run (tested on a ``LocalCluster``).

A layer too large to hold (a streamed layer, :mod:`yangao_geo.streaming`) never passes through the
driver when it is partitioned GeoParquet: each worker reads its own parts (only those whose recorded bounds
touch the blocks) and returns the pairs' numbers; a streamed GDAL file is read by the driver batch by batch,
a few batches in flight, and computed on the workers. The parts' paths must be readable by every worker
(a shared file system).

Needs ``pip install "yangao-geo[dask]"`` (dask.distributed).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import YangaoError
from .i18n import t
from .overlap import Overlaps, interior_overlaps
from .streaming import batch_overlaps

__all__ = ["MIN_CHUNK", "MIN_FEATURES", "connect", "distributed_overlaps", "distributed_stream"]

#: layers with fewer features are faster on the driver than shipped to the workers
MIN_FEATURES = 1_000
#: the smallest chunk of features sent to a worker
MIN_CHUNK = 1_000


def connect(dask):
    """A ``distributed.Client`` from a client, a scheduler address, or None."""
    if dask is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise YangaoError(t("--dask needs dask.distributed: pip install 'yangao-geo[dask]'")) from None
    if isinstance(dask, Client):
        return dask
    try:
        return Client(str(dask), timeout="20s")
    except OSError as exc:
        raise YangaoError(t("cannot reach the Dask scheduler at {dask}: {exc}", dask=dask, exc=exc)) from None


def _chunk_overlaps(blocks_and_mask, feats, areas, offset, keep_pieces, width_m=0.0):
    blocks, spatial = blocks_and_mask
    ov = interior_overlaps(blocks, spatial, feats, feature_areas=areas, keep_pieces=keep_pieces, width_m=width_m)
    return ov.block, ov.feature + offset, ov.geometry, ov.area_m2, ov.hairline


def distributed_overlaps(
    client, blocks, spatial, feats, feature_areas, keep_pieces: bool = True, *, width_m: float = 0.0
) -> Overlaps:
    """Interior overlaps of ``blocks`` with ``feats``, computed chunk by chunk on the cluster's workers."""
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    chunk = max(MIN_CHUNK, math.ceil(len(feats) / (4 * n_workers)))
    shared = client.scatter((blocks, spatial), broadcast=True, hash=False)  # a fresh key: no race with the last call
    futures = [
        client.submit(
            _chunk_overlaps,
            shared,
            feats[start : start + chunk],
            None if feature_areas is None else feature_areas[start : start + chunk],
            start,
            keep_pieces,
            width_m,
            pure=False,
        )
        for start in range(0, len(feats), chunk)
    ]
    parts = client.gather(futures)
    bi = np.concatenate([p[0] for p in parts]).astype(int)
    fi = np.concatenate([p[1] for p in parts]).astype(int)
    pieces = np.concatenate([np.asarray(p[2], dtype=object) for p in parts])
    areas = np.concatenate([p[3] for p in parts]).astype(float)
    narrow = np.concatenate([p[4] for p in parts]).astype(bool)
    order = np.lexsort((fi, bi))
    return Overlaps(bi[order], fi[order], pieces[order], areas[order], narrow=narrow[order])


def _part_overlaps(blocks_and_mask, stream, k):
    blocks, spatial = blocks_and_mask
    return [batch_overlaps(blocks, spatial, gdf, keys, stream) for gdf, keys in stream.part_batches(k)]


def _batch_overlaps(blocks_and_mask, stream, gdf, keys):
    blocks, spatial = blocks_and_mask
    return batch_overlaps(blocks, spatial, gdf, keys, stream)


def distributed_stream(client, blocks, spatial, stream) -> list:
    """The :class:`~yangao_geo.streaming.BatchOverlaps` of every batch of ``stream``, computed by the workers.

    GeoParquet: one task per part near the blocks, each worker reading its part. Other formats: the driver
    reads the batches and keeps at most two per worker in flight, so its memory stays at a few batches.
    """
    from distributed import as_completed

    shared = client.scatter((blocks, spatial), broadcast=True, hash=False)
    if stream.parts is not None:
        from .io.geoparquet import part_may_touch

        wanted = [k for k, bounds in enumerate(stream.part_bounds) if part_may_touch(bounds, stream.mask)]
        futures = client.map(_part_overlaps, [shared] * len(wanted), [stream] * len(wanted), wanted, pure=False)
        return [b for batches in client.gather(futures) for b in batches]
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    results, pending = [], as_completed()
    for gdf, keys in stream.batches():
        pending.add(client.submit(_batch_overlaps, shared, stream, gdf, keys, pure=False))
        while pending.count() >= 2 * n_workers:
            results.append(next(pending).result())
    results.extend(f.result() for f in pending)
    return results
