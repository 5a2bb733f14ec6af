"""Shapefile integrity: catch truncated .shp/.shx/.dbf files before GDAL reads them.

GDAL reads a truncated shapefile "successfully", returning null geometries
for the records past the end of the file. A checker must not turn a broken
delivery into a list of empty blocks, so the sizes the headers declare are
compared with the sizes on disk first.
"""

from __future__ import annotations

import struct
from pathlib import Path

from ..errors import DataSourceError
from ..i18n import t

__all__ = ["check_shapefile_integrity"]


def _sidecar(shp: Path, ext: str) -> Path | None:
    for candidate in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def check_shapefile_integrity(shp_path: str | Path) -> None:
    """Raise :class:`DataSourceError` if a shapefile's parts are missing or truncated.

    Checks the main file's declared length (header bytes 24–27, in 16-bit
    words), the index's declared length, the DBF's record area, and that the
    DBF holds as many records as the index holds shapes.
    """
    shp = Path(shp_path)
    for ext in (".shx", ".dbf"):
        if _sidecar(shp, ext) is None:
            raise DataSourceError(
                t(
                    "{shp}: the shapefile's {ext} file is missing; a shapefile needs .shp, .shx and .dbf",
                    shp=shp,
                    ext=ext,
                )
            )
    for part in (shp, _sidecar(shp, ".shx")):
        data = part.read_bytes()[:100]
        if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
            raise DataSourceError(t("{part}: not a shapefile (bad or missing 100-byte header)", part=part))
        declared = struct.unpack(">i", data[24:28])[0] * 2
        actual = part.stat().st_size
        if actual < declared:
            raise DataSourceError(
                t(
                    "{part}: truncated: the header declares {declared} bytes but the file has {actual}",
                    part=part,
                    declared=declared,
                    actual=actual,
                )
            )
    shx = _sidecar(shp, ".shx")
    shx_records = (struct.unpack(">i", shx.read_bytes()[24:28])[0] * 2 - 100) // 8
    dbf = _sidecar(shp, ".dbf")
    head = dbf.read_bytes()[:12]
    if len(head) < 12:
        raise DataSourceError(t("{dbf}: truncated: no complete DBF header", dbf=dbf))
    n_records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    needed = header_len + n_records * record_len
    if dbf.stat().st_size < needed:
        raise DataSourceError(
            t(
                "{dbf}: truncated: {n_records} records need {needed} bytes but the file has {st_size}",
                dbf=dbf,
                n_records=n_records,
                needed=needed,
                st_size=dbf.stat().st_size,
            )
        )
    if n_records != shx_records:
        raise DataSourceError(
            t(
                "{shp}: the .dbf has {n_records} records but the .shp/.shx have {shx_records} shapes; "
                "the parts of the shapefile do not belong together (a part was replaced or cut): blocks "
                "would be lost or misattributed",
                shp=shp,
                n_records=n_records,
                shx_records=shx_records,
            )
        )
