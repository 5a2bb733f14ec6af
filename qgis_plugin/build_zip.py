"""Package the QGIS plugin as the zip QGIS's plugin manager installs: ``python qgis_plugin/build_zip.py [DIR]``."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "yangao_geo_qgis"


def library_version() -> str:
    """``yangao_geo.__version__`` as the source states it (the plugin is built for exactly that library)."""
    text = (HERE.parent / "src" / "yangao_geo" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def pinned_metadata() -> str:
    """metadata.txt with the plugin's version set to the library's and ``yangao_geo=<version>`` pinned."""
    version = library_version()
    lines = []
    for line in (PLUGIN / "metadata.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(("version=", "yangao_geo=")):
            continue
        lines.append(line)
        if line.strip() == "[general]":
            lines += [f"version={version}", f"yangao_geo={version}"]
    return "\n".join(lines) + "\n"


def build(out_dir: Path) -> Path:
    """Write ``yangao_geo_qgis-<version>.zip`` (the plugin folder at the zip's root) into ``out_dir``.

    The zip's metadata.txt pins the library it was built with (``yangao_geo=<version>``); the plugin
    refuses to run against another version of the library, and says which to install.
    """
    version = library_version()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"yangao_geo_qgis-{version}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(PLUGIN.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                target = Path("yangao_geo_qgis") / path.relative_to(PLUGIN)
                if path.name == "metadata.txt":
                    zf.writestr(str(target), pinned_metadata())
                else:
                    zf.write(path, target)
    return archive


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "dist"))
