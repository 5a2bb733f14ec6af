"""Loading inputs into the analysis CRS: the blocks file and the constraint layers.

Constraint layers are looked up by name in a GeoPackage (layers) or a
directory (files, any format, by stem). The standard layer names of Chinese
国土空间规划 databases are accepted too:

==============  ===============================================
layer           also accepted as
==============  ===============================================
eco_redline     STBHHX (生态保护红线)
basic_farmland  YJJBNTBHTB (永久基本农田保护图斑)
town_boundary   CZKFBJ (城镇开发边界)
county_boundary XZQ (行政区)
arable_land     DLTB (三调 地类图斑; only 耕地, DLBM 01xx, is kept)
==============  ===============================================
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from . import streaming
from .area import FeatureAreas
from .crs import ANALYSIS_CRS, resolve_crs, to_analysis_crs, to_lonlat_vertices
from .errors import CRSError, InputError
from .features import (
    _ID_FIELDS,
    arable_mask,
    dlbm_column,
    format_id,
    id_columns,
    is_dltb,
    validated_analysis_geometries_later,
)
from .frames import geoframe
from .geometry import covering_boxes, is_polygonal, nonfinite_positions
from .i18n import t
from .io.gpkg_index import rtree_fids
from .io.read_once import within_one_check
from .io.vector import VECTOR_SUFFIXES, SourceInfo, layer_info, list_layers, read_vector
from .threads import Later

__all__ = [
    "LAYER_ALIASES",
    "OPTIONAL_LAYERS",
    "REQUIRED_LAYERS",
    "ConstraintSet",
    "LoadedLayer",
    "bundled_blocks_path",
    "bundled_constraint_paths",
    "constraint_sources",
    "load_constraints",
    "load_layer",
]

REQUIRED_LAYERS = ("mining_rights", "eco_redline", "basic_farmland", "town_boundary")
OPTIONAL_LAYERS = ("arable_land", "deposits", "county_boundary", "concentrated_areas")
LAYER_ALIASES = {
    "stbhhx": "eco_redline",
    "yjjbntbhtb": "basic_farmland",
    "czkfbj": "town_boundary",
    "xzq": "county_boundary",
    "dltb": "arable_land",
}
_RIGHT_ID_FIELDS = ("right_id", "许可证号", "xkzh", "勘查许可证号", "采矿许可证号")
_RIGHT_TYPE_FIELDS = ("right_type", "矿业权类型", "类型")
_RIGHT_TYPES = {
    "探矿权": "exploration",
    "exploration": "exploration",
    "t": "exploration",
    "采矿权": "mining",
    "mining": "mining",
    "c": "mining",
}


@dataclass
class LoadedLayer:
    """One input layer in the analysis CRS, with its provenance."""

    name: str
    gdf: gpd.GeoDataFrame
    info: SourceInfo
    crs_note: str = ""
    #: blocks only: the original vertices (no densification) in CGCS2000 lon/lat, for grid checks
    lonlat_vertices: np.ndarray | None = None
    #: position -> {"reason", "area_before_m2", "area_after_m2", "stage"} for every geometry repaired
    repairs: dict = field(default_factory=dict)
    #: the whole layer's extent in EPSG:4547 (its bounding box, as a polygon; None when it has no
    #: geometry) — from the file's metadata when only the features near the blocks were read
    extent: object = None
    #: when only some features were read: a function giving their 1-based rows in the file (row-number
    #: ids); None when the features are the file's, all of them, in order
    rows: object = None
    #: a database table's primary key column: the feature ids when no id column is complete (a table
    #: fetched in part has no row numbers to fall back on)
    key_column: str | None = None


@dataclass
class ConstraintSet:
    """The constraint layers of a run, by canonical name.

    Spatial indexes and feature areas are built on first use and kept, so a
    set loaded once serves any number of :func:`yangao_geo.check` calls (pass
    it as ``constraints``), as batch runs do.
    """

    layers: dict[str, LoadedLayer] = field(default_factory=dict)
    #: layers not loaded but read batch by batch by the overlap rules (see :mod:`yangao_geo.streaming`)
    streams: dict = field(default_factory=dict)
    #: layer names in the order they were found (the order of the report's inputs)
    order: list = field(default_factory=list)
    #: the edge convention the layers were loaded with (a run with another one must load them again)
    edges: str = "source"
    _trees: dict = field(default_factory=dict, repr=False)
    _areas: dict = field(default_factory=dict, repr=False)
    _derived: dict = field(default_factory=dict, repr=False)

    def get(self, name: str) -> gpd.GeoDataFrame | None:
        layer = self.layers.get(name)
        return None if layer is None else layer.gdf

    def __contains__(self, name: str) -> bool:
        return name in self.layers or name in self.streams

    def geometries(self, name: str) -> np.ndarray:
        return np.asarray(self.layers[name].gdf.geometry.values, dtype=object)

    def tree(self, name: str) -> shapely.STRtree:
        """STRtree over the layer's geometries (built once)."""
        if name not in self._trees:
            self._trees[name] = shapely.STRtree(self.geometries(name))
        return self._trees[name]

    def areas(self, name: str) -> FeatureAreas:
        """Ellipsoidal area in m² of each feature of the layer (scale-factor method; each computed once,
        when first asked for: :class:`~yangao_geo.area.FeatureAreas`)."""
        if name not in self._areas:
            self._areas[name] = FeatureAreas(self.geometries(name), ANALYSIS_CRS)
        return self._areas[name]

    def union(self, name: str):
        """The union of the layer's features, prepared (computed once: a held set serves many checks)."""
        return self.derived(("union", name), lambda: _prepared(shapely.union_all(self.geometries(name))))

    def derived(self, key, make):
        """``make()``, computed once per key for this set (what rules derive from the layers alone)."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]

    def extent(self, name: str):
        """The whole layer's extent in EPSG:4547 (a polygon), or None when it has no geometry."""
        if name in self.layers:
            return self.layers[name].extent
        return self.streams[name].extent

    def repairs(self) -> dict[str, list]:
        """Layer name -> the repairs of its invalid features (see :class:`LoadedLayer`)."""
        return {name: layer.repairs for name, layer in self.layers.items() if layer.repairs}

    @property
    def sources(self) -> list[SourceInfo]:
        names = [*self.layers, *self.streams]
        rank = {name: i for i, name in enumerate(self.order)}
        names.sort(key=lambda n: rank.get(n, len(rank)))
        return [self.layers[n].info if n in self.layers else self.streams[n].info for n in names]


def _prepared(geometry):
    shapely.prepare(geometry)
    return geometry


def bundled_blocks_path() -> Path:
    """The plan's own blocks, shipped with the package."""
    return Path(str(resources.files("yangao_geo").joinpath("data/boundaries/plan_blocks.gpkg")))


def bundled_constraint_paths() -> list[Path]:
    """The illustrative constraint layers shipped with the package (see data/README.md)."""
    root = resources.files("yangao_geo").joinpath("data")
    return [Path(str(root.joinpath("boundaries/boundaries.gpkg"))), Path(str(root.joinpath("redlines/redlines.gpkg")))]


def _bounds(gdf: gpd.GeoDataFrame) -> tuple[float, ...]:
    """The bounds of the layer's non-empty geometries (NaN × 4 when there are none)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return (np.nan,) * 4
    return tuple(float(v) for v in shapely.total_bounds(geoms[ok]))


def load_layer(source, **options) -> LoadedLayer:
    """Read a path or take a GeoDataFrame, resolve its CRS and bring it to EPSG:4547.

    Empty/null geometries are kept (the blocks rules report them); the CRS decision is recorded in the
    returned layer's ``crs_note``. ``options`` are :func:`load_layer_later`'s (``role`` is required).
    """
    return load_layer_later(source, **options)()


def load_layer_later(
    source,
    *,
    role: str,
    layer: str | None = None,
    crs=None,
    engine: str = "pyogrio",
    encoding: str | None = None,
    datum=None,
    near=None,
    edges: str = "source",
    selected_only: bool | None = None,
) -> Later:
    """Read a layer now and start its validation and reprojection on the pool's threads; call the result
    for the :class:`LoadedLayer` (:func:`load_layer` does at once), or ``.cancel()`` it to drop the work.

    Reading holds Python's lock (GDAL's reader, WKB decoding, pandas); validating and reprojecting do not
    (GEOS and PROJ). Started this way, a large layer — a red line of a million vertices — is reprojected
    while the calling thread reads the next layers (:func:`load_constraints`).
    """
    from .io.postgis import is_postgis_url

    if is_postgis_url(source):  # the blocks from a PostGIS table (…?table=NAME)
        from .io.postgis import read_blocks_table

        source = read_blocks_table(source)
    if not isinstance(source, (gpd.GeoDataFrame, str, Path)):
        from .qgis_adapter import is_qgis_layer, layer_to_gdf

        if is_qgis_layer(source):  # a QGIS layer (the console): its selection when it has one
            source, qinfo = layer_to_gdf(source, selected_only=selected_only)
            source.attrs["yangao_source"] = qinfo
    facts = None
    rows = None
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source  # read only: the layer returned is a new frame
        info = source.attrs.get("yangao_source") or SourceInfo(
            path="<GeoDataFrame>", layer=layer, features=len(gdf), role=role
        )
        info.role = role
        for key in ("yangao_selection_note",):
            if source.attrs.get(key) and source.attrs[key] not in info.notes:
                info.notes.append(source.attrs[key])
        if len(gdf) == 0 and role == "blocks":
            raise InputError(t("{role}: the layer has no features", role=role))
    else:
        facts = declared_facts(source, layer, engine) if near is not None else None
        fids = None if facts is None else rtree_fids(source, layer, boxes_in_file_crs(near, facts.crs))
        read_mask = None if facts is None or fids is not None else mask_in_file_crs(near, facts.crs)
        gdf, info = read_vector(
            source,
            layer=layer,
            engine=engine,
            encoding=encoding,
            role=role,
            allow_empty=role != "blocks",
            crs=crs,
            mask=read_mask,
            fids=fids,
        )
        if facts is not None:
            info.notes.append(
                t("read {n} of {total} features (those near the blocks)", n=len(gdf), total=facts.features)
            )
            info.features = facts.features
        rows = gdf.attrs.pop("yangao_rows", None)
        if rows is not None:  # a read of the file's FIDs: once, however many times the rows are asked for
            rows = functools.cache(rows)
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") else np.asarray(gdf.geometry)
    _refuse_nonfinite(geoms, gdf, info, role, rows)
    bounds = _bounds(gdf)
    try:
        resolved = resolve_crs(gdf.crs, bounds, user_crs=crs, datum=datum)
    except CRSError as exc:
        raise CRSError(t("{path}: {exc}", path=info.path, exc=exc)) from None
    info.crs = f"EPSG:{resolved.crs.to_epsg()}"
    info.crs_inferred = resolved.inferred
    validated = validated_analysis_geometries_later(geoms, resolved, edges)
    # what needs no analysis geometry is worked out here, while the pool's threads reproject
    where = f"{role} ({info.path}{'' if not info.layer else ':' + info.layer})"
    note = f"{where}: {resolved.note}" if resolved.inferred else ""
    if isinstance(source, gpd.GeoDataFrame) and source.attrs.get("yangao_crs_note"):
        note = f"{where}: {source.attrs['yangao_crs_note']}"  # reprojected by QGIS: said as a D103 finding
    if resolved.datum is not None:
        info.notes.append(resolved.note)
    vertices = to_lonlat_vertices(geoms, resolved.crs, datum=resolved.datum) if role == "blocks" else None
    if facts is None and role != "blocks" and not isinstance(source, gpd.GeoDataFrame):
        facts = declared_facts(source, layer, engine)  # the extent from the file's own bounds, read or not
    declared = source.attrs.get("yangao_extent") if isinstance(source, gpd.GeoDataFrame) else None
    extent = None
    if facts is not None and facts.bounds is not None:
        extent = extent_in_analysis_crs(facts.bounds, facts.crs)
    elif declared is not None:  # a layer fetched in part (a database table near the blocks): its whole extent
        extent = extent_in_analysis_crs(*declared)
    key = source.attrs.get("yangao_key") if isinstance(source, gpd.GeoDataFrame) else None
    names = [c for c in gdf.columns if c != gdf.geometry.name]

    def finish() -> LoadedLayer:
        analysis, repairs = validated()
        if gdf.columns.is_unique:
            out = geoframe({c: gdf[c] for c in names}, analysis, ANALYSIS_CRS, index=gdf.index)
        else:  # a caller's frame may repeat a name: keep its columns as they are
            out = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=list(analysis), crs=ANALYSIS_CRS)
        whole = extent
        if whole is None:  # neither the file nor the caller says the layer's extent: that of what was read
            analysis_bounds = _bounds(out)
            whole = None if np.isnan(analysis_bounds[0]) else shapely.box(*analysis_bounds)
        return LoadedLayer(role, out, info, note, vertices, repairs, whole, rows=rows, key_column=key)

    return Later(finish, cancel=validated.cancel)


def extent_in_analysis_crs(bounds, crs):
    """A bounding box given in ``crs`` as a polygon in EPSG:4547 (edges densified, so it stays a box there)."""
    box = shapely.box(*bounds)
    crs = pyproj.CRS.from_user_input(crs)
    if crs.equals(ANALYSIS_CRS):
        return box
    return to_analysis_crs([box], crs)[0]


def _refuse_nonfinite(geoms: np.ndarray, gdf, info: SourceInfo, role: str, rows=None) -> None:
    """A NaN or infinite coordinate is an input error naming the features (GEOS would drop the vertex).

    Features are named by their 1-based row in the file (``rows()`` when only some were read).
    """
    bad = nonfinite_positions(geoms)
    if len(bad) == 0:
        return
    where = []
    in_file = bad + 1 if rows is None else np.asarray(rows(), dtype=np.int64)[bad]
    for pos, row in zip(bad[:5], in_file[:5]):
        label = t("feature {n}", n=int(row))
        if "source" in gdf.columns and isinstance(gdf["source"].iloc[pos], str):
            label += f" ({gdf['source'].iloc[pos]})"
        where.append(label)
    more = t(" and {n} more", n=len(bad) - 5) if len(bad) > 5 else ""
    raise InputError(
        t(
            "{path}: {role}: {value}{more} has a coordinate that is NaN or infinite; expected finite numbers",
            path=info.path,
            role=role,
            value=", ".join(where),
            more=more,
        )
    )


@dataclass
class FileFacts:
    """What a layer's metadata say, read without reading its features."""

    crs: object  # pyproj.CRS, declared by the file and agreeing with its bounds
    features: int
    fields: list
    #: the layer's total bounds in ``crs``
    bounds: tuple | None = None
    #: GeoParquet layers: :func:`~yangao_geo.io.geoparquet.parquet_info` (parts, their bounds …)
    parquet: dict | None = None


def declared_facts(source, layer=None, engine: str = "pyogrio") -> FileFacts | None:
    """The CRS, feature count and fields a file declares — or None when any of it is in doubt.

    Only a CGCS2000 CRS that the file declares and its coordinates agree with counts (no inference, no
    datum shift): a spatial filter or a batch read in a wrong CRS would silently drop features.
    """
    if engine != "pyogrio" or not isinstance(source, (str, Path)):
        return None
    from .io.geoparquet import is_geoparquet, parquet_info

    try:
        parquet = parquet_info(source) if is_geoparquet(source) else None
        if parquet is not None:
            meta = parquet
            crs_text, bounds, fields = meta["crs"], meta["total_bounds"], list(meta["fields"])
        elif Path(source).is_file():
            meta = layer_info(source, layer)
            crs_text, bounds, fields = meta.get("crs"), meta.get("total_bounds"), list(meta.get("fields", []))
        else:
            return None
        if not crs_text or bounds is None or np.isnan(np.asarray(bounds, dtype=float)).any():
            return None
        resolved = resolve_crs(crs_text, tuple(bounds))
    except Exception:  # unreadable here means: let the normal reader report it
        return None
    if resolved.inferred or resolved.datum is not None:
        return None
    return FileFacts(
        resolved.crs, int(meta["features"]), fields, bounds=tuple(float(v) for v in bounds), parquet=parquet
    )


def mask_in_file_crs(near, crs):
    """The area of interest ``near`` (EPSG:4547) in the file's CRS, with a margin for edge curvature."""
    if crs.equals(ANALYSIS_CRS):
        return near
    import pyproj

    to_file = pyproj.Transformer.from_crs(ANALYSIS_CRS, crs, always_xy=True)
    ring = shapely.segmentize(near.buffer(50.0, join_style="mitre"), 500.0)
    return shapely.transform(ring, lambda xy: np.column_stack(to_file.transform(xy[:, 0], xy[:, 1])))


def boxes_in_file_crs(near, crs) -> np.ndarray:
    """Boxes in the file's CRS covering the area of interest ``near`` (EPSG:4547), margin as in the mask.

    For asking a file's spatial index box by box (:func:`yangao_geo.io.gpkg_index.rtree_fids`): each box
    of :func:`~yangao_geo.geometry.covering_boxes`, widened by the mask's 50 m, has its edges densified
    every 500 m before it is transformed, and the bounds of the result are taken. Every layer of a check
    asks with the same area: the boxes are worked out once per area and CRS (read-only array).
    """
    return _boxes_in_file_crs(near, pyproj.CRS.from_user_input(crs))


@functools.lru_cache(maxsize=16)
def _boxes_in_file_crs(near, crs) -> np.ndarray:
    boxes = covering_boxes(near)
    if not crs.equals(ANALYSIS_CRS):
        to_file = pyproj.Transformer.from_crs(ANALYSIS_CRS, crs, always_xy=True)
        widened = shapely.segmentize(shapely.box(*(boxes + np.array([-50.0, -50.0, 50.0, 50.0])).T), 500.0)
        boxes = shapely.bounds(
            shapely.transform(widened, lambda xy: np.column_stack(to_file.transform(xy[:, 0], xy[:, 1])))
        ).reshape(-1, 4)
    boxes.flags.writeable = False  # shared by every caller asking with the same area
    return boxes


def _canonical_layer_name(name: str) -> str | None:
    key = name.strip().lower()
    if key in REQUIRED_LAYERS or key in OPTIONAL_LAYERS:
        return key
    return LAYER_ALIASES.get(key)


def constraint_sources(source) -> dict[str, tuple]:
    """The constraint layers a GeoPackage or folder holds: canonical name -> (path, layer or None).

    Public for callers that combine a GeoPackage with layers given one by one (the QGIS dialog).
    """
    return _discover(source)


def _layer_in_container(value, name: str):
    """For ``{name: path}`` with a multi-layer file (a GeoPackage), the file's layer that is ``name``.

    Without it the layer would be read by its role, but its declared extent taken from the file's
    first layer — another layer's — and the coverage check (D108) judged on the wrong extent.
    """
    if not isinstance(value, (str, Path)) or Path(value).suffix.lower() != ".gpkg" or not Path(value).is_file():
        return None
    try:
        layers = list_layers(value)
    except InputError:
        return None
    if len(layers) < 2:
        return None
    for layer in layers:
        if layer == name or _canonical_layer_name(layer) == name:
            return layer
    return None


def _discover(source) -> dict[str, tuple]:
    """Map canonical layer name -> (path, layer or None) for a GeoPackage or a directory."""
    path = Path(source)
    if not path.exists():
        raise InputError(t("constraints: {path}: no such file or directory", path=path))
    from .io.geoparquet import is_geoparquet

    found: dict[str, tuple] = {}
    if is_geoparquet(path):  # one GeoParquet layer (a file or a folder of parts), named by its stem
        name = _canonical_layer_name(path.name.split(".")[0])
        return {name: (path, None)} if name else {}
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.suffix.lower() in VECTOR_SUFFIXES:
                name = _canonical_layer_name(child.stem)
            elif is_geoparquet(child):
                name = _canonical_layer_name(child.name.split(".")[0])
            else:
                continue
            if name and name not in found:
                found[name] = (child, None)
    else:
        for layer in list_layers(path):
            name = _canonical_layer_name(layer)
            if name and name not in found:
                found[name] = (path, layer)
    return found


def _feature_ids(gdf: gpd.GeoDataFrame, fields, rows) -> list[str]:
    """Ids from the first id column with no missing value; else the features' 1-based rows in the file.

    ``rows()`` gives those rows. A feature's row is its place in the whole file, whatever was read or kept:
    an analyst looking up parcel 17 in QGIS finds the parcel the report means.
    """
    for column in id_columns(gdf.columns, fields):
        col = gdf[column]
        if col.notna().all():
            if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype):
                return col.to_numpy(dtype=object).tolist()  # a text column (pandas' str): the texts as they are
            if isinstance(col.dtype, np.dtype) and col.dtype.kind in "iu":
                return col.to_numpy().astype(str).tolist()
            return [format_id(v) for v in col]
    return [str(r) for r in rows()]


def _right_types(gdf: gpd.GeoDataFrame, ids: list[str]) -> list[str | None]:
    lower = {str(c).lower(): c for c in gdf.columns}
    col = next((lower[f.lower()] for f in _RIGHT_TYPE_FIELDS if f.lower() in lower), None)
    out = []
    for i, rid in enumerate(ids):
        value = gdf[col].iloc[i] if col is not None else None
        kind = _RIGHT_TYPES.get(str(value).strip().lower()) if value is not None and value == value else None
        if kind is None and rid[:1].upper() in ("T", "C"):
            kind = _RIGHT_TYPES[rid[:1].lower()]
        out.append(kind)
    return out


def _prepare_constraint(loaded: LoadedLayer, name: str, source_name: str) -> LoadedLayer:
    gdf = loaded.gdf
    if is_dltb(source_name):
        gdf = gdf[arable_mask(gdf, loaded.info.path)]
        loaded.info.notes.append(t("DLTB: kept {n} 耕地 parcels (DLBM 01xx)", n=len(gdf)))
        positions = np.flatnonzero(arable_mask(loaded.gdf, loaded.info.path))
    else:
        positions = np.arange(len(gdf))
    geoms = gdf.geometry.values.to_numpy() if len(gdf) else np.array([], dtype=object)
    keep = is_polygonal(geoms) if len(geoms) else np.array([], dtype=bool)
    gdf = gdf.iloc[np.flatnonzero(keep)] if len(gdf) else gdf
    geoms = geoms[keep] if len(geoms) else geoms
    fields = _RIGHT_ID_FIELDS + _ID_FIELDS if name == "mining_rights" else _ID_FIELDS
    if loaded.key_column is not None:
        fields = (*fields, loaded.key_column)
    kept_positions = positions[keep] if len(positions) else positions
    ids = _feature_ids(gdf, fields, lambda: _rows_of(loaded, kept_positions))
    id_of = dict(zip(kept_positions.tolist(), ids))
    dropped = np.array(sorted(p for p in loaded.repairs if p not in id_of), dtype=np.int64)
    rows = _rows_of(loaded, dropped) if len(dropped) else []  # a repaired feature dropped: named by its row
    name_of = {**dict(zip(dropped.tolist(), map(str, rows))), **id_of}
    in_layer = set(positions.tolist())
    repairs = [
        {**r, "feature_id": name_of[pos], "kept": pos in id_of}
        for pos, r in sorted(loaded.repairs.items())
        if pos in in_layer
    ]
    if repairs:
        loaded.info.notes.append(
            t("{n} invalid geometries repaired (validity judged as stated in the file)", n=len(repairs))
        )
    data = {"feature_id": ids}
    if name == "mining_rights":
        data["right_type"] = _right_types(gdf, ids)
    for extra in ("name", "名称", "mineral", "矿种"):
        if extra in gdf.columns and extra not in data:
            data[extra] = list(gdf[extra])
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=list(geoms), crs=ANALYSIS_CRS)
    return LoadedLayer(name, out, loaded.info, loaded.crs_note, repairs=repairs, extent=loaded.extent)


def _rows_of(loaded: LoadedLayer, positions) -> np.ndarray:
    """The 1-based rows in the file of the features at ``positions`` of ``loaded.gdf``."""
    positions = np.asarray(positions, dtype=np.int64)
    return positions + 1 if loaded.rows is None else np.asarray(loaded.rows(), dtype=np.int64)[positions]


@within_one_check
def load_constraints(
    constraints=None,
    *,
    engine: str = "pyogrio",
    layers_needed=None,
    datum=None,
    near=None,
    stream: bool = False,
    edges: str = "source",
    whole_layers=("county_boundary",),
    postgis_tables: dict | None = None,
) -> ConstraintSet:
    """Load the constraint layers.

    Parameters
    ----------
    constraints : None, path, list of paths, or mapping
        None for the bundled data; a GeoPackage or directory (or several);
        or a mapping ``{layer name: path or GeoDataFrame}``.
    engine : {"pyogrio", "fiona"}
    layers_needed : iterable of str, optional
        Only these layers are read (others found are ignored).
    datum : DatumShift, optional
        Parameters for layers in Beijing 1954 / Xian 1980 (see :mod:`yangao_geo.datum`).
    near : shapely geometry, optional
        Area of interest in EPSG:4547 (the blocks' envelopes): only features intersecting it are read,
        through the file's spatial index — when the file's CRS is declared and its bounds fit it; any
        doubt, and the whole layer is read.
    stream : bool
        Leave large farmland/arable layers on disk, to be read batch by batch by the overlap rules
        (:mod:`yangao_geo.streaming`); for runs that keep no overlap geometry.
    edges : {"source", "vertices"}
        The edge convention (:data:`yangao_geo.crs.EDGE_CONVENTIONS`).
    whole_layers : tuple of str
        Layers always read whole, never filtered to ``near``: the county boundary (one small polygon),
        whose absence near a block is itself the finding (D104).

    Raises
    ------
    InputError
        When a required layer is missing (listing what was found).
    """
    if constraints is None:
        constraints = bundled_constraint_paths()
    if isinstance(constraints, (list, tuple)) and len(constraints) == 1:
        constraints = constraints[0]
    from .io.postgis import postgis_url

    url = None if isinstance(constraints, (Mapping, list, tuple, Path)) else postgis_url(constraints)
    if url is not None:  # the layers from PostGIS tables (a URL, a SQLAlchemy engine, a psycopg connection)
        from .io.postgis import read_constraints

        constraints = read_constraints(url, near=near, whole=whole_layers, tables=postgis_tables)
    found: dict[str, tuple] = {}
    if isinstance(constraints, Mapping):
        for key, value in constraints.items():
            name = _canonical_layer_name(str(key))
            if name is None:
                raise InputError(
                    t(
                        "constraints: unknown layer name {key}; expected one of {value}",
                        key=repr(key),
                        value=", ".join(REQUIRED_LAYERS + OPTIONAL_LAYERS),
                    )
                )
            found[name] = (value, _layer_in_container(value, name), str(key))
    else:
        sources = [constraints] if isinstance(constraints, (str, Path)) else list(constraints)
        for src in sources:
            for name, (p, layer) in _discover(src).items():
                found.setdefault(name, (p, layer, layer or Path(p).stem))
    missing = [n for n in REQUIRED_LAYERS if n not in found]
    if missing:
        have = ", ".join(sorted(found)) or "none"
        raise InputError(
            t(
                "constraints: required layer(s) missing: {value} (found: {have}); expected layers named "
                "mining_rights, eco_redline, basic_farmland, town_boundary (or STBHHX, YJJBNTBHTB, "
                "CZKFBJ)",
                value=", ".join(missing),
                have=have,
            )
        )
    result = ConstraintSet(edges=edges)
    # every layer is read first, each one's reprojection started on the pool as soon as it is read (the
    # next layer is read meanwhile), then each is taken in turn; the first error met is raised and the
    # work started for the other layers is dropped
    started: list[tuple[str, str, Later]] = []
    try:
        for name, (src, layer, source_name) in found.items():
            if layers_needed is not None and name not in layers_needed:
                continue
            result.order.append(name)
            streamed = _open_stream(src, name, layer, source_name, engine, near) if stream else None
            if streamed is not None:
                streamed.edges = edges
                result.streams[name] = streamed
                continue
            area = None if name in whole_layers else near
            later = load_layer_later(src, role=name, layer=layer, engine=engine, datum=datum, near=area, edges=edges)
            started.append((name, source_name, later))
        for name, source_name, later in started:
            result.layers[name] = _prepare_constraint(later(), name, source_name)
    except BaseException:
        for _, _, later in started:
            later.cancel()
        raise
    return result


def _open_stream(source, name, layer, source_name, engine, near):
    """A :class:`~yangao_geo.streaming.LayerStream` for a large streamable file layer, else None."""
    from .io.encoding import detect_shapefile_encoding
    from .io.shapefile import check_shapefile_integrity
    from .io.vector import file_sha256

    if name not in streaming.STREAMABLE_LAYERS:
        return None
    facts = declared_facts(source, layer, engine)
    if facts is None or facts.features <= streaming.STREAM_MIN_FEATURES:
        return None
    path = Path(source)
    if is_dltb(source_name):
        dlbm_column(facts.fields, path)  # fail now, not mid-run
    info = SourceInfo(
        path=str(path),
        layer=layer,
        crs=f"EPSG:{facts.crs.to_epsg()}",
        features=facts.features,
        sha256=file_sha256(path),
        role=name,
    )
    stream = streaming.LayerStream(
        name=name,
        source_name=source_name,
        path=path,
        layer=layer,
        crs=facts.crs,
        mask=None,
        info=info,
        fields=facts.fields,
        extent=extent_in_analysis_crs(facts.bounds, facts.crs),
    )
    if facts.parquet is not None:
        meta = facts.parquet
        stream.parts, stream.part_bounds, stream.geometry_name = meta["parts"], meta["bounds"], meta["geometry_name"]
        info.notes.append(t("format: GeoParquet"))
    else:
        if path.suffix.lower() == ".shp":
            check_shapefile_integrity(path)
            stream.encoding, how = detect_shapefile_encoding(path)
            info.notes.append(t("encoding {encoding} ({how})", encoding=stream.encoding, how=how))
        else:
            stream.encoding = "utf-8"
        info.encoding = stream.encoding
        if layer is None:
            stream.layer = info.layer = list_layers(path)[0]
    if near is not None:  # the features near the blocks: by the file's own R-tree, else GDAL's filter
        fids = None if facts.parquet is not None else rtree_fids(path, stream.layer, boxes_in_file_crs(near, facts.crs))
        if fids is None:
            stream.mask = mask_in_file_crs(near, facts.crs)
        else:
            stream.fids = fids
    return stream
