"""``check()``: load the blocks and constraint layers, run the rules, build the Report."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .allocators import release_free_memory
from .area import ellipsoidal_area_later
from .attributes import normalise_blocks
from .config import build_settings
from .crs import ANALYSIS_CRS
from .distributed import connect
from .engine import Context, run_rules
from .errors import InputError
from .findings import FINDING_FIELDS, FindingColumns, RepeatedValues
from .frames import geoframe
from .geometry import is_polygonal
from .i18n import t, use_lang
from .io.read_once import one_check
from .io.vector import hash_ahead
from .layers import (
    REQUIRED_LAYERS,
    ConstraintSet,
    bundled_blocks_path,
    bundled_constraint_paths,
    load_constraints,
    load_layer,
)
from .provenance import environment, now_iso
from .regulations import regulations
from .report import BLOCK_COLUMNS, SEVERITY_ORDER, Report
from .rules import RULES
from .rules.titles import skipped_rule
from .units import parse_capacity

__all__ = ["Checker", "check", "read_blocks"]

_RULE_ORDER = {code: i for i, code in enumerate(RULES)}


def _geometry_issues(geoms: np.ndarray, repairs: dict) -> tuple[np.ndarray, dict]:
    """List null/empty/non-polygon blocks and the repairs made on loading. Returns (geoms, issues).

    Validity was judged and repaired on loading, on the geometry as the file states it and again after
    reprojection (:func:`yangao_geo.layers.validated_analysis_geometries`); here a repair that left no
    area makes the block unusable.
    """
    empty: dict[int, str] = {}
    for i, g in enumerate(geoms):
        if g is None:
            empty[i] = t("geometry is null")
        elif g.is_empty:
            empty[i] = t("geometry is empty")
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            empty[i] = t("geometry is a {type}, expected Polygon or MultiPolygon", type=g.geom_type)
    invalid = {}
    for i, repair in repairs.items():  # a repair gives a polygon, or nothing when no area was left
        if is_polygonal([geoms[i]])[0]:
            invalid[i] = repair
        else:
            empty[i] = t("invalid geometry ({reason}) has no area left after repair", reason=repair["reason"])
    return geoms, {"invalid": invalid, "empty": empty}


def read_blocks(
    blocks=None,
    *,
    kind=None,
    crs=None,
    layer=None,
    engine="pyogrio",
    encoding=None,
    datum=None,
    edges="source",
    selected_only=None,
    attributes=None,
):
    """Read and normalise a blocks input into EPSG:4547.

    Returns
    -------
    (GeoDataFrame, LoadedLayer)
        Canonical block columns (see :mod:`yangao_geo.attributes`) plus ``row``,
        and the loaded layer with its provenance and CRS note.
    """
    source = bundled_blocks_path() if blocks is None else blocks
    loaded = load_layer(
        source,
        role="blocks",
        layer=layer,
        crs=crs,
        engine=engine,
        encoding=encoding,
        datum=datum,
        edges=edges,
        selected_only=selected_only,
    )
    name = loaded.info.path if loaded.info.path != "<GeoDataFrame>" else "blocks"
    table = normalise_blocks(loaded.gdf, kind=kind, source=name, attributes=attributes)
    loaded.info.notes.extend(table.attrs.pop("column_notes", []))
    if table.attrs.pop("declared_area_unit_unknown", False):
        _declared_area_units(table, loaded)
    for row, value, unit in zip(table["row"], table["capacity"], table["capacity_unit"]):
        try:
            parse_capacity(value, unit)
        except InputError as exc:
            raise InputError(t("{name}: row {row}: {exc}", name=name, row=row, exc=exc)) from None
    return table, loaded


def check(
    blocks=None,
    constraints=None,
    *,
    kind=None,
    crs=None,
    tolerance_m2=None,
    rules=None,
    config=None,
    layer=None,
    engine="pyogrio",
    encoding=None,
    progress=None,
    dask=None,
    keep_geometry: bool = True,
    edges: str | None = None,
    width_tolerance_m: float | None = None,
    regulations_profile: str | None = None,
    lang: str | None = None,
    selected_only: bool | None = None,
    attributes: dict | None = None,
    area_unit: str | None = None,
) -> Report:
    """Check proposed planning blocks against the rules of the Yanggao mineral plan.

    Parameters
    ----------
    blocks : path or GeoDataFrame, optional
        Proposed blocks (any vector format GDAL reads). None: the plan's own
        blocks, bundled with the package.
    constraints : None, path, list of paths, mapping or ConstraintSet, optional
        Constraint layers (see :func:`yangao_geo.layers.load_constraints`).
        None: the bundled illustrative layers. A loaded ``ConstraintSet`` is
        reused as is (indexes included), which is what batch runs do.
    kind : {"exploration", "mining", "concentrated"}, optional
        Block kind for every block (else the file's kind/类型 column).
    crs : CRS-like, optional
        CRS of the blocks when the file has none (or a wrong one).
    tolerance_m2 : float, optional
        Overlaps at or below this are slivers (warn). Default: config, else 1.0.
    rules : list of str, optional
        Rule codes or names to run (default: all).
    config : path or dict, optional
        TOML settings (see :mod:`yangao_geo.config`).
    layer : str, optional
        Layer of a multi-layer blocks file.
    engine : {"pyogrio", "fiona"}
        I/O engine.
    encoding : str, optional
        Attribute encoding of the blocks file (default: detected).
    progress : callable, optional
        ``progress(done, total, label)`` after each step (reading, each rule).
    keep_geometry : bool
        False drops the geometry of every finding (the column is all None) and keeps no overlap piece in
        memory: for runs whose outputs are JSON/CSV only (the CLI does this), on large layers. Such a run
        also leaves a large farmland/arable layer on disk and reads it batch by batch
        (:mod:`yangao_geo.streaming`; same findings).
    edges : {"source", "vertices"}, optional
        Edge convention (default "source": edges straight in each file's own CRS; "vertices": only the
        vertices are projected, as ArcGIS/QGIS do). See :data:`yangao_geo.crs.EDGE_CONVENTIONS`.
    width_tolerance_m : float, optional
        Overlap pieces narrower than this everywhere are shared edges (info). Default 0.05 m.
    regulations_profile : {"current", "plan-2022"}, optional
        Which regulations apply (see :mod:`yangao_geo.regulations`). Default "current".
    area_unit : {"km2", "ha", "mu"}, optional
        The area unit the reports show besides m² (km², 公顷 or 亩; default km², or the config's).
    attributes : dict, optional
        Block attributes for every block of the file, as ``kind`` does for the kind: ``{"mineral": "金",
        "degree": "详查", "reserve_scale": "小型", "capacity": 5, "capacity_unit": "万吨/年"}`` (a text
        format carries none of them). They win over the file's own columns.
    selected_only : bool, optional
        A QGIS layer as ``blocks`` (the QGIS Python console): True checks only its selected features,
        False all of them; None (default) the selection when the layer has one, else all.
    lang : {"zh", "en"}, optional
        Language of the findings' messages and the reports (default: config ``lang``, else the
        ``YANGAO_GEO_LANG`` environment variable, else zh, 简体中文).
    dask : distributed.Client or str, optional
        Compute the overlaps with large layers on a Dask cluster (a client or a scheduler address);
        a streamed GeoParquet layer is read part by part by the workers themselves. The findings are
        identical (see :mod:`yangao_geo.distributed`).

    Returns
    -------
    Report

    Examples
    --------
    >>> import yangao_geo
    >>> report = yangao_geo.check()
    >>> sorted(report.findings.loc[report.findings.rule_id == "B301", "block_name"])
    ['阳高县山口头片麻岩矿', '阳高县颜家沟建筑用片麻岩']
    """
    started, started_at = time.perf_counter(), now_iso()
    # every setting validated once, before anything is read; the language first: the messages speak it
    settings = build_settings(
        config,
        tolerance_m2=tolerance_m2,
        rules=rules,
        edges=edges,
        width_tolerance_m=width_tolerance_m,
        regulations=regulations_profile,
        lang=lang,
        area_unit=area_unit,
    )
    with use_lang(settings.lang), one_check():  # a file's metadata read once in a check, afresh in the next
        return _check(
            blocks,
            constraints,
            settings,
            kind=kind,
            crs=crs,
            layer=layer,
            engine=engine,
            encoding=encoding,
            progress=progress,
            dask=dask,
            keep_geometry=keep_geometry,
            started=started,
            started_at=started_at,
            selected_only=selected_only,
            attributes=attributes,
        )


def _check(
    blocks,
    constraints,
    settings,
    *,
    kind,
    crs,
    layer,
    engine,
    encoding,
    progress,
    dask,
    keep_geometry,
    started,
    started_at,
    selected_only,
    attributes,
) -> Report:
    hash_ahead(_input_files(blocks, constraints))
    table, loaded = read_blocks(
        blocks,
        kind=kind,
        crs=crs,
        layer=layer,
        engine=engine,
        encoding=encoding,
        datum=settings.datum,
        edges=settings.edges,
        selected_only=selected_only,
        attributes=attributes,
    )
    geoms, issues = _geometry_issues(np.asarray(table.geometry.values, dtype=object).copy(), loaded.repairs)
    spatial = np.array([i not in issues["empty"] for i in range(len(geoms))])
    usable = np.array([g if ok else None for g, ok in zip(geoms, spatial)], dtype=object)
    columns = {c: table[c] for c in table.columns if c != table.geometry.name}
    # the blocks' TD/T 1055 areas on the pool's threads while this one reads the constraint layers
    block_areas = ellipsoidal_area_later(usable, ANALYSIS_CRS)

    selected = [RULES[c] for c in settings.selected]
    if isinstance(constraints, ConstraintSet):
        if constraints.edges != settings.edges:
            # the layers' edges were densified for another convention: using them would mix two conventions
            raise InputError(
                t(
                    "the constraint layers were loaded with edges={loaded} but this run uses edges={wanted}; load "
                    "them again with load_constraints(..., edges={wanted_repr})",
                    loaded=constraints.edges,
                    wanted=settings.edges,
                    wanted_repr=repr(settings.edges),
                )
            )
        constraint_set = constraints
    else:
        needed = {name for r in selected for name in r.layers} | {*REQUIRED_LAYERS, "county_boundary"}
        constraint_set = load_constraints(
            constraints,
            postgis_tables=settings.postgis_tables,
            engine=engine,
            layers_needed=needed,
            datum=settings.datum,
            near=_area_of_interest(usable),
            stream=not keep_geometry,
            edges=settings.edges,
        )

    columns["area_m2"] = block_areas()
    columns["spatial"] = spatial
    columns["lonlat_vertices"] = np.asarray(loaded.lonlat_vertices, dtype=object)
    table = geoframe(columns, usable, ANALYSIS_CRS)

    skipped = [skipped_rule(c, "disabled") for c in settings.disabled]
    skipped += [
        skipped_rule(c, "not_selected") for c in RULES if c not in settings.selected and c not in settings.disabled
    ]
    runnable = []
    for r in selected:
        missing = [name for name in r.layers if name not in constraint_set]
        if missing:
            skipped.append(skipped_rule(r.code, "missing_layers", missing))
        else:
            runnable.append(r)

    crs_notes = [lyr.crs_note for lyr in [loaded, *constraint_set.layers.values()] if lyr.crs_note]
    ctx = Context(
        table,
        constraint_set,
        tolerance_m2=settings.tolerance_m2,
        minerals=settings.minerals,
        geometry_issues=issues,
        crs_notes=crs_notes,
        client=connect(dask),
        keep_geometry=keep_geometry,
        width_tolerance_m=settings.width_tolerance_m,
        regulations=regulations(settings.regulations),
    )
    if progress is not None:
        progress(0, len(runnable), "rules")
    run_rules(ctx, runnable, settings.params, on_rule=progress)
    release_free_memory()  # the overlaps' temporaries are gone: the report is built in the memory they held

    store = ctx.findings
    del ctx  # the overlap caches: not needed by the report
    context = {}
    if keep_geometry:
        view_set = constraint_set
        view = _view_box(table)
        if not isinstance(constraints, ConstraintSet) and view is not None:
            # the map shows every feature in its view, not only those the check had to read (the ones
            # meeting the blocks): an analyst must see that a block is clear of the red line beside it
            try:
                view_set = load_constraints(
                    constraints,
                    postgis_tables=settings.postgis_tables,
                    engine=engine,
                    layers_needed=set(constraint_set.order),
                    datum=settings.datum,
                    near=view,
                    edges=settings.edges,
                )
            except Exception:  # the map is a view; the findings never depend on it
                view_set = constraint_set
        context = _context_layers(view_set, table)
    sources = constraint_set.sources
    if not isinstance(constraints, ConstraintSet):
        del constraint_set  # loaded here, used up (a caller's set is the caller's to keep)
    report = _build_report(table, store)
    del store
    # the blocks as read (attributes, analysis outlines, corner points as delivered): Report.propose_fixes
    columns = [c for c in ("block_id", "name", "kind", "mineral", "source_right") if c in table.columns]
    report.blocks_as_read = (table[[*columns, table.geometry.name]].copy(), loaded.lonlat_vertices, loaded.info.crs)
    report.inputs = [loaded.info, *sources]
    report.skipped_rules = sorted(skipped, key=lambda s: _RULE_ORDER[s["rule_id"]])
    report.settings = settings.as_dict()
    from . import __version__

    report.tool = {
        "name": "yangao_geo",
        "version": __version__,
        "started_at": started_at,
        "elapsed_s": round(time.perf_counter() - started, 3),
        "environment": environment(),
    }
    report.context = context
    # the corner points as delivered (no densification), lon/lat: what the opinion's 附表 lists
    report.context["corners"] = geoframe(
        {"block_id": table["block_id"].to_numpy(), "name": table["name"].to_numpy()},
        table["lonlat_vertices"].to_numpy(dtype=object),
        4490,
    )
    release_free_memory()  # the overlap caches and the layers, freed above: before a report writer needs pages
    return report


def _view_box(blocks: gpd.GeoDataFrame, margin_m: float = 2000.0):
    """The maps' view around the blocks (EPSG:4547): their box widened by 2 km."""
    geoms = blocks.geometry[blocks.geometry.notna()]
    if geoms.empty:
        return None
    minx, miny, maxx, maxy = geoms.total_bounds
    return shapely.box(minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m)


def _context_layers(constraints, blocks: gpd.GeoDataFrame, margin_m: float = 2000.0) -> dict:
    """Constraint features near the blocks (for maps); not part of the JSON contract."""
    geoms = blocks.geometry[blocks.geometry.notna()]
    if geoms.empty:
        return {}
    minx, miny, maxx, maxy = geoms.total_bounds
    box = shapely.box(minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m)
    out = {}
    for name in constraints.layers:
        idx = constraints.tree(name).query(box, predicate="intersects")
        if len(idx):
            gdf = constraints.get(name)
            out[name] = gdf.iloc[np.sort(idx)][["feature_id", "geometry"]]
    return out


def _declared_area_units(table: gpd.GeoDataFrame, loaded) -> None:
    """A declared area column without a fixed unit (地块面积/DKMJ): each value in the unit that puts it
    nearest the computed area (m², 公顷, 亩, km²); the unit read is noted for the input."""
    from .io.land_txt import AREA_UNITS, declared_area

    units = set()
    values = []
    plane = shapely.area(np.asarray(table.geometry.values, dtype=object))  # EPSG:4547 m²: enough to tell units
    for value, area in zip(table["declared_area_km2"], np.nan_to_num(plane)):
        if value is None or value != value:
            values.append(None)
            continue
        km2, unit, _ = declared_area(repr(float(value)), float(area), "")
        values.append(km2)
        units.add(unit)
    table["declared_area_km2"] = values
    if units:
        loaded.info.notes.append(
            t(
                "declared area column without a unit read in {units} (nearest the computed areas among {choices})",
                units=", ".join(sorted(units)),
                choices=", ".join(AREA_UNITS),
            )
        )


def _input_files(blocks, constraints) -> list:
    """The input files named by path (their digests can be computed while they are read)."""
    if constraints is None:
        constraints = bundled_constraint_paths()
    if isinstance(constraints, Mapping):
        constraints = list(constraints.values())
    elif isinstance(constraints, (str, Path)):
        constraints = [constraints]
    elif not isinstance(constraints, (list, tuple)):
        constraints = []
    blocks = bundled_blocks_path() if blocks is None else blocks
    return [p for p in [blocks, *constraints] if isinstance(p, (str, Path))]


def _area_of_interest(geoms, margin_m: float = 10.0):
    """The blocks' envelopes (EPSG:4547), for reading only the constraint features near them."""
    geoms = np.asarray(geoms, dtype=object)
    boxes = shapely.envelope(geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)])
    if len(boxes) == 0:
        return None
    return shapely.union_all(shapely.buffer(boxes, margin_m, join_style="mitre"))


def _ranks(values: RepeatedValues, order: dict) -> np.ndarray:
    """``order[v]`` for every value of a coded column (looked up once per distinct value)."""
    return np.array([order[v] for v in values.values], dtype=np.int64)[values.codes]


def _build_report(table: gpd.GeoDataFrame, store) -> Report:
    """Findings in a stable order (input findings first, then by block and rule, then as recorded).

    The findings stay columns (:class:`~yangao_geo.findings.FindingColumns`): the report builds its
    GeoDataFrame only when asked, and writes JSON/CSV without it.
    """
    found = {f: store.column(f, release=True) for f in FINDING_FIELDS}
    positions = found["block_pos"]
    rule_rank = _ranks(found["rule_id"], _RULE_ORDER)
    order = np.lexsort((np.arange(len(positions)), rule_rank, positions))
    block_fields = {
        col: table[src].to_numpy(dtype=object)
        for col, src in (("block_id", "block_id"), ("block_name", "name"), ("kind", "kind"), ("mineral", "mineral"))
    }
    findings = FindingColumns(found, order, block_fields, ANALYSIS_CRS)

    # a block's status is its worst finding; info findings do not count
    rank = _ranks(found["severity"], SEVERITY_ORDER)
    on_block = positions >= 0
    worst = np.zeros(len(table), dtype=int)
    np.maximum.at(worst, positions[on_block], rank[on_block])
    status = np.array(["pass", "warn", "fail"], dtype=object)[worst].tolist()
    columns = {c: status if c == "status" else table[c] for c in BLOCK_COLUMNS if c != "geometry"}
    return Report(findings, geoframe(columns, table.geometry.values, ANALYSIS_CRS))


class Checker:
    """Constraint layers read, projected and indexed once; blocks checked against them many times.

    For interactive work — the QGIS console, a notebook, re-checking an edited block — and for batch:
    the layers are read whole (every feature, so any block anywhere is checked against the same data),
    their spatial indexes and feature areas built up front. ``Checker.check`` takes the arguments of
    :func:`check` (``keep_geometry=False`` is the quick setting when no map is drawn) and gives the same
    findings as a fresh :func:`check` with the same files.

    Examples
    --------
    >>> ck = Checker()                      # the bundled layers, read once
    >>> a = ck.check(keep_geometry=False)
    >>> b = check(keep_geometry=False)
    >>> a.to_dict()["findings"] == b.to_dict()["findings"]
    True
    """

    def __init__(self, constraints=None, *, config=None, engine: str = "pyogrio", **defaults):
        from .layers import OPTIONAL_LAYERS

        settings = build_settings(config)
        self.constraints = load_constraints(
            constraints,
            postgis_tables=settings.postgis_tables,
            engine=engine,
            layers_needed={*REQUIRED_LAYERS, *OPTIONAL_LAYERS},
            datum=settings.datum,
            edges=settings.edges,
        )
        for name in self.constraints.layers:
            self.constraints.tree(name)
            self.constraints.areas(name)
        self.defaults = {"config": config, "engine": engine, **defaults}

    def check(self, blocks=None, **kwargs) -> Report:
        """:func:`check` ``blocks`` against the layers held (keyword arguments as for :func:`check`)."""
        return check(blocks, self.constraints, **{**self.defaults, **kwargs})
