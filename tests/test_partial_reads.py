"""Reading only the constraint features near the blocks: the same findings, and ids that name the file's rows."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import yangao_geo
from test_fast_paths import _widened_blocks
from yangao_geo import layers, streaming
from yangao_geo.errors import InputError
from yangao_geo.geometry import covering_boxes
from yangao_geo.io.gpkg_index import rtree_fids
from yangao_geo.layers import bundled_constraint_paths


def _table(report):
    return pd.DataFrame(report.findings.drop(columns="geometry"))


@pytest.fixture(scope="module")
def blocks():
    return _widened_blocks()


def _without_ids(tmp_path, name="farmland.gpkg"):
    """The bundled farmland, its id column dropped, shuffled so that file rows differ from any reading order."""
    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland")
    order = np.random.default_rng(7).permutation(len(farmland))
    farmland = farmland.iloc[order].reset_index(drop=True)
    path = tmp_path / name
    farmland.drop(columns="feature_id").to_file(path, layer="basic_farmland")
    return path, farmland


@pytest.mark.parametrize("keep_geometry", [True, False], ids=["in memory", "streamed"])
def test_row_number_ids_are_the_features_rows_in_the_file(tmp_path, blocks, keep_geometry, monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_MIN_FEATURES", 0)
    monkeypatch.setattr(streaming, "BATCH_FEATURES", 300)
    path, farmland = _without_ids(tmp_path)
    report = yangao_geo.check(blocks, [path, *bundled_constraint_paths()], keep_geometry=keep_geometry)
    source = next(i for i in report.inputs if i.role == "basic_farmland")
    assert any("of 2067 features" in n for n in source.notes)  # only the parcels near the blocks were read
    hits = report.findings[(report.findings.layer == "basic_farmland") & report.findings.overlap_m2.notna()]
    assert len(hits) > 100
    by_block = dict(zip(report.blocks.block_id, report.blocks.to_crs(4547).geometry))
    parcels = farmland.to_crs(4547).geometry.values
    for block_id, feature_id in zip(hits.block_id, hits.feature_id):
        row = int(feature_id)  # the parcel the report means is that row of the file, as QGIS lists it
        assert shapely.intersects(by_block[block_id], parcels[row - 1])
    # and they are what the whole layer read (no spatial filter) calls them
    monkeypatch.setattr(yangao_geo.layers, "declared_facts", lambda *a, **k: None)
    whole = yangao_geo.check(blocks, [path, *bundled_constraint_paths()])
    key = ["block_id", "rule_id", "layer", "feature_id"]
    pd.testing.assert_frame_equal(
        _table(report).sort_values(key, ignore_index=True)[key],
        _table(whole).sort_values(key, ignore_index=True)[key],
    )


def test_the_rtree_read_gives_gdals_findings(blocks, monkeypatch):
    calls = []
    real = layers.rtree_fids

    def spy(*args):
        calls.append(real(*args))
        return calls[-1]

    monkeypatch.setattr(layers, "rtree_fids", spy)
    by_index = yangao_geo.check(blocks)
    assert calls and all(c is not None for c in calls)
    monkeypatch.setattr(layers, "rtree_fids", lambda *args: None)  # GDAL's spatial filter with the mask
    by_mask = yangao_geo.check(blocks)
    pd.testing.assert_frame_equal(_table(by_index), _table(by_mask))


def test_rtree_fids_contain_every_feature_meeting_the_boxes():
    path = bundled_constraint_paths()[1]
    farmland = gpd.read_file(path, layer="basic_farmland", fid_as_index=True)
    geoms = farmland.geometry.values
    minx, miny, maxx, maxy = farmland.total_bounds
    rng = np.random.default_rng(3)
    for _ in range(20):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        w, h = rng.uniform(0, (maxx - minx) / 5, 2)
        box = np.array([[x, y, x + w, y + h]])
        got = set(rtree_fids(path, "basic_farmland", box).tolist())
        meeting = set(farmland.index[shapely.intersects(geoms, shapely.box(*box[0]))].tolist())
        assert meeting <= got
        near = shapely.box(*box[0]).buffer(1e-4, join_style="mitre")  # the index stores float32, rounded out
        assert got <= set(farmland.index[shapely.intersects(shapely.envelope(geoms), near)].tolist())


def test_rtree_fids_declines_what_is_not_an_indexed_geopackage(tmp_path):
    shp = tmp_path / "a.shp"
    gpd.read_file(bundled_constraint_paths()[1], layer="town_boundary").to_file(shp)
    assert rtree_fids(shp, "a", np.zeros((1, 4))) is None
    assert rtree_fids(bundled_constraint_paths()[1], "no_such_layer", np.zeros((1, 4))) is None
    garbage = tmp_path / "b.gpkg"
    garbage.write_bytes(b"not a database at all" * 100)
    assert rtree_fids(garbage, "x", np.zeros((1, 4))) is None


def test_covering_boxes_cover_unions_of_boxes():
    rng = np.random.default_rng(11)
    for _ in range(30):
        corners = rng.uniform(0, 1000, (40, 2))
        sizes = rng.uniform(1, 120, (40, 2))
        union = shapely.union_all(shapely.box(*corners.T, *(corners + sizes).T))
        boxes = shapely.box(*covering_boxes(union).T)
        assert shapely.union_all(boxes).buffer(1e-9).covers(union)
        assert shapely.area(boxes).sum() < 2.5 * union.area  # far tighter than the envelope, in general


def test_covering_boxes_leave_out_a_basin_the_blocks_ring():
    # blocks ringing a basin (where the farmland is) fill 91 % of their box: one box would read the basin too
    ring = shapely.box(0, 0, 100, 100).difference(shapely.box(35, 35, 65, 65))
    boxes = shapely.box(*covering_boxes(ring).T)
    assert shapely.union_all(boxes).buffer(1e-9).covers(ring)
    assert not shapely.intersects(boxes, shapely.box(40, 40, 60, 60)).any()
    assert shapely.area(boxes).sum() < 1.05 * ring.area
    assert len(boxes) <= 32  # a box spare by no more than 5 % of its area is kept whole


def test_a_nonfinite_coordinate_is_named_by_its_row_in_the_file(tmp_path, blocks):
    path, farmland = _without_ids(tmp_path)
    near = farmland.to_crs(4547).geometry.intersects(shapely.union_all(blocks.to_crs(4547).geometry.values))
    row = int(np.flatnonzero(near.to_numpy())[-1])  # a parcel the blocks cross: read
    bad = farmland.copy()
    ring = np.asarray(bad.geometry.iloc[row].exterior.coords)
    ring[1, 0] = np.inf
    bad.loc[row, "geometry"] = shapely.Polygon(ring)
    bad.drop(columns="feature_id").to_file(path, layer="basic_farmland")
    with pytest.raises(InputError, match=rf"feature {row + 1}\b.*NaN or infinite"):
        yangao_geo.check(blocks, [path, *bundled_constraint_paths()])


@pytest.mark.parametrize("share", [0.3, 0.9], ids=["by FID", "whole layer, others dropped"])
def test_a_read_by_fids_gives_exactly_those_features_in_file_order(share):
    from yangao_geo.io.vector import read_vector

    path = bundled_constraint_paths()[1]
    whole = gpd.read_file(path, layer="basic_farmland", fid_as_index=True)
    fids = np.sort(np.random.default_rng(1).choice(whole.index.to_numpy(), int(share * len(whole)), replace=False))
    got, _ = read_vector(path, layer="basic_farmland", role="basic_farmland", fids=fids)
    assert got.feature_id.tolist() == whole.loc[fids, "feature_id"].tolist()
    assert shapely.equals(got.geometry.values, whole.loc[fids].geometry.values).all()
    stream = streaming._ogr_batches(path, "basic_farmland", "utf-8", ["feature_id"], None, 100, fids, len(whole))
    keys = np.concatenate([k for _, k in stream])
    assert keys.tolist() == fids.tolist()


def test_row_number_ids_of_a_partitioned_geoparquet_layer_count_parts_in_order(tmp_path, blocks, monkeypatch):
    from test_streaming import _partitioned

    monkeypatch.setattr(streaming, "STREAM_MIN_FEATURES", 0)
    monkeypatch.setattr(streaming, "BATCH_FEATURES", 300)
    folder, _ = _partitioned(tmp_path)
    parts = sorted(folder.glob("part.*.parquet"), key=lambda p: int(p.stem.split(".")[1]))
    for part in parts:  # no id column left: ids fall back to rows
        gpd.read_parquet(part).drop(columns="feature_id").to_parquet(part, write_covering_bbox=True)
    in_order = pd.concat([gpd.read_parquet(part) for part in parts], ignore_index=True).to_crs(4547)
    for keep_geometry in (True, False):
        report = yangao_geo.check(blocks, [folder, *bundled_constraint_paths()], keep_geometry=keep_geometry)
        hits = report.findings[(report.findings.layer == "basic_farmland") & report.findings.overlap_m2.notna()]
        assert len(hits) > 100
        by_block = dict(zip(report.blocks.block_id, report.blocks.to_crs(4547).geometry))
        parcels = in_order.geometry.values
        assert all(shapely.intersects(by_block[b], parcels[int(f) - 1]) for b, f in zip(hits.block_id, hits.feature_id))


def test_a_dropped_non_polygon_does_not_shift_the_rows_after_it(tmp_path, blocks):
    path, farmland = _without_ids(tmp_path)
    farmland.loc[0, "geometry"] = farmland.geometry.iloc[0].exterior  # a line: not a parcel, dropped
    farmland.drop(columns="feature_id").to_file(path, layer="basic_farmland")
    layer = gpd.read_file(path, layer="basic_farmland")  # the whole layer, as a GeoDataFrame (no partial read)
    report = yangao_geo.check(blocks, {"basic_farmland": layer, **_others()})
    hits = report.findings[(report.findings.layer == "basic_farmland") & report.findings.overlap_m2.notna()]
    by_block = dict(zip(report.blocks.block_id, report.blocks.to_crs(4547).geometry))
    parcels = farmland.to_crs(4547).geometry.values
    assert len(hits) > 100
    assert all(shapely.intersects(by_block[b], parcels[int(f) - 1]) for b, f in zip(hits.block_id, hits.feature_id))


def _others() -> dict:
    """Every bundled constraint layer but the farmland, by name."""
    import pyogrio

    from yangao_geo.layers import OPTIONAL_LAYERS, REQUIRED_LAYERS

    return {
        name: gpd.read_file(path, layer=name)
        for path in bundled_constraint_paths()
        for name, _ in pyogrio.list_layers(path)
        if name in (*REQUIRED_LAYERS, *OPTIONAL_LAYERS) and name != "basic_farmland"
    }


def test_a_check_asks_a_file_for_its_layers_and_metadata_once_and_the_next_check_asks_again(monkeypatch, tmp_path):
    """Five layers of one GeoPackage: its layer list and each layer's metadata read once per check (they were
    read again for every layer) — and not kept from one check to the next: a file changed in between (a .prj
    edited during a QGIS session) is read as it is then."""
    import collections

    import pyogrio

    from yangao_geo.io import vector

    asked = collections.Counter()
    list_layers, read_info = pyogrio.list_layers, pyogrio.read_info
    monkeypatch.setattr(
        pyogrio, "list_layers", lambda p, *a, **k: asked.update([("layers", p)]) or list_layers(p, *a, **k)
    )
    monkeypatch.setattr(
        pyogrio,
        "read_info",
        lambda p, layer=None, **k: asked.update([("info", p, layer)]) or read_info(p, layer=layer, **k),
    )
    first = yangao_geo.check(keep_geometry=False).to_dict()
    assert asked and max(asked.values()) == 1, asked
    once = sum(asked.values())
    second = yangao_geo.check(keep_geometry=False).to_dict()
    assert sum(asked.values()) == 2 * once  # asked afresh
    assert first["findings"] == second["findings"]
    assert vector.list_layers(bundled_constraint_paths()[0]) == vector.list_layers(bundled_constraint_paths()[0])
