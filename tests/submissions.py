"""Generated batches of block submissions: mixed formats, GBK shapefiles, some broken files.

Used by the batch tests and by ``benchmarks/batch_throughput.py``.
"""

import warnings

import geopandas as gpd

from yangao_geo.layers import bundled_blocks_path


def make_submissions(root, n=54):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on laundered DBF field names
        return _make(root, n)


def _make(root, n):
    """n submissions (shp/gpkg/geojson, some GBK without .cpg, some broken) below ``root``; expected statuses."""
    plan = gpd.read_file(bundled_blocks_path())
    expected = {}
    for i in range(n):
        folder = root / f"township_{i % 6}"
        folder.mkdir(parents=True, exist_ok=True)
        subset = plan.iloc[[i % 12, (i * 5 + 3) % 12]].drop_duplicates(subset="区块编号")
        kind = ("shp", "gpkg", "geojson")[i % 3]
        path = folder / f"sub_{i:02d}.{kind}"
        if i % 11 == 10:  # broken: truncated shapefile
            path = folder / f"sub_{i:02d}.shp"
            subset.to_file(path)
            path.write_bytes(path.read_bytes()[:150])
            expected[str(path)] = "error"
            continue
        if i % 13 == 12:  # broken: not a vector file
            path = folder / f"sub_{i:02d}.geojson"
            path.write_text("名单：张三、李四\n", encoding="utf-8")
            expected[str(path)] = "error"
            continue
        if kind == "shp":  # Chinese shapefiles are GBK (UTF-8 field names would not fit in 10 bytes)
            subset.to_file(path, encoding="gbk")
            if i % 2 == 0:
                path.with_suffix(".cpg").unlink()  # and often come without a .cpg
        else:
            subset.to_file(path)
        expected[str(path)] = None  # decided by the single-file check below
    return expected
