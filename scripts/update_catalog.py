"""Extract the texts marked with t()/N_() and merge them into the Chinese catalog (Babel).

Usage::

    python scripts/update_catalog.py          # writes src/yangao_geo/i18n/messages.pot, updates zh_CN.po

New texts enter ``zh_CN.po`` with an empty translation (the catalog test then fails until someone
translates them); texts no longer in the code are dropped. Equivalent to ``pybabel extract -k t -k N_``
followed by ``pybabel update``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "yangao_geo"
I18N = PACKAGE / "i18n"
#: the QGIS plugin speaks through the library's catalog too (its tr() and N_())
PLUGIN = ROOT / "qgis_plugin" / "yangao_geo_qgis"
KEYWORDS = {"t": None, "N_": None, "tr": None}


def marked_in_fstrings(package: Path = PACKAGE):
    """``(file, line, text)`` of every ``t("…")``/``N_("…")`` inside an f-string's braces.

    Babel's Python extractor reads an f-string as one token and does not see calls inside it; these are
    found from the syntax tree instead, so that no marked text escapes the catalog.
    """
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for joined in ast.walk(tree):
            if not isinstance(joined, ast.JoinedStr):
                continue
            for node in ast.walk(joined):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in KEYWORDS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    yield path.relative_to(package).as_posix(), node.lineno, node.args[0].value


def extract() -> Catalog:
    template = Catalog(project="yangao_geo", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, _context in extract_from_dir(
        PACKAGE, keywords=KEYWORDS, method_map=[("**.py", "python")]
    ):
        template.add(message, locations=[(f"yangao_geo/{filename}", lineno)], auto_comments=comments)
    for filename, lineno, message in marked_in_fstrings():
        template.add(message, locations=[(f"yangao_geo/{filename}", lineno)])
    for filename, lineno, message, comments, _context in extract_from_dir(
        PLUGIN, keywords=KEYWORDS, method_map=[("**.py", "python")]
    ):
        template.add(message, locations=[(f"qgis_plugin/{filename}", lineno)], auto_comments=comments)
    for filename, lineno, message in marked_in_fstrings(PLUGIN):
        template.add(message, locations=[(f"qgis_plugin/{filename}", lineno)])
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
