"""Character encoding of shapefile attribute tables (DBF).

Chinese shapefiles very often come without a ``.cpg`` file and in GBK. The
order used here is the one users expect (and QGIS follows):

1. a ``.cpg`` file next to the ``.shp``;
2. the DBF language-driver byte (byte 29), when it names a code page;
3. strict UTF-8 if every text value decodes, else GB18030 (a superset of
   GBK/CP936).

Examples
--------
>>> codepage_from_ldid(0x4D)
'cp936'
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["codepage_from_ldid", "detect_shapefile_encoding"]

# DBF language driver IDs (the common ones); 0 means "not set"
_LDID = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x4D: "cp936",
    0x4E: "cp949",
    0x4F: "cp950",
    0x57: "cp1252",
    0x78: "cp950",
    0x7A: "cp936",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
}
_ANSI_LDIDS = (0x03, 0x57)
_CPG_ALIASES = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "65001": "utf-8",
    "936": "cp936",
    "gbk": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "cp936": "cp936",
    "ansi 936": "cp936",
    "1252": "cp1252",
    "iso-8859-1": "latin-1",
    "88591": "latin-1",
    "8859_1": "latin-1",
}


def codepage_from_ldid(ldid: int) -> str | None:
    """Python codec for a DBF language-driver byte, or None when unset/unknown."""
    return _LDID.get(ldid)


def _text_values(dbf: bytes) -> list[bytes]:
    if len(dbf) < 32:
        return []
    n_records, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    fields = []  # (offset in record, length)
    offset, pos = 1, 32
    while pos + 32 <= header_len and dbf[pos] != 0x0D:
        ftype, flen = chr(dbf[pos + 11]), dbf[pos + 16]
        if ftype in "CM":
            fields.append((offset, flen))
        offset += flen
        pos += 32
    values = []
    for r in range(n_records):
        start = header_len + r * record_len
        record = dbf[start : start + record_len]
        if len(record) < record_len:
            break
        values.extend(record[o : o + n].rstrip(b" \x00") for o, n in fields)
    return [v for v in values if v]


def detect_shapefile_encoding(shp_path: str | Path) -> tuple[str, str]:
    """Return ``(codec, how)`` for a shapefile's DBF.

    ``how`` says which step decided: ``"cpg"``, ``"dbf-ldid"``, ``"utf-8"``,
    ``"gb18030 fallback"`` or ``"no text"``.
    """
    shp = Path(shp_path)
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        if cpg.exists():
            name = cpg.read_text(encoding="ascii", errors="ignore").strip().lower()
            return _CPG_ALIASES.get(name, name or "utf-8"), "cpg"
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return "utf-8", "no text"
    data = dbf.read_bytes()
    ldid = codepage_from_ldid(data[29]) if len(data) > 29 else None
    # 0x57 and 0x03 mean "the writer's Windows ANSI code page": on Chinese
    # systems that is GBK, so they are sniffed rather than trusted.
    if ldid is not None and data[29] not in _ANSI_LDIDS:
        return ldid, "dbf-ldid"
    values = _text_values(data)
    if not values:
        return "utf-8", "no text"
    try:
        for v in values:
            v.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030", "gb18030 fallback"
    return "utf-8", "utf-8"
