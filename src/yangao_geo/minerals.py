"""The mineral table: names, aliases, classes and minimum mining scales.

Loaded from the bundled ``data/minerals.toml`` (every value with a source and
a ``verified`` flag) and overridable per mineral from a user config.

Examples
--------
>>> table = MineralTable.bundled()
>>> table.lookup("岩金").name
'金'
>>> table.lookup("建筑用片麻岩矿").third_class
True
>>> table.lookup("unobtainium") is None
True
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, replace
from importlib import resources

from .errors import InputError
from .i18n import either, t
from .units import Capacity, parse_capacity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Mineral", "MineralTable"]

_FIELDS = {
    "name",
    "aliases",
    "class",
    "class_verified",
    "town_exempt",
    "min_scale",
    "min_scale_unit",
    "min_scale_source",
    "min_scale_source_zh",
    "min_scale_verified",
}


@dataclass(frozen=True)
class Mineral:
    """One mineral of the table."""

    name: str
    aliases: tuple[str, ...] = ()
    mineral_class: int | None = None
    class_verified: bool = False
    town_exempt: bool = False
    min_scale: float | None = None
    min_scale_unit: str | None = None
    min_scale_source: str = ""
    min_scale_verified: bool = False
    #: ``min_scale_source`` in Chinese, where the table gives it
    min_scale_source_zh: str = ""
    #: the config file whose number replaced the table's, when it gave no source of its own
    min_scale_config: str = ""

    def min_scale_source_text(self) -> str:
        """Where the minimum comes from, in the current language (the table's Chinese when it has one)."""
        if self.min_scale_config and not self.min_scale_source:
            return t("user config ({where})", where=self.min_scale_config)
        return either(self.min_scale_source, self.min_scale_source_zh)

    @property
    def third_class(self) -> bool:
        """第三类矿产 (sand, stone, clay): exempt from the exploration-degree rule."""
        return self.mineral_class == 3

    @property
    def is_coal(self) -> bool:
        return self.name == "煤"

    @property
    def minimum(self) -> Capacity | None:
        """The minimum mining scale as a :class:`~yangao_geo.units.Capacity`, if known."""
        if self.min_scale is None:
            return None
        return parse_capacity(self.min_scale, self.min_scale_unit)


def _key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "")


def _mineral_from_record(rec: dict, where: str) -> Mineral:
    unknown = set(rec) - _FIELDS
    if unknown:
        raise InputError(
            t(
                "{where}: unknown mineral field(s) {unknown}; expected {FIELDS}",
                where=where,
                unknown=sorted(unknown),
                FIELDS=sorted(_FIELDS),
            )
        )
    if "name" not in rec:
        raise InputError(t("{where}: a mineral entry has no 'name'", where=where))
    cls = rec.get("class")
    if cls not in (None, 1, 2, 3):
        raise InputError(
            t(
                "{where}: mineral {name} has class {cls}; expected 1, 2 or 3",
                where=where,
                name=repr(rec["name"]),
                cls=repr(cls),
            )
        )
    m = Mineral(
        name=str(rec["name"]),
        aliases=tuple(rec.get("aliases", ())),
        mineral_class=cls,
        class_verified=bool(rec.get("class_verified", False)),
        town_exempt=bool(rec.get("town_exempt", False)),
        min_scale=rec.get("min_scale"),
        min_scale_unit=rec.get("min_scale_unit"),
        min_scale_source=str(rec.get("min_scale_source", "")),
        min_scale_verified=bool(rec.get("min_scale_verified", False)),
        min_scale_source_zh=str(rec.get("min_scale_source_zh", "")),
    )
    if m.min_scale is not None:
        _ = m.minimum  # validate the unit now, not mid-run
    return m


class MineralTable:
    """Minerals indexed by every alias."""

    def __init__(self, minerals: list[Mineral]):
        self.minerals = list(minerals)
        self._index: dict[str, Mineral] = {}
        for m in self.minerals:
            for alias in (m.name, *m.aliases):
                self._index[_key(alias)] = m

    @classmethod
    def bundled(cls) -> MineralTable:
        """The table shipped in ``yangao_geo/data/minerals.toml`` (read once; overrides make new tables)."""
        return _bundled_table()

    @classmethod
    def from_toml_records(cls, records: list[dict], where: str) -> MineralTable:
        return cls([_mineral_from_record(r, where) for r in records])

    def lookup(self, name) -> Mineral | None:
        """The mineral for ``name`` (an alias; a trailing 矿 is ignored), or None."""
        if name is None or (isinstance(name, float) and name != name):
            return None
        key = _key(name)
        if not key:
            return None
        hit = self._index.get(key)
        if hit is None and key.endswith("矿"):
            hit = self._index.get(key[:-1])
        return hit

    def with_overrides(self, records: list[dict], where: str) -> MineralTable:
        """A copy where each record replaces fields of the mineral of the same name (or adds one)."""
        by_name = {m.name: m for m in self.minerals}
        for rec in records:
            existing = self.lookup(rec.get("name"))
            if existing is None:
                new = _mineral_from_record(rec, where)
            else:
                merged = {
                    "name": existing.name,
                    "aliases": existing.aliases,
                    "class": existing.mineral_class,
                    "class_verified": existing.class_verified,
                    "town_exempt": existing.town_exempt,
                    "min_scale": existing.min_scale,
                    "min_scale_unit": existing.min_scale_unit,
                    "min_scale_source": existing.min_scale_source,
                    "min_scale_verified": existing.min_scale_verified,
                    "min_scale_source_zh": existing.min_scale_source_zh,
                }
                if ("min_scale" in rec or "min_scale_source" in rec) and "min_scale_source_zh" not in rec:
                    merged["min_scale_source_zh"] = ""  # the table's Chinese was of the number replaced
                merged.update({k: v for k, v in rec.items() if k != "name"})
                new = _mineral_from_record(merged, where)
                if "min_scale" in rec and "min_scale_source" not in rec:  # worded when a report says it
                    new = replace(new, min_scale_source="", min_scale_config=str(where))
                elif "min_scale_source" not in rec:  # an earlier config's number stays that config's
                    new = replace(new, min_scale_config=existing.min_scale_config)
            by_name[new.name] = new
        return MineralTable(list(by_name.values()))


@functools.lru_cache(maxsize=1)
def _bundled_table() -> MineralTable:
    text = resources.files("yangao_geo").joinpath("data/minerals.toml").read_text(encoding="utf-8")
    return MineralTable.from_toml_records(tomllib.loads(text).get("mineral", []), "bundled minerals.toml")
