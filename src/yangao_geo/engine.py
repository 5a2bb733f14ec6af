"""The rule engine: what every rule sees, and the sink for its findings.

:class:`Context` is what every rule sees. Its central service is :meth:`Context.overlaps`: the interior
overlaps of the blocks with one constraint layer, cached for all rules that read the same layer. The
context picks where they are computed — the layer in memory (one bulk STRtree query, exact
intersections: :func:`yangao_geo.overlap.interior_overlaps`), the layer streamed batch by batch
(:mod:`yangao_geo.streaming`), or either on a Dask cluster (:mod:`yangao_geo.distributed`) — and all
three run the same kernel, so they give the same pairs and areas.

:func:`run_rules` runs the selected rules; a rule that raises becomes a
``fail`` finding carrying its code and the error, and the run goes on.
"""

from __future__ import annotations

import functools
import traceback

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import distributed, streaming
from .crs import ANALYSIS_CRS, to_lonlat_vertices
from .findings import FINDING_FIELDS, FindingStore
from .i18n import t
from .layers import ConstraintSet
from .minerals import Mineral, MineralTable
from .overlap import NUMERIC_ZERO_M2, Overlaps, interior_overlaps, narrow_pieces
from .rules.registry import Rule
from .threads import chunks, map_ordered

__all__ = ["NUMERIC_ZERO_M2", "Context", "Overlaps", "interior_overlaps", "narrow_pieces", "run_rules"]


class Context:
    """Everything a rule may read, and the sink for its findings.

    Parameters
    ----------
    blocks : GeoDataFrame
        Normalised blocks in EPSG:4547 with ``area_m2`` and ``spatial`` (usable
        polygon) columns.
    constraints : ConstraintSet
    tolerance_m2 : float
        Overlaps above this are violations; smaller positive ones are slivers.
    minerals : MineralTable
    geometry_issues : dict
        ``{"invalid": {pos: reason}, "empty": {pos: reason}}`` from loading.
    crs_notes : list of str
        One note per input whose CRS was inferred.
    """

    def __init__(
        self,
        blocks: gpd.GeoDataFrame,
        constraints: ConstraintSet,
        *,
        tolerance_m2: float,
        minerals: MineralTable,
        geometry_issues: dict,
        crs_notes: list[str],
        client=None,
        keep_geometry: bool = True,
        width_tolerance_m: float = 0.0,
        regulations=None,
    ):
        self.blocks = blocks
        self.constraints = constraints
        self.tolerance_m2 = float(tolerance_m2)
        self.minerals = minerals
        self.geometry_issues = geometry_issues
        self.crs_notes = crs_notes
        #: overlap pieces narrower than this everywhere are shared edges (info), not overlaps
        self.width_tolerance_m = float(width_tolerance_m)
        from .regulations import regulations as _regulations

        #: the regulations in force for this run (see :mod:`yangao_geo.regulations`)
        self.regulations = regulations if regulations is not None else _regulations("current")
        #: layer name -> repairs of its invalid features (judged as the file states them)
        self.constraint_repairs = constraints.repairs()
        #: the findings recorded so far (see :mod:`yangao_geo.findings`)
        self.findings = FindingStore(keep_geometry)
        self._rule: Rule | None = None
        self._overlaps: dict[str, Overlaps] = {}
        self._geoms = np.asarray(blocks.geometry.values, dtype=object)
        self._spatial = np.asarray(blocks["spatial"], dtype=bool)
        self._area = np.asarray(blocks["area_m2"], dtype=float)
        self._is_prepared = False
        self._minerals = None
        self._columns: dict[str, np.ndarray] = {}  # block attributes as object arrays, read once
        self._lonlat = np.full(len(self._geoms), None, dtype=object)  # lonlat_geometry's, once per block
        self._has_lonlat = np.zeros(len(self._geoms), dtype=bool)
        self.client = client
        #: False: findings carry no geometry (JSON/CSV-only runs), overlap pieces are not kept
        self.keep_geometry = keep_geometry

    # ----------------------------------------------------------------- blocks
    def block_positions(self, kinds=None, *, spatial: bool = False) -> np.ndarray:
        """Positions of blocks of the given kinds (all by default), optionally only usable polygons."""
        mask = np.ones(len(self.blocks), dtype=bool)
        if kinds is not None:
            mask &= np.isin(self.block_column("kind"), list(kinds))
        if spatial:
            mask &= self._spatial
        return np.flatnonzero(mask)

    def block_column(self, column: str) -> np.ndarray:
        """A block attribute column as an object array (read from the table once: rules read it per block)."""
        if column not in self._columns:
            self._columns[column] = self.blocks[column].to_numpy(dtype=object)
        return self._columns[column]

    def attr(self, pos: int, column: str):
        """A block attribute, with every kind of missing value (None, NaN, NA) as None."""
        value = self.block_column(column)[pos]
        try:
            return None if pd.isna(value) else value
        except (TypeError, ValueError):
            return value

    def mineral(self, pos: int) -> Mineral | None:
        return self.minerals.lookup(self.attr(pos, "mineral"))

    def lonlat_geometry(self, pos):
        """The block in CGCS2000 lon/lat (from the densified analysis geometry, so edges keep their course).

        ``pos`` may be an array of positions: their geometries are transformed on every core, a share each
        (PROJ releases the GIL; :func:`~yangao_geo.crs.to_lonlat_vertices` makes each share its own
        transformer), once per block and run (B301 and B305 ask for the same blocks).
        """
        wanted = np.atleast_1d(np.asarray(pos, dtype=int))
        todo = np.unique(wanted[~self._has_lonlat[wanted]])
        if len(todo):
            geoms = self._geoms[todo]
            shares = chunks(len(geoms), minimum=64)
            parts = map_ordered(lambda r: to_lonlat_vertices(geoms[r[0] : r[1]], ANALYSIS_CRS), shares)
            self._lonlat[todo] = np.concatenate(parts)
            self._has_lonlat[todo] = True
        return self._lonlat[pos]

    # ----------------------------------------------------------------- layers
    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        return self.constraints.get(name)

    def layer_areas(self, name: str) -> np.ndarray:
        """Ellipsoidal area of every feature of layer ``name``, m²."""
        return self.constraints.areas(name)

    def overlaps(self, name: str) -> Overlaps:
        """Interior overlaps of every usable block with every feature of layer ``name`` (cached).

        A layer too large to hold (see :mod:`yangao_geo.streaming`) is read batch by batch here.
        """
        if name not in self._overlaps:
            stream = self.constraints.streams.get(name)
            if stream is not None:  # read batch by batch: here, or by a Dask cluster's workers
                on_cluster = self.client is not None
                compute = functools.partial(distributed.distributed_stream, self.client) if on_cluster else None
                ov = streaming.streamed_overlaps(
                    self._prepared(), self._spatial, stream, width_m=self.width_tolerance_m, compute=compute
                )
            else:
                ov = self._pairs(
                    self.constraints.geometries(name),
                    self.constraints.tree(name),
                    self_join=False,
                    feature_areas=self.constraints.areas(name),
                )
                ids = self.constraints.derived(  # once per set: a held set serves many checks
                    ("feature_ids", name), lambda: self.constraints.get(name)["feature_id"].to_numpy(dtype=object)
                )
                ov.feature_id = ids[ov.feature]
            self._overlaps[name] = ov
        return self._overlaps[name]

    def block_overlaps(self) -> Overlaps:
        """Interior overlaps between pairs of blocks, each pair once (``block`` < ``feature``)."""
        if "__blocks__" not in self._overlaps:
            self._overlaps["__blocks__"] = self._pairs(self._geoms, shapely.STRtree(self._geoms), self_join=True)
        return self._overlaps["__blocks__"]

    def _pairs(
        self, feats: np.ndarray, tree: shapely.STRtree, *, self_join: bool, feature_areas: np.ndarray | None = None
    ) -> Overlaps:
        """Interior overlaps of the usable blocks with ``feats`` (see :func:`interior_overlaps`).

        With a Dask client, a large layer is cut into chunks computed on the cluster's workers; the
        result is identical, pair for pair.
        """
        if self.client is not None and not self_join:
            if len(feats) > distributed.MIN_FEATURES:
                return distributed.distributed_overlaps(
                    self.client,
                    self._geoms,
                    self._spatial,
                    feats,
                    feature_areas,
                    self.keep_geometry,
                    width_m=self.width_tolerance_m,
                )
        return interior_overlaps(
            self._prepared(),
            self._spatial,
            feats,
            tree=tree,
            feature_areas=feature_areas,
            self_join=self_join,
            keep_pieces=self.keep_geometry,
            width_m=self.width_tolerance_m,
        )

    def _prepared(self) -> np.ndarray:
        if not self._is_prepared:
            shapely.prepare(self._geoms)
            self._is_prepared = True
        return self._geoms

    def significant(self, area_m2: float) -> bool:
        """True when an overlap exceeds the tolerance (a violation, not a sliver)."""
        return area_m2 > self.tolerance_m2

    # --------------------------------------------------------------- findings
    def add(
        self,
        pos: int | None,
        severity: str,
        message: str,
        *,
        layer: str | None = None,
        feature_id: str | None = None,
        overlap_m2: float | None = None,
        geometry=None,
        citation: str | None = None,
    ) -> None:
        """Record a finding of the running rule for block ``pos`` (None: about an input)."""
        r = self._rule
        ratio = None
        if pos is not None and overlap_m2 is not None:
            area = self._area[pos]
            ratio = overlap_m2 / area if area > 0 else None
        if not self.keep_geometry:
            geometry = None
        elif geometry is None and pos is not None:
            geometry = self._geoms[pos]
        row = (
            pos,
            r.code,
            r.name,
            severity,
            layer,
            None if feature_id is None else str(feature_id),
            None if overlap_m2 is None else float(overlap_m2),
            ratio,
            message,
            citation or r.citation,
            geometry,
        )
        self.findings.add_row(dict(zip(FINDING_FIELDS, row)))

    def add_many(
        self, positions, severity, messages, *, layer: str, feature_ids, overlap_m2, geometries, citation=None
    ) -> None:
        """Record many findings of the running rule at once (columns of equal length).

        ``severity`` and ``citation`` may be one value or one per finding.
        """
        positions = np.asarray(positions, dtype=int)
        n = len(positions)
        if n == 0:
            return
        r = self._rule
        overlap = np.asarray(overlap_m2, dtype=float)
        area = self._area[positions]
        ratio = np.divide(overlap, area, out=np.full(n, np.nan), where=area > 0)

        self.findings.add_chunk(
            {
                "block_pos": positions,
                "rule_id": r.code,
                "rule_name": r.name,
                "severity": severity,
                "layer": layer,
                "feature_id": feature_ids,
                "overlap_m2": overlap,
                "overlap_ratio": ratio,
                "message": messages,
                "citation": r.citation if citation is None else citation,
                "geometry": geometries if self.keep_geometry else None,
            }
        )

    @property
    def current_rule(self) -> Rule:
        return self._rule

    @property
    def block_areas(self) -> np.ndarray:
        """Ellipsoidal area of every block, m²."""
        return self._area

    @property
    def block_kinds(self) -> np.ndarray:
        return self.block_column("kind")

    def block_minerals(self) -> list:
        """The mineral-table entry of every block (None where missing or unknown), computed once."""
        if self._minerals is None:
            self._minerals = [self.mineral(i) for i in range(len(self.blocks))]
        return self._minerals


def run_rules(ctx: Context, rules: list[Rule], params: dict[str, dict], on_rule=None) -> None:
    """Run ``rules`` in order; a rule that raises becomes a finding and the run goes on.

    ``on_rule(done, total, code)`` is called after each rule (progress bars). The overlaps with a layer
    are kept while a later rule declares that layer, then dropped (memory).
    """
    last_use = {name: i for i, r in enumerate(rules, start=1) for name in r.layers}
    for i, r in enumerate(rules, start=1):
        ctx._rule = r
        try:
            r.func(ctx, {**r.params, **params.get(r.code, {})})
        except Exception as exc:  # a crashing rule is a finding, never a dead run
            last = traceback.extract_tb(exc.__traceback__)[-1]
            ctx.add(
                None,
                "fail",
                t(
                    "rule {code} raised {error}: {detail} (at {where}); its results are missing",
                    code=r.code,
                    error=type(exc).__name__,
                    detail=str(exc),
                    where=f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}",
                ),
            )
        # overlaps no later rule reads are dropped (the block pairs: only B304 reads them)
        for name in [n for n in ctx._overlaps if last_use.get(n, 0) <= i]:
            del ctx._overlaps[name]
        if on_rule is not None:
            on_rule(i, len(rules), r.code)
    ctx._rule = None
