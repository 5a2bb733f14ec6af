"""Block attributes: canonical names, accepted aliases, value vocabularies.

Proposed blocks arrive with Chinese, pinyin or English field names. This
module maps them onto the canonical columns the rules read, validates the
values, and fails with the row and the accepted values when one is unknown.

=====================  ==========================================
canonical column       accepted field names (case-insensitive)
=====================  ==========================================
block_id               编号, 区块编号, GHQBH (else the 1-based row)
name                   名称, 区块名称, GHQMC
kind                   类型, 区块类型 (or ``kind=`` for the file)
mineral                矿种, KZ
degree                 勘查程度, KCJD
reserve_scale          资源储量规模, 储量规模
capacity               生产规模, 设计生产规模, SCGM
capacity_unit          规模单位
declared_area_km2      面积, GHQMJ, MJ
source_right           原探矿权
source                 (set by the text readers: ``file:line``; else ``file#row``)
=====================  ==========================================

Examples
--------
>>> normalise_kind("勘查规划区块", row=1)
'exploration'
>>> DEGREES.index("详查") > DEGREES.index("普查")
True
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from .errors import InputError
from .frames import geoframe
from .i18n import t
from .vocabulary import VOCABULARY

__all__ = [
    "ALIASES",
    "BLOCK_COLUMNS",
    "DEGREES",
    "FILE_ATTRIBUTES",
    "KINDS",
    "RESERVE_SCALES",
    "normalise_blocks",
    "normalise_kind",
    "truncated_forms",
]

ALIASES: dict[str, tuple[str, ...]] = {
    "block_id": ("block_id", "编号", "区块编号", "ghqbh", "地块编号", "dkbh"),
    "name": ("name", "名称", "区块名称", "ghqmc", "地块名称", "dkmc"),
    "kind": ("kind", "类型", "区块类型"),
    "mineral": ("mineral", "矿种", "kz"),
    "degree": ("degree", "勘查程度", "kcjd"),
    "reserve_scale": ("reserve_scale", "资源储量规模", "储量规模"),
    "capacity": ("capacity", "生产规模", "设计生产规模", "scgm"),
    "capacity_unit": ("capacity_unit", "规模单位"),
    "declared_area_km2": ("declared_area_km2", "面积", "ghqmj", "mj", "地块面积", "dkmj"),
    "source_right": ("source_right", "原探矿权"),
    "declared_area_issue": ("declared_area_issue",),
    "source": ("source",),
}
BLOCK_COLUMNS = tuple(ALIASES)

KINDS: dict[str, tuple[str, ...]] = VOCABULARY["kind"]
#: exploration degrees, lowest first (GB/T 13908-2020 dropped 预查; old data still use it)
DEGREES = ("预查", "普查", "详查", "勘探")
RESERVE_SCALES = {
    "大型": "大型",
    "中型": "中型",
    "小型": "小型",
    "大": "大型",
    "中": "中型",
    "小": "小型",
    "large": "大型",
    "medium": "中型",
    "small": "小型",
}


def _missing(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and value.strip() == "")
        or value is pd.NA
    )


def normalise_kind(value, *, row: int | None = None) -> str:
    """Canonical block kind for ``value``; InputError naming the row when unknown."""
    text = str(value).strip().lower()
    for kind, names in KINDS.items():
        if text in (n.lower() for n in names):
            return kind
    accepted = "; ".join(f"{k}: {'|'.join(v)}" for k, v in KINDS.items())
    where = t("row {row}: ", row=row) if row is not None else ""
    raise InputError(
        t(
            "{where}unknown block kind {value}; accepted values are {accepted}",
            where=where,
            value=repr(value),
            accepted=accepted,
        )
    )


#: the longest DBF field name, in bytes: GDAL cuts longer names there (GBK: 5 Chinese characters, UTF-8: 3)
_DBF_NAME_BYTES = 10


def truncated_forms(name: str) -> set[str]:
    """The forms a field name takes in a DBF that cut it at 10 bytes, in GBK and in UTF-8.

    Examples
    --------
    >>> sorted(truncated_forms("设计生产规模"))
    ['设计生', '设计生产规']
    >>> truncated_forms("名称")
    set()
    """
    forms = set()
    for encoding in ("gb18030", "utf-8"):
        data = name.encode(encoding)
        if len(data) > _DBF_NAME_BYTES:
            forms.add(data[:_DBF_NAME_BYTES].decode(encoding, errors="ignore"))
    forms.discard("")
    return forms


def _find_columns(columns) -> tuple[dict[str, str], list[str]]:
    """Canonical column -> the file's column; and notes on columns that look like an alias but were not used.

    Exact aliases win; then the 10-byte truncated forms of the aliases (a GBK DBF keeps 5 Chinese
    characters: 设计生产规 for 设计生产规模; a UTF-8 one 3).
    """
    lower = {str(c).strip().lower(): c for c in columns}
    found: dict[str, str] = {}
    how: dict[str, str] = {}
    for canonical, names in ALIASES.items():
        for name in names:
            if name.lower() in lower:
                found[canonical] = lower[name.lower()]
                how[canonical] = "exact"
                break
    used = set(found.values())
    for canonical, names in ALIASES.items():
        if canonical in found:
            continue
        for name in names:
            hit = next((lower[f.lower()] for f in sorted(truncated_forms(name)) if f.lower() in lower), None)
            if hit is not None and hit not in used:
                found[canonical] = hit
                how[canonical] = name  # the alias it is a truncated form of
                used.add(hit)
                break
    notes = [
        t(
            "column {column} read as {canonical} (truncated form of {name})",
            column=repr(found[c]),
            canonical=c,
            name=how[c],
        )
        for c in found
        if how[c] != "exact"
    ]
    for col in columns:
        key = str(col).strip().lower()
        if col in used or len(key) < 2:
            continue
        for canonical, names in ALIASES.items():
            if any(n.lower() != key and n.lower().startswith(key) for n in names) or any(
                f.lower() == key for n in names for f in truncated_forms(n)
            ):
                notes.append(
                    t(
                        "column {column} looks like {canonical} but was not used (column {used} was)",
                        column=repr(col),
                        canonical=canonical,
                        used=repr(found.get(canonical)),
                    )
                )
                break
    return found, notes


def _id_text(value, row: int) -> str:
    if _missing(value):
        return str(row)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


#: block attributes that may be set for a whole file (``--mineral 金``, ``attributes={"degree": "详查"}``)
FILE_ATTRIBUTES = ("mineral", "degree", "reserve_scale", "capacity", "capacity_unit", "source_right")


def normalise_blocks(
    gdf: gpd.GeoDataFrame, *, kind: str | None = None, source: str = "blocks", attributes: dict | None = None
) -> gpd.GeoDataFrame:
    """Return a GeoDataFrame with exactly the canonical block columns plus ``row`` and geometry.

    Parameters
    ----------
    gdf : GeoDataFrame
        Blocks as read.
    kind : str, optional
        Kind for every block of the file; overrides a kind column.
    source : str
        Name of the input, used in error messages.

    Raises
    ------
    InputError
        Unknown kind, degree or reserve scale (naming the row and the accepted
        values), or no kind at all.
    """
    if attributes:
        unknown = set(attributes) - set(FILE_ATTRIBUTES)
        if unknown:
            raise InputError(
                t(
                    "block attributes {unknown} cannot be set for a file; expected {value}",
                    unknown=sorted(unknown),
                    value=", ".join(FILE_ATTRIBUTES),
                )
            )
        gdf = gdf.copy()
        for name, value in attributes.items():
            if value is not None:
                gdf[name] = value  # the canonical name wins over the file's own column (it is matched first)
    cols, notes = _find_columns(gdf.columns)
    n = len(gdf)
    rows = list(range(1, n + 1))
    out = {"row": rows}  # the columns, made a frame once at the end (a frame per column is slow)

    def column(canonical):
        return list(gdf[cols[canonical]]) if canonical in cols else [None] * n

    out["block_id"] = [_id_text(v, r) for v, r in zip(column("block_id"), rows)]
    out["name"] = [None if _missing(v) else str(v).strip() for v in column("name")]
    if kind is not None:
        fixed = normalise_kind(kind)
        out["kind"] = [fixed] * n
    elif "kind" in cols:
        kinds = []
        for v, r in zip(column("kind"), rows):
            if _missing(v):
                raise InputError(
                    t("{source}: row {r}: block kind is empty; fill it in or pass --kind", source=source, r=r)
                )
            kinds.append(normalise_kind(v, row=r))
        out["kind"] = kinds
    else:
        raise InputError(
            t(
                "{source}: no block kind: add a column kind/类型/区块类型 or pass --kind (exploration, mining "
                "or concentrated)",
                source=source,
            )
        )
    out["mineral"] = [None if _missing(v) else str(v).strip() for v in column("mineral")]

    degrees = []
    for v, r in zip(column("degree"), rows):
        if _missing(v):
            degrees.append(None)
        elif str(v).strip() in DEGREES:
            degrees.append(str(v).strip())
        else:
            raise InputError(
                t(
                    "{source}: row {r}: unknown exploration degree {v}; accepted values are {value}",
                    source=source,
                    r=r,
                    v=repr(v),
                    value=" < ".join(DEGREES),
                )
            )
    out["degree"] = degrees

    scales = []
    for v, r in zip(column("reserve_scale"), rows):
        if _missing(v):
            scales.append(None)
        elif str(v).strip().lower() in RESERVE_SCALES:
            scales.append(RESERVE_SCALES[str(v).strip().lower()])
        else:
            raise InputError(
                t(
                    "{source}: row {r}: unknown reserve scale {v}; accepted values are 大型, 中型, 小型",
                    source=source,
                    r=r,
                    v=repr(v),
                )
            )
    out["reserve_scale"] = scales

    out["capacity"] = [None if _missing(v) else v for v in column("capacity")]
    out["capacity_unit"] = [None if _missing(v) else str(v).strip() for v in column("capacity_unit")]
    areas = []
    for v, r in zip(column("declared_area_km2"), rows):
        if _missing(v):
            areas.append(None)
            continue
        try:
            area = float(v)
        except (TypeError, ValueError):
            raise InputError(
                t("{source}: row {r}: declared area {v} is not a number (km²)", source=source, r=r, v=repr(v))
            ) from None
        if not math.isfinite(area) or area <= 0:
            raise InputError(
                t(
                    "{source}: row {r}: declared area {v} must be a positive finite number of km²",
                    source=source,
                    r=r,
                    v=repr(v),
                )
            )
        areas.append(area)
    out["declared_area_km2"] = areas
    out["source_right"] = [None if _missing(v) else _id_text(v, 0) for v in column("source_right")]
    out["declared_area_issue"] = [None if _missing(v) else str(v) for v in column("declared_area_issue")]
    out["source"] = [
        f"{source.rsplit('/', 1)[-1]}#{r}" if _missing(v) else str(v) for v, r in zip(column("source"), rows)
    ]
    table = geoframe(out, gdf.geometry.values, gdf.crs)
    table.attrs["column_notes"] = notes
    # 地块面积/DKMJ (land-survey tools) has no fixed unit: 公顷 by convention, m² by several producers
    area_col = str(cols.get("declared_area_km2", "")).strip().lower()
    table.attrs["declared_area_unit_unknown"] = area_col in ("dkmj", "地块面积")
    return table
