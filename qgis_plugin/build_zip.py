"""Package the QGIS plugin as the zip QGIS's plugin manager installs: ``python qgis_plugin/build_zip.py [DIR]``."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLUGIN = HERE / "yangao_geo_qgis"


def build(out_dir: Path) -> Path:
    """Write ``yangao_geo_qgis-<version>.zip`` (the plugin folder at the zip's root) into ``out_dir``."""
    version = next(
        line.split("=", 1)[1].strip()
        for line in (PLUGIN / "metadata.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith("version=")
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"yangao_geo_qgis-{version}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(PLUGIN.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                zf.write(path, Path("yangao_geo_qgis") / path.relative_to(PLUGIN))
    return archive


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "dist"))
