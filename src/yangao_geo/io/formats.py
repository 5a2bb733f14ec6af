"""Which reader a file needs, decided by content: the Chinese text formats first, GDAL otherwise.

Examples
--------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "blocks.dat"
>>> _ = p.write_bytes("[地块坐标]\\n".encode("gbk"))
>>> sniff_text_format(p)
'land_txt'
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_
from .corner_table import looks_like_corner_table, read_corner_table
from .land_txt import looks_like_land_txt, read_land_txt
from .mining_txt import looks_like_mining_txt, read_mining_txt
from .textfile import decode_text

__all__ = ["TEXT_FORMATS", "read_text_format", "sniff_text_format"]

#: formats GDAL handles itself; never sniffed as text
_BINARY_OR_GDAL = {
    ".shp",
    ".shx",
    ".dbf",
    ".gpkg",
    ".fgb",
    ".sqlite",
    ".tab",
    ".gdb",
    ".parquet",
    ".geojson",
    ".json",
    ".gml",
    ".kml",
    ".zip",
}
#: the formats' names (templates: ``t(TEXT_FORMATS[kind])`` in the run's language)
TEXT_FORMATS = {
    "land_txt": N_("land-survey coordinate TXT"),
    "mining_txt": N_("mining-right registration text"),
    "corner_table": N_("corner-point table"),
}


def sniff_text_format(path: str | Path, encoding: str | None = None) -> str | None:
    """``"land_txt"``, ``"mining_txt"``, ``"corner_table"`` or None (leave it to GDAL).

    ``encoding`` (the user's ``--encoding``) decodes the head when given; else a BOM (UTF-8, UTF-16) or
    strict UTF-8, else GB18030.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _BINARY_OR_GDAL or not path.is_file():
        return None
    if suffix in (".csv", ".xlsx"):
        return "corner_table" if looks_like_corner_table(path) else None
    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = _head_text(head, encoding)
    if text is None:
        return None
    if looks_like_land_txt(text):
        return "land_txt"
    if looks_like_mining_txt(text):
        return "mining_txt"
    return None


def _head_text(head: bytes, encoding: str | None) -> str | None:
    """The head of a file as text for sniffing, or None for binary data."""
    if encoding:
        try:
            return head.decode(encoding, errors="ignore")
        except LookupError:
            return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return decode_text(head, partial=True)[0]
    if b"\x00" in head:
        return None
    try:
        return decode_text(head)[0]
    except Exception:  # a multi-byte character cut at the end of the head
        return head[: len(head) - 4].decode("gb18030", errors="ignore")


def read_text_format(kind: str, path, *, encoding=None, crs=None):
    """Read a sniffed text format; returns ``(gdf, encoding)``."""
    if kind == "land_txt":
        return read_land_txt(path, encoding=encoding)
    if kind == "mining_txt":
        return read_mining_txt(path, encoding=encoding)
    return read_corner_table(path, crs=crs)
