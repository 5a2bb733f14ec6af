"""Overlaps on a Dask cluster: the same pairs and areas as on one machine, computed by the workers.

``yangao_geo.check(..., dask=client_or_address)`` (CLI: ``--dask tcp://scheduler:8786``) sends the blocks to
every worker once, cuts each large constraint layer into chunks, and has the workers compute the interior
overlaps of the blocks with their chunk (:func:`yangao_geo.engine.interior_overlaps`, the very function the
single-machine run uses); the driver gathers and orders them. Every pair is computed by the same code on
the same geometries, so the findings are identical to a single-machine run (tested on a ``LocalCluster``).

Needs ``pip install "yangao-geo[dask]"`` (dask.distributed). The constraint layers are still read by the
driver; reading province-scale layers from partitioned GeoParquet on the workers is not implemented yet.
"""

from __future__ import annotations

import math

import numpy as np

from .engine import Overlaps, interior_overlaps
from .errors import YangaoError

__all__ = ["MIN_CHUNK", "MIN_FEATURES", "connect", "distributed_overlaps"]

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
        raise YangaoError("--dask needs dask.distributed: pip install 'yangao-geo[dask]'") from None
    if isinstance(dask, Client):
        return dask
    try:
        return Client(str(dask), timeout="20s")
    except OSError as exc:
        raise YangaoError(f"cannot reach the Dask scheduler at {dask}: {exc}") from None


def _chunk_overlaps(blocks_and_mask, feats, areas, offset, keep_pieces):
    blocks, spatial = blocks_and_mask
    ov = interior_overlaps(blocks, spatial, feats, feature_areas=areas, keep_pieces=keep_pieces)
    return ov.block, ov.feature + offset, ov.geometry, ov.area_m2


def distributed_overlaps(client, blocks, spatial, feats, feature_areas, keep_pieces: bool = True) -> Overlaps:
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
            pure=False,
        )
        for start in range(0, len(feats), chunk)
    ]
    parts = client.gather(futures)
    bi = np.concatenate([p[0] for p in parts]).astype(int)
    fi = np.concatenate([p[1] for p in parts]).astype(int)
    pieces = np.concatenate([np.asarray(p[2], dtype=object) for p in parts])
    areas = np.concatenate([p[3] for p in parts]).astype(float)
    order = np.lexsort((fi, bi))
    return Overlaps(bi[order], fi[order], pieces[order], areas[order])
