"""Converting blocks between the vector formats and the Chinese exchange formats.

``convert(src, dst)`` reads anything :func:`~yangao_geo.io.vector.read_vector` reads (vector files,
land-survey TXT, registration text, corner tables) and writes, by the suffix of ``dst``:

* ``.txt`` — the land-survey coordinate TXT, in the Gauss-Krüger zone asked for (default 3° zone 38,
  with the zone prefix), coordinates to the stated precision;
* ``.xlsx`` / ``.csv`` — the 界址点成果表 (point number, X/Y to 2 decimals, DMS to 0.001″);
* any vector suffix (``.gpkg``, ``.shp``, ``.geojson``, ``.fgb``) — the features with all attributes.

Vertices are converted as they are (no densification): corner points stay corner points. A report's
``findings`` layer converts too: each overlap becomes a parcel named ``block-rule-feature``; as report
geometries are densified (10 m), points lying on a straight line within half the output precision are
dropped from them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np

from .attributes import ALIASES
from .crs import resolve_crs
from .errors import InputError, OutputError
from .geometry import is_polygonal
from .i18n import t
from .io.corner_geometry import gk_zone, zone_crs
from .io.corner_table import write_corner_table
from .io.land_txt import write_land_txt
from .io.output import atomic_path, check_target
from .io.vector import read_vector

__all__ = ["VECTOR_OUTPUTS", "convert"]

VECTOR_OUTPUTS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".fgb": "FlatGeobuf"}


def _with_ids(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``block_id``/``name`` from their aliases (or compose them for a findings layer)."""
    gdf = gdf.copy()
    lower = {str(c).lower(): c for c in gdf.columns}
    if "rule_id" in lower and "block_id" in lower:
        parts = [gdf[lower["block_id"]].astype(str), gdf[lower["rule_id"]].astype(str)]
        if "feature_id" in lower:
            parts.append(gdf[lower["feature_id"]].fillna("").astype(str))
        gdf["block_id"] = ["-".join(p for p in row if p and p != "None") for row in zip(*parts)]
        if "block_name" in lower:
            gdf["name"] = gdf[lower["block_name"]]
        return gdf
    for canonical in ("block_id", "name"):
        if canonical not in gdf.columns:
            source = next((lower[a.lower()] for a in ALIASES[canonical] if a.lower() in lower), None)
            gdf[canonical] = gdf[source] if source is not None else None
    return gdf


def convert(
    src,
    dst,
    *,
    layer=None,
    crs=None,
    zone: int | None = None,
    zone_width: int | None = None,
    prefix: bool | None = None,
    precision: float = 0.01,
    encoding: str | None = None,
    overwrite: bool = False,
    engine: str = "pyogrio",
    table_layout: str = "flat",
) -> int:
    """Convert ``src`` to ``dst`` (format by suffix); returns the number of features written.

    Raises
    ------
    OutputError
        Unknown output suffix, or ``dst`` exists and ``overwrite`` is false.
    InputError
        No polygon to write.
    """
    dst = Path(dst)
    _check_output_suffix(dst)
    _check_write_options(precision, encoding)
    check_target(dst, overwrite=overwrite, inputs=[src])  # before reading: never onto the input
    gdf, _ = read_vector(src, layer=layer, engine=engine, role="input", allow_empty=True, crs=crs)
    bounds = tuple(gdf.total_bounds) if len(gdf) else (np.nan,) * 4
    resolved = resolve_crs(gdf.crs, bounds, user_crs=crs)
    gdf = gdf.set_crs(resolved.crs, allow_override=True)
    if len(gdf) == 0 or not is_polygonal(gdf.geometry.values).any():
        raise InputError(t("{src}: no polygon features to convert", src=src))
    # the zone, zone width and prefix default to the source's own (a Gauss-Krüger source), else zone 38
    own = gk_zone(resolved.crs)
    default_zone, default_width, default_prefix = own if own is not None else (38, 3, True)
    zone = default_zone if zone is None else zone
    zone_width = (default_width if own is not None and own[0] == zone else 3) if zone_width is None else zone_width
    prefix = default_prefix if prefix is None else prefix
    return write_blocks(
        gdf,
        dst,
        zone=zone,
        zone_width=zone_width,
        prefix=prefix,
        precision=precision,
        encoding=encoding,
        overwrite=overwrite,
        inputs=[src],
        table_layout=table_layout,
    )


def _check_write_options(precision, encoding) -> None:
    """Refuse a coordinate precision or a text encoding that cannot be written."""
    import codecs
    import math

    if isinstance(precision, bool) or not isinstance(precision, (int, float)) or not math.isfinite(precision):
        raise InputError(t("precision must be a number of metres, got {precision}", precision=repr(precision)))
    if not 0 < precision <= 1:
        raise InputError(
            t(
                "precision must be > 0 and <= 1 m (0.01 is the filed precision), got {precision}",
                precision=repr(precision),
            )
        )
    if encoding is None:
        return
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InputError(
            t("unknown encoding {encoding}; expected e.g. gbk, gb18030 or utf-8", encoding=repr(encoding))
        ) from None
    if name in ("ascii", "latin-1", "iso8859-1", "cp1252"):
        raise InputError(
            t("encoding {encoding} cannot write Chinese names; use gbk, gb18030 or utf-8", encoding=repr(encoding))
        )


def _check_output_suffix(dst: Path) -> None:
    if dst.suffix.lower() not in (".txt", ".xlsx", ".csv", *VECTOR_OUTPUTS):
        raise OutputError(
            t(
                "{dst}: unknown output format {value}; expected .txt, .xlsx, .csv, {value2}",
                dst=dst,
                value=repr(dst.suffix.lower() or "(no suffix)"),
                value2=", ".join(VECTOR_OUTPUTS),
            )
        )


def write_blocks(
    gdf: gpd.GeoDataFrame,
    dst,
    *,
    zone: int = 38,
    zone_width: int = 3,
    prefix: bool = True,
    precision: float = 0.01,
    encoding: str | None = None,
    overwrite: bool = False,
    inputs=(),
    table_layout: str = "flat",
) -> int:
    """Write polygons (a GeoDataFrame with a CRS) to ``dst`` in the format its suffix names; returns the count.

    ``inputs``: files the output must never replace (see :func:`yangao_geo.io.output.check_target`).
    """
    dst = Path(dst)
    _check_output_suffix(dst)
    _check_write_options(precision, encoding)
    sidecars = [dst.with_suffix(s) for s in (".shx", ".dbf", ".prj", ".cpg")] if dst.suffix.lower() == ".shp" else []
    for target in (dst, *sidecars):
        check_target(target, overwrite=overwrite, inputs=inputs)
    suffix = dst.suffix.lower()
    gdf = gdf[is_polygonal(gdf.geometry.values)] if len(gdf) else gdf
    if "rule_id" in gdf.columns and "overlap_m2" in gdf.columns:
        # a report's findings layer: only the overlap pieces are parcels; findings about a whole block
        # (a degree, a scale, an area below one unit) carry the block's geometry and are not converted
        gdf = gdf[gdf["overlap_m2"].notna() & gdf["layer"].notna()] if "layer" in gdf.columns else gdf
        if len(gdf) == 0:
            raise InputError(t("the findings layer has no overlap pieces to write (only whole-block findings)"))
    if len(gdf) == 0:
        raise InputError(t("no polygon features to write"))
    from_report = {"rule_id", "status"} & set(gdf.columns) and "block_id" in gdf.columns
    gdf = _with_ids(gdf)
    if from_report:
        # report geometries are the densified analysis geometries: drop the points that lie on straight
        # lines (within half the output precision) so the corner list is the real one
        gdf["geometry"] = gdf.geometry.simplify(precision / 2, preserve_topology=True)
    target = zone_crs(zone, zone_width, prefixed=prefix)
    with atomic_path(dst, overwrite=overwrite, inputs=inputs) as tmp:
        if suffix == ".txt":
            write_land_txt(gdf, tmp, zone=zone, width=zone_width, prefix=prefix, precision=precision, encoding=encoding)
        elif suffix in (".xlsx", ".csv"):
            gdf = gdf.drop(columns=[c for c in gdf.columns if str(c).startswith("_land_txt")])
            write_corner_table(gdf, tmp, crs=target, layout=table_layout)
        else:
            gdf = gdf.drop(columns=[c for c in gdf.columns if str(c).startswith("_land_txt")])  # provenance only
            options = {"encoding": "UTF-8"} if suffix == ".shp" else {}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                gdf.to_file(tmp, driver=VECTOR_OUTPUTS[suffix], engine="pyogrio", layer=dst.stem, **options)
            _report_writer_warnings(caught, dst)
            if suffix == ".shp":  # a shapefile is several files: move the sidecars next to the target
                for side in (".shx", ".dbf", ".prj", ".cpg"):
                    part = tmp.with_suffix(side)
                    if part.exists():
                        part.replace(dst.with_suffix(side))
    return len(gdf)


def _report_writer_warnings(caught, dst) -> None:
    """GDAL's warnings while writing (a shapefile truncating field names) as one sentence on stderr, once."""
    texts = sorted({str(w.message).strip().splitlines()[0] for w in caught if str(w.message).strip()})
    if texts:
        import sys

        print(t("yangao-geo: note: writing {dst}: {texts}", dst=dst, texts="; ".join(texts)), file=sys.stderr)
