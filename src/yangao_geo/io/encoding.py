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

from ..i18n import N_, t

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


#: declared code pages that are read as their superset: GBK/CP936/GB2312 → GB18030 (4-byte characters)
_SUPERSET = {"gbk": "gb18030", "cp936": "gb18030", "gb2312": "gb18030"}
#: single-byte Western code pages: they "decode" any bytes, so Chinese text in them is mojibake
_WESTERN = {"cp1252", "latin-1", "cp437", "cp850", "cp1250"}


def _decodes(values: list[bytes], codec: str) -> int | None:
    """Index of the first value that ``codec`` cannot decode strictly, or None when all decode."""
    for i, v in enumerate(values):
        try:
            v.decode(codec)
        except (UnicodeDecodeError, LookupError):
            return i
    return None


#: the steps :func:`detect_shapefile_encoding` decides by, as a report says them
_HOW_WORDS = {
    "cpg": N_("the .cpg file"),
    "dbf-ldid": N_("the DBF's language byte"),
    "utf-8": N_("the text decodes as UTF-8"),
    "gb18030 fallback": N_("GB18030, the fallback"),
    "no text": N_("no text values"),
}


def _words(how: str) -> str:
    """A step of :data:`_HOW_WORDS` in the current language (a sentence already worded: as it is)."""
    return t(_HOW_WORDS[how]) if how in _HOW_WORDS else how


def detect_shapefile_encoding(shp_path: str | Path) -> tuple[str, str]:
    """Return ``(codec, how)`` for a shapefile's DBF, ``how`` worded in the current language for a report.

    ``how`` says which step decided: the ``.cpg`` file, the DBF's language byte, the text decoding as UTF-8,
    GB18030 as the fallback, or no text values — and, when the declared encoding was not used, why (a ``.cpg``
    or language byte that the text contradicts is reported, never followed into mojibake). GBK/CP936 is read
    as GB18030, its superset. Text that no single encoding decodes (mixed encodings in one DBF) is refused.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from yangao_geo.i18n import use_lang
    >>> with use_lang("zh"):
    ...     detect_shapefile_encoding(pathlib.Path(tempfile.mkdtemp()) / "none.shp")
    ('utf-8', '无文本值')

    Raises
    ------
    DataSourceError
        When the text values are not all valid in any of the declared encoding, UTF-8 and GB18030.
    """
    codec, how = _detect(Path(shp_path))
    return codec, _words(how)


def _detect(shp: Path) -> tuple[str, str]:
    """``(codec, how)``: ``how`` a key of :data:`_HOW_WORDS`, or a sentence worded here."""
    from ..errors import DataSourceError

    declared, how = None, None
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        if cpg.exists():
            name = cpg.read_text(encoding="ascii", errors="ignore").strip().lower()
            declared, how = _CPG_ALIASES.get(name, name or "utf-8"), "cpg"
            break
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return declared or "utf-8", how or "no text"
    data = dbf.read_bytes()
    if declared is None and len(data) > 29 and data[29] not in _ANSI_LDIDS:
        # 0x57 and 0x03 mean "the writer's Windows ANSI code page": on Chinese systems that is GBK, so
        # they are sniffed rather than trusted
        declared = codepage_from_ldid(data[29])
        how = "dbf-ldid" if declared else None
    values = _text_values(data)
    if declared is not None:
        codec = _SUPERSET.get(declared, declared)
        label = (
            how
            if codec == declared
            else t("{how}: {declared} read as its superset {codec}", how=_words(how), declared=declared, codec=codec)
        )
        if not values:
            return codec, label
        high = any(b >= 0x80 for v in values for b in v)
        bad = _decodes(values, codec)
        if bad is None and not (codec in _WESTERN and high):
            return codec, label
        for alternative in ("utf-8", "gb18030"):
            if _decodes(values, alternative) is None:
                template = (
                    N_("{how} says {declared} but the text does not decode; read as {alternative}")
                    if bad is not None
                    else N_(
                        "{how} says {declared} but the text would be mojibake (Chinese text in a Western code page); "
                        "read as {alternative}"
                    )
                )
                return alternative, t(template, how=_words(how), declared=declared, alternative=alternative)
        if bad is None:
            return codec, label
        raise DataSourceError(
            t(
                "{dbf}: text value {value} is not valid {declared} (as {how} says), nor UTF-8 nor GB18030: "
                "the table mixes encodings; re-save it in one encoding",
                dbf=dbf,
                value=bad + 1,
                declared=declared,
                how=_words(how),
            )
        )
    if not values:
        return "utf-8", "no text"
    if _decodes(values, "utf-8") is None:
        return "utf-8", "utf-8"
    utf8_chinese = [i for i, v in enumerate(values) if max(v) >= 0x80 and _decodes([v], "utf-8") is None]
    if utf8_chinese:  # GB18030 would "decode" the UTF-8 values too, as mojibake
        bad = _decodes(values, "utf-8")
        raise DataSourceError(
            t(
                "{dbf}: the table mixes encodings: text value {value} is UTF-8 but value {value2} is "
                "not; re-save it in one encoding (or give --encoding)",
                dbf=dbf,
                value=utf8_chinese[0] + 1,
                value2=bad + 1,
            )
        )
    bad = _decodes(values, "gb18030")
    if bad is None:
        return "gb18030", "gb18030 fallback"
    raise DataSourceError(
        t(
            "{dbf}: text value {value} is neither UTF-8 nor GB18030 while others are: the table "
            "mixes encodings; re-save it in one encoding (or give --encoding)",
            dbf=dbf,
            value=bad + 1,
        )
    )
