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

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .area import scale_factor_area
from .crs import ANALYSIS_CRS, resolve_crs, to_analysis_crs, to_lonlat_vertices
from .errors import CRSError, InputError
from .geometry import is_polygonal, repair_polygons
from .io.vector import VECTOR_SUFFIXES, SourceInfo, list_layers, read_vector

__all__ = [
    "LAYER_ALIASES",
    "OPTIONAL_LAYERS",
    "REQUIRED_LAYERS",
    "ConstraintSet",
    "LoadedLayer",
    "bundled_blocks_path",
    "bundled_constraint_paths",
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
_ID_FIELDS = ("feature_id", "bsm", "id", "fid", "objectid", "编号")
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


@dataclass
class ConstraintSet:
    """The constraint layers of a run, by canonical name.

    Spatial indexes and feature areas are built on first use and kept, so a
    set loaded once serves any number of :func:`yangao_geo.check` calls (pass
    it as ``constraints``), as batch runs do.
    """

    layers: dict[str, LoadedLayer] = field(default_factory=dict)
    _trees: dict = field(default_factory=dict, repr=False)
    _areas: dict = field(default_factory=dict, repr=False)

    def get(self, name: str) -> gpd.GeoDataFrame | None:
        layer = self.layers.get(name)
        return None if layer is None else layer.gdf

    def __contains__(self, name: str) -> bool:
        return name in self.layers

    def geometries(self, name: str) -> np.ndarray:
        return np.asarray(self.layers[name].gdf.geometry.values, dtype=object)

    def tree(self, name: str) -> shapely.STRtree:
        """STRtree over the layer's geometries (built once)."""
        if name not in self._trees:
            self._trees[name] = shapely.STRtree(self.geometries(name))
        return self._trees[name]

    def areas(self, name: str) -> np.ndarray:
        """Ellipsoidal area in m² of every feature of the layer (computed once; scale-factor method)."""
        if name not in self._areas:
            self._areas[name] = scale_factor_area(self.geometries(name), ANALYSIS_CRS)
        return self._areas[name]

    @property
    def sources(self) -> list[SourceInfo]:
        return [layer.info for layer in self.layers.values()]


def bundled_blocks_path() -> Path:
    """The plan's own blocks, shipped with the package."""
    return Path(str(resources.files("yangao_geo").joinpath("data/boundaries/plan_blocks.gpkg")))


def bundled_constraint_paths() -> list[Path]:
    """The illustrative constraint layers shipped with the package (see data/README.md)."""
    root = resources.files("yangao_geo").joinpath("data")
    return [Path(str(root.joinpath("boundaries/boundaries.gpkg"))), Path(str(root.joinpath("redlines/redlines.gpkg")))]


def _bounds(gdf: gpd.GeoDataFrame) -> tuple[float, ...]:
    geoms = gdf.geometry.values
    ok = ~(geoms.isna() | geoms.is_empty)
    if not ok.any():
        return (np.nan,) * 4
    return tuple(gdf.geometry[ok].total_bounds)


def load_layer(
    source,
    *,
    role: str,
    layer: str | None = None,
    crs=None,
    engine: str = "pyogrio",
    encoding: str | None = None,
    datum=None,
    near=None,
) -> LoadedLayer:
    """Read a path or take a GeoDataFrame, resolve its CRS and bring it to EPSG:4547.

    Empty/null geometries are kept (the blocks rules report them); the CRS
    decision is recorded in the returned layer's ``crs_note``.
    """
    if not isinstance(source, (gpd.GeoDataFrame, str, Path)):
        from .qgis_adapter import is_qgis_layer, layer_to_gdf

        if is_qgis_layer(source):
            source, qinfo = layer_to_gdf(source)
            source.attrs["yangao_source"] = qinfo
    if isinstance(source, gpd.GeoDataFrame):
        gdf = source.copy()
        info = source.attrs.get("yangao_source") or SourceInfo(
            path="<GeoDataFrame>", layer=layer, features=len(gdf), role=role
        )
        info.role = role
        if len(gdf) == 0 and role == "blocks":
            raise InputError(f"{role}: the GeoDataFrame has no features")
    else:
        read_mask, total = _mask_in_file_crs(source, layer, near, engine) if near is not None else (None, 0)
        gdf, info = read_vector(
            source,
            layer=layer,
            engine=engine,
            encoding=encoding,
            role=role,
            allow_empty=role != "blocks",
            crs=crs,
            mask=read_mask,
        )
        if read_mask is not None:
            info.notes.append(f"read {len(gdf)} of {total} features (those near the blocks)")
            info.features = total
    try:
        resolved = resolve_crs(gdf.crs, _bounds(gdf), user_crs=crs, datum=datum)
    except CRSError as exc:
        raise CRSError(f"{info.path}: {exc}") from None
    info.crs = f"EPSG:{resolved.crs.to_epsg()}"
    info.crs_inferred = resolved.inferred
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") else np.asarray(gdf.geometry)
    gdf = gpd.GeoDataFrame(
        gdf.drop(columns=gdf.geometry.name),
        geometry=list(to_analysis_crs(geoms, resolved.crs, datum=resolved.datum)),
        crs=ANALYSIS_CRS,
    )
    note = (
        f"{role} ({info.path}{'' if not info.layer else ':' + info.layer}): {resolved.note}"
        if resolved.inferred
        else ""
    )
    if resolved.datum is not None:
        info.notes.append(resolved.note)
    vertices = to_lonlat_vertices(geoms, resolved.crs, datum=resolved.datum) if role == "blocks" else None
    return LoadedLayer(role, gdf, info, note, vertices)


def _mask_in_file_crs(source, layer, near, engine):
    """``(near in the file's own CRS, the layer's feature count)`` for a spatial filter, or ``(None, 0)``
    to read everything.

    Only when the file declares a CGCS2000 CRS that its coordinates agree with: a mask in a wrong CRS
    would silently drop features, so any doubt reads the whole layer.
    """
    if engine != "pyogrio" or not isinstance(source, (str, Path)) or not Path(source).is_file():
        return None, 0
    import pyogrio

    try:
        meta = pyogrio.read_info(str(source), layer=layer, force_total_bounds=True)
        crs_text = meta.get("crs")
        if not crs_text or meta.get("total_bounds") is None:
            return None, 0
        resolved = resolve_crs(crs_text, tuple(meta["total_bounds"]))
    except Exception:  # unreadable here means: let the normal reader report it
        return None, 0
    if resolved.inferred or resolved.datum is not None:
        return None, 0
    total = int(meta["features"])
    if resolved.crs.equals(ANALYSIS_CRS):
        return near, total
    import pyproj

    to_file = pyproj.Transformer.from_crs(ANALYSIS_CRS, resolved.crs, always_xy=True)
    ring = shapely.segmentize(near.buffer(50.0, join_style="mitre"), 500.0)  # margin for edge curvature
    return shapely.transform(ring, lambda xy: np.column_stack(to_file.transform(xy[:, 0], xy[:, 1]))), total


def _canonical_layer_name(name: str) -> str | None:
    key = name.strip().lower()
    if key in REQUIRED_LAYERS or key in OPTIONAL_LAYERS:
        return key
    return LAYER_ALIASES.get(key)


def _discover(source) -> dict[str, tuple]:
    """Map canonical layer name -> (path, layer or None) for a GeoPackage or a directory."""
    path = Path(source)
    if not path.exists():
        raise InputError(f"constraints: {path}: no such file or directory")
    found: dict[str, tuple] = {}
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.suffix.lower() in VECTOR_SUFFIXES:
                name = _canonical_layer_name(child.stem)
                if name and name not in found:
                    found[name] = (child, None)
    else:
        for layer in list_layers(path):
            name = _canonical_layer_name(layer)
            if name and name not in found:
                found[name] = (path, layer)
    return found


def _feature_ids(gdf: gpd.GeoDataFrame, fields) -> list[str]:
    lower = {str(c).lower(): c for c in gdf.columns}
    for f in fields:
        if f.lower() in lower:
            col = gdf[lower[f.lower()]]
            if col.notna().all():
                return [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in col]
    return [str(i) for i in range(1, len(gdf) + 1)]


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
    if source_name.lower() == "dltb":
        lower = {str(c).lower(): c for c in gdf.columns}
        if "dlbm" not in lower:
            raise InputError(f"{loaded.info.path}: DLTB layer has no DLBM field; cannot select 耕地 (DLBM 01xx)")
        gdf = gdf[gdf[lower["dlbm"]].astype(str).str.startswith("01")]
        loaded.info.notes.append(f"DLTB: kept {len(gdf)} 耕地 parcels (DLBM 01xx)")
    geoms, reasons = repair_polygons(gdf.geometry.values.to_numpy() if len(gdf) else np.array([], dtype=object))
    repaired = sum(r is not None for r in reasons)
    if repaired:
        loaded.info.notes.append(f"{repaired} invalid geometries repaired")
    keep = is_polygonal(geoms) if len(geoms) else np.array([], dtype=bool)
    gdf = gdf.iloc[np.flatnonzero(keep)] if len(gdf) else gdf
    geoms = geoms[keep] if len(geoms) else geoms
    fields = _RIGHT_ID_FIELDS + _ID_FIELDS if name == "mining_rights" else _ID_FIELDS
    ids = _feature_ids(gdf, fields)
    data = {"feature_id": ids}
    if name == "mining_rights":
        data["right_type"] = _right_types(gdf, ids)
    for extra in ("name", "名称", "mineral", "矿种"):
        if extra in gdf.columns and extra not in data:
            data[extra] = list(gdf[extra])
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=list(geoms), crs=ANALYSIS_CRS)
    return LoadedLayer(name, out, loaded.info, loaded.crs_note)


def load_constraints(
    constraints=None, *, engine: str = "pyogrio", layers_needed=None, datum=None, near=None
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

    Raises
    ------
    InputError
        When a required layer is missing (listing what was found).
    """
    if constraints is None:
        constraints = bundled_constraint_paths()
    found: dict[str, tuple] = {}
    if isinstance(constraints, Mapping):
        for key, value in constraints.items():
            name = _canonical_layer_name(str(key))
            if name is None:
                raise InputError(
                    f"constraints: unknown layer name {key!r}; expected one of "
                    f"{', '.join(REQUIRED_LAYERS + OPTIONAL_LAYERS)}"
                )
            found[name] = (value, None, str(key))
    else:
        sources = [constraints] if isinstance(constraints, (str, Path)) else list(constraints)
        for src in sources:
            for name, (p, layer) in _discover(src).items():
                found.setdefault(name, (p, layer, layer or Path(p).stem))
    missing = [n for n in REQUIRED_LAYERS if n not in found]
    if missing:
        have = ", ".join(sorted(found)) or "none"
        raise InputError(
            f"constraints: required layer(s) missing: {', '.join(missing)} (found: {have}); "
            "expected layers named mining_rights, eco_redline, basic_farmland, town_boundary "
            "(or STBHHX, YJJBNTBHTB, CZKFBJ)"
        )
    result = ConstraintSet()
    for name, (src, layer, source_name) in found.items():
        if layers_needed is not None and name not in layers_needed:
            continue
        loaded = load_layer(src, role=name, layer=layer, engine=engine, datum=datum, near=near)
        result.layers[name] = _prepare_constraint(loaded, name, source_name)
    return result
