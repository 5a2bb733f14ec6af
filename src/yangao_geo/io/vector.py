"""Reading vector files into GeoDataFrames, with what a report must say about them.

One function, :func:`read_vector`, reads any format GDAL reads (Shapefile,
GeoPackage, GeoJSON, FlatGeobuf, GML, ...) through pyogrio (default) or
fiona, decides the DBF encoding of shapefiles, and turns every failure into
a :class:`~yangao_geo.errors.DataSourceError` or
:class:`~yangao_geo.errors.InputError` that names the file and what was
expected. Inputs are only ever opened for reading.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import DataSourceError, InputError
from ..i18n import t
from .encoding import detect_shapefile_encoding
from .read_once import remembered
from .shapefile import check_shapefile_integrity

__all__ = [
    "ENGINES",
    "VECTOR_SUFFIXES",
    "SourceInfo",
    "file_rows",
    "file_sha256",
    "layer_info",
    "list_layers",
    "read_by_fid",
    "read_vector",
]

ENGINES = ("pyogrio", "fiona")
try:  # Arrow I/O where pyarrow is installed: the fastest path through pyogrio
    import pyarrow  # noqa: F401

    _HAS_ARROW = True
except ImportError:  # pragma: no cover - depends on the environment
    _HAS_ARROW = False
#: file suffixes taken as vector data when a folder is searched
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml", ".sqlite", ".tab", ".dxf")
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@dataclass
class SourceInfo:
    """Provenance of one input layer, as the JSON report lists it."""

    path: str
    layer: str | None = None
    crs: str | None = None
    crs_inferred: bool = False
    encoding: str | None = None
    features: int = 0
    sha256: str | None = None
    role: str = "blocks"
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "layer": self.layer,
            "crs": self.crs,
            "crs_inferred": self.crs_inferred,
            "encoding": self.encoding,
            "features": self.features,
            "sha256": self.sha256,
            "notes": list(self.notes),
        }


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file; for a shapefile, of its .shp/.shx/.dbf/.prj/.cpg in that order.

    A GeoPackage holding several constraint layers is hashed once per run, not once per layer: the
    digest is remembered for the file's path, size and modification time.
    """
    p = Path(path)
    if p.is_dir():  # a partitioned GeoParquet layer: its parts in order
        from .geoparquet import parquet_parts

        parts = parquet_parts(p)
    else:
        parts = [p.with_suffix(s) for s in _SIDECARS] if p.suffix.lower() == ".shp" else [p]
    stamp = _stamp(parts)
    if not stamp:  # nothing to hash: never the digest of no bytes
        raise FileNotFoundError(t("cannot hash {path}: no such file", path=str(p)))
    pending = _AHEAD.pop(stamp, None)
    return pending.result() if pending is not None else _sha256_of(stamp)


def _stamp(parts) -> tuple:
    """The files as they are now: path, size and modification time of each (a changed file is another file)."""
    return tuple((str(q.resolve()), q.stat().st_size, q.stat().st_mtime_ns) for q in parts if q.is_file())


def _as_it_is(p: Path) -> tuple:
    """:func:`_stamp` of a data source: a shapefile with its sidecars (its .prj says its CRS), a folder by name."""
    parts = [p.with_suffix(s) for s in _SIDECARS] if p.suffix.lower() == ".shp" else [p]
    return _stamp(parts) or (str(p.resolve()),)


#: digests being computed ahead, by file stamp (see :func:`hash_ahead`)
_AHEAD: dict = {}


def hash_ahead(paths) -> None:
    """Start hashing these files (single files, not folders) on a thread of their own.

    Reading and hashing release Python's lock, so a large constraint file is hashed while its layers are
    read and validated; :func:`file_sha256` then waits for the digest. A file that cannot be hashed is left
    to :func:`file_sha256` (which reports it as it would have).
    """
    from concurrent.futures import Future

    from ..threads import thread_count

    if thread_count() == 1:  # YANGAO_GEO_THREADS=1: no thread of any kind
        return
    for stale in [k for k, f in _AHEAD.items() if f.done()][: max(0, len(_AHEAD) - 32)]:
        del _AHEAD[stale]  # digests never asked for (a run that stopped early): kept to a few
    for path in paths:
        try:
            p = Path(path)
            if not p.is_file() or p.suffix.lower() == ".shp":
                continue
            stamp = _stamp([p])
        except (OSError, TypeError, ValueError):
            continue
        if stamp in _AHEAD or not stamp:
            continue
        future: Future = Future()
        _AHEAD[stamp] = future

        def run(stamp=stamp, future=future):
            try:
                future.set_result(_sha256_of(stamp))
            except BaseException as exc:  # raised where the digest is asked for
                future.set_exception(exc)

        threading.Thread(target=run, name="yangao-sha256", daemon=True).start()


@functools.lru_cache(maxsize=64)
def _sha256_of(stamp: tuple) -> str:
    h = hashlib.sha256()
    for name, _, _ in stamp:
        with open(name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(
            t("unknown I/O engine {engine}; expected one of {value}", engine=repr(engine), value=", ".join(ENGINES))
        )


def list_layers(path: str | Path, *, engine: str = "pyogrio") -> list[str]:
    """Names of the layers in a data source (one name for single-layer formats)."""
    _check_engine(engine)
    p = Path(path)
    require_readable(p)
    from .geoparquet import is_geoparquet

    if is_geoparquet(p):
        return [p.name[: -len(".parquet")] if p.name.lower().endswith(".parquet") else p.name]
    return list(remembered(("layers", engine, _as_it_is(p)), lambda: _list_layers(p, engine)))


def _list_layers(p: Path, engine: str) -> list[str]:
    try:
        if engine == "fiona":
            import fiona

            return list(fiona.listlayers(str(p)))
        import pyogrio

        return [str(name) for name in pyogrio.list_layers(str(p))[:, 0]]
    except Exception as exc:  # GDAL/fiona raise many types; all mean "not readable"
        raise DataSourceError(t("{p}: not a readable vector data source ({exc})", p=p, exc=_short(exc))) from None


def layer_info(path: str | Path, layer=None) -> dict:
    """pyogrio's ``read_info`` of a layer, its total bounds included (asked once per check: read only)."""
    import pyogrio

    p = Path(path)
    return remembered(
        ("info", _as_it_is(p), layer), lambda: pyogrio.read_info(str(p), layer=layer, force_total_bounds=True)
    )


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def read_vector(
    path: str | Path,
    *,
    layer: str | None = None,
    engine: str = "pyogrio",
    encoding: str | None = None,
    role: str = "blocks",
    bbox: tuple[float, float, float, float] | None = None,
    allow_empty: bool = False,
    crs=None,
    mask=None,
    fids=None,
) -> tuple[gpd.GeoDataFrame, SourceInfo]:
    """Read one vector layer, read-only, and describe where it came from.

    Besides everything GDAL reads, the Chinese text exchange formats are
    recognised by content (:mod:`yangao_geo.io.formats`): the land-survey
    coordinate TXT, the mining-right registration text and corner-point
    tables (CSV/XLSX).

    Parameters
    ----------
    path : str or Path
        File (or directory data source) to read.
    layer : str, optional
        Layer name; required only when the source has several layers and none
        is called ``blocks``.
    engine : {"pyogrio", "fiona"}
        I/O engine.
    encoding : str, optional
        Attribute encoding; by default detected for shapefiles (see
        :mod:`yangao_geo.io.encoding`), UTF-8 otherwise.
    role : str
        What the layer is for, used in messages.
    bbox : tuple, optional
        Only read features intersecting this box (in the file's CRS).
    allow_empty : bool
        Accept a layer with no features (constraint layers may be empty).
    crs : CRS-like, optional
        For corner-point tables whose eastings carry no zone prefix.
    mask : shapely geometry, optional
        Only read features intersecting it (in the file's CRS), through the spatial index.
    fids : array of int, optional
        Only read these features (sorted FIDs, e.g. from :func:`yangao_geo.io.gpkg_index.rtree_fids`).
        When they are more than half the layer, the layer is read whole and the others dropped: a read by
        FID costs about twice a plain read per feature.

    Returns
    -------
    (GeoDataFrame, SourceInfo)
        The CRS is left as the file declares it; callers resolve it.
    """
    _check_engine(engine)
    p = Path(path)
    require_readable(p)
    if encoding is not None:
        encoding = _known_encoding(encoding)
    from .formats import TEXT_FORMATS, read_text_format, sniff_text_format
    from .geoparquet import is_geoparquet, read_parquet_layer

    if is_geoparquet(p):
        gdf = read_parquet_layer(p, mask=mask)
        if len(gdf) == 0 and mask is None and not allow_empty:
            raise InputError(t("{p}: GeoParquet layer has no features", p=p))
        info = SourceInfo(path=str(p), layer=None, features=len(gdf), sha256=file_sha256(p), role=role)
        info.notes.append(t("format: GeoParquet"))
        return gdf, info
    if p.suffix.lower() == ".dxf":  # CAD: closed polylines become polygons (see yangao_geo.io.dxf)
        from .dxf import read_dxf

        gdf, notes = read_dxf(p, cad_layer=layer)
        info = SourceInfo(
            path=str(p),
            layer=layer,
            features=len(gdf),
            sha256=file_sha256(p),
            role=role,
            notes=[t("format: CAD DXF"), *notes],
        )
        return gdf, info
    text_format = sniff_text_format(p, encoding=encoding)
    if text_format is not None:
        gdf, used = read_text_format(text_format, p, encoding=encoding, crs=crs)
        info = SourceInfo(
            path=str(p),
            layer=None,
            encoding=used,
            features=len(gdf),
            sha256=file_sha256(p),
            role=role,
            notes=[t("format: {name}", name=t(TEXT_FORMATS[text_format])), *gdf.attrs.pop("notes", [])],
        )
        return gdf, info
    layers = list_layers(p, engine=engine)
    if layer is None:
        if len(layers) == 1:
            layer = layers[0]
        elif role in layers:
            layer = role
        elif not layers:
            raise DataSourceError(t("{p}: contains no layers", p=p))
        else:
            raise InputError(
                t(
                    "{p}: has {n_layers} layers ({value}); choose one with --layer",
                    p=p,
                    n_layers=len(layers),
                    value=", ".join(layers),
                )
            )
    elif layer not in layers:
        raise InputError(
            t(
                "{p}: no layer named {layer}; the layers are: {value}",
                p=p,
                layer=repr(layer),
                value=", ".join(layers) or t("(none)"),
            )
        )

    if p.suffix.lower() == ".shp":
        check_shapefile_integrity(p)
    how = "format default"
    given_for_other_format = encoding is not None and p.suffix.lower() != ".shp"
    if encoding is None or given_for_other_format:
        # GeoPackage, GeoJSON, FlatGeobuf … are UTF-8 by definition: an --encoding cannot apply to them
        if p.suffix.lower() == ".shp":
            encoding, how = detect_shapefile_encoding(p)
        else:
            encoding = "utf-8"
    else:
        how = "given"
    kwargs = {"layer": layer, "engine": engine, "encoding": encoding}
    if bbox is not None:
        kwargs["bbox"] = bbox
    if mask is not None:
        kwargs["mask"] = mask
        kwargs["fid_as_index"] = True  # a spatial filter returns features in index order: restore file order
    if fids is not None:
        fids = np.asarray(fids, dtype=np.int64)
        kwargs["fid_as_index"] = True
        if read_by_fid(len(fids), _feature_count(p, layer)):
            kwargs["fids"] = fids
    if engine == "pyogrio" and _HAS_ARROW:
        kwargs["use_arrow"] = True
    try:
        gdf = gpd.read_file(p, **kwargs)
    except Exception as exc:
        if p.suffix.lower() == ".shp" and _is_decode_error(exc) and encoding.lower().replace("-", "") == "utf8":
            # GDAL cut a long UTF-8 field name at 10 bytes, mid-character: read the bytes as they are and
            # decode names (dropping the cut character) and values ourselves
            gdf = _read_utf8_cut_names(p, kwargs)
            how = t("{how}; field names cut mid-character by the 10-byte DBF limit were repaired", how=how)
        else:
            raise DataSourceError(
                t("{p}: cannot read layer {layer} as a vector layer ({exc})", p=p, layer=repr(layer), exc=_short(exc))
            ) from None
    if fids is not None and "fids" not in kwargs and isinstance(gdf, gpd.GeoDataFrame):
        gdf = gdf[np.isin(gdf.index.to_numpy(), fids)]
    if (mask is not None or fids is not None) and isinstance(gdf, gpd.GeoDataFrame):
        gdf = gdf.sort_index()
        read = gdf.index.to_numpy(dtype=np.int64)
        gdf = gdf.reset_index(drop=True)
        # read in part: which rows of the file these are (for row-number ids), worked out when asked
        gdf.attrs["yangao_rows"] = functools.partial(file_rows, p, layer, read)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputError(
            t("{p}: layer {layer} has no geometry column; expected polygon features", p=p, layer=repr(layer))
        )
    if len(gdf) == 0 and bbox is None and mask is None and fids is None and not allow_empty:
        raise InputError(t("{p}: layer {layer} has no features", p=p, layer=repr(layer)))
    info = SourceInfo(
        path=str(p),
        layer=layer,
        encoding=encoding,
        features=len(gdf),
        sha256=file_sha256(p),
        role=role,
    )
    if how not in ("format default", "given"):
        info.notes.append(t("encoding {encoding} ({how})", encoding=encoding, how=how))
    if given_for_other_format:
        info.notes.append(t("--encoding ignored: {suffix} files are UTF-8 by definition", suffix=p.suffix.lower()))
    return gdf, info


def file_rows(path, layer, fids) -> np.ndarray:
    """The 1-based rows in the file (the order GDAL reads it) of the features with these FIDs.

    Examples
    --------
    >>> from yangao_geo.layers import bundled_constraint_paths
    >>> file_rows(bundled_constraint_paths()[1], "basic_farmland", [1, 3]).tolist()
    [1, 3]
    """
    from pyogrio.raw import read_arrow

    _, table = read_arrow(str(path), layer=layer, read_geometry=False, columns=[], return_fids=True)
    every = table.column(0).to_numpy().astype(np.int64)
    order = np.argsort(every, kind="stable")
    return order[np.searchsorted(every[order], np.asarray(fids, dtype=np.int64))] + 1


def read_by_fid(wanted: int, features: int) -> bool:
    """Whether ``wanted`` of a layer's ``features`` are read by FID (else: the whole layer, the others dropped).

    A read by FID costs about twice a plain read per feature (measured: 0.55 s for 200 000 of 500 000
    parcels, 0.65 s for all 500 000), so it pays up to half the layer.

    Examples
    --------
    >>> read_by_fid(700, 50_000), read_by_fid(40_000, 50_000)
    (True, False)
    """
    return 2 * wanted <= features


def _feature_count(p: Path, layer) -> int:
    return int(layer_info(p, layer)["features"])


def require_readable(p: Path) -> None:
    """A DataSourceError unless ``p`` is an existing regular file or folder (a FIFO or device would block)."""
    import os
    import stat

    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise DataSourceError(t("{p}: no such file or directory", p=p)) from None
    except OSError as exc:
        raise DataSourceError(t("{p}: cannot be opened ({value})", p=p, value=exc.strerror or exc)) from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DataSourceError(t("{p}: not a regular file (a FIFO, device or socket); expected a data file", p=p))
    if not os.access(p, os.R_OK):
        raise DataSourceError(t("{p}: not readable (permission denied)", p=p))


def _known_encoding(encoding: str) -> str:
    import codecs

    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InputError(
            t("--encoding {encoding}: unknown encoding; expected e.g. gbk, gb18030, utf-8", encoding=repr(encoding))
        ) from None
    return encoding


def _is_decode_error(exc: Exception) -> bool:
    return isinstance(exc, UnicodeDecodeError) or "codec can't decode" in str(exc)


def _read_utf8_cut_names(p: Path, kwargs: dict) -> gpd.GeoDataFrame:
    """Read a UTF-8 shapefile whose field names GDAL cut mid-character: bytes via latin-1, decoded here."""
    raw = gpd.read_file(p, **{**kwargs, "encoding": "latin1"})

    def fix(text, *, strict: bool):
        if not isinstance(text, str):
            return text
        data = text.encode("latin1")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if strict:
                raise DataSourceError(
                    t("{p}: a value is not UTF-8 although the file says so ({text})", p=p, text=repr(text))
                ) from None
            return data.decode("utf-8", errors="ignore")

    raw.columns = [c if c == raw.geometry.name else fix(str(c), strict=False) for c in raw.columns]
    for col in raw.columns:
        if col != raw.geometry.name and any(isinstance(v, str) for v in raw[col]):
            raw[col] = pd.Series([fix(v, strict=True) for v in raw[col]], index=raw.index, dtype=object)
    return raw
