"""Extract the texts marked with t()/N_() and merge them into the Chinese catalog (Babel).

Usage::

    python scripts/update_catalog.py          # writes src/yangao_geo/i18n/messages.pot, updates zh_CN.po

New texts enter ``zh_CN.po`` with an empty translation (the catalog test then fails until someone
translates them); texts no longer in the code are dropped. Equivalent to ``pybabel extract -k t -k N_``
followed by ``pybabel update``.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "yangao_geo"
I18N = PACKAGE / "i18n"


def extract() -> Catalog:
    template = Catalog(project="yangao_geo", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, _context in extract_from_dir(
        PACKAGE, keywords={"t": None, "N_": None}, method_map=[("**.py", "python")]
    ):
        template.add(message, locations=[(f"yangao_geo/{filename}", lineno)], auto_comments=comments)
    return template


def main() -> None:
    template = extract()
    with open(I18N / "messages.pot", "wb") as fh:
        write_po(fh, template, omit_header=True, sort_output=True, include_lineno=False)
    po = I18N / "zh_CN.po"
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with open(po, "wb") as fh:
        write_po(fh, catalog, omit_header=True, sort_output=True, include_lineno=False, ignore_obsolete=True)
    print(f"{len(template)} texts; {sum(1 for m in catalog if m.id and not m.string)} without a translation")


if __name__ == "__main__":
    main()
