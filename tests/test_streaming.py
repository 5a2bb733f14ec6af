"""Large farmland/arable layers read batch by batch give exactly the in-memory run's findings."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import yangao_geo
from test_fast_paths import _widened_blocks
from yangao_geo import streaming
from yangao_geo.layers import bundled_constraint_paths


def _table(report):
    return pd.DataFrame(report.findings.drop(columns="geometry"))


def _assert_same_findings(a, b):
    """Equal findings as sets: parts and GeoPackages list a block's parcels in different orders."""
    key = ["block_id", "rule_id", "layer", "feature_id"]
    pd.testing.assert_frame_equal(
        _table(a).sort_values(key, ignore_index=True), _table(b).sort_values(key, ignore_index=True)
    )


def _streamed(report):
    return {i.role for i in report.inputs if any("not held in memory" in n for n in i.notes)}


@pytest.fixture
def stream_everything(monkeypatch):
    """Stream every streamable layer, however small, in batches of 300 features."""
    monkeypatch.setattr(streaming, "STREAM_MIN_FEATURES", 0)
    monkeypatch.setattr(streaming, "BATCH_FEATURES", 300)


@pytest.fixture(scope="module")
def blocks():
    return _widened_blocks()  # crosses hundreds of farmland and arable parcels


def test_streamed_layers_give_the_in_memory_findings(blocks, stream_everything):
    in_memory = yangao_geo.check(blocks)
    streamed = yangao_geo.check(blocks, keep_geometry=False)
    assert _streamed(streamed) == {"basic_farmland", "arable_land"}
    assert not _streamed(in_memory)
    assert (streamed.findings.rule_id == "O203").sum() > 100
    pd.testing.assert_frame_equal(_table(streamed), _table(in_memory))
    assert [i.path for i in streamed.inputs] == [i.path for i in in_memory.inputs]


def test_small_layers_are_not_streamed(blocks):
    assert not _streamed(yangao_geo.check(blocks, keep_geometry=False))


def test_streamed_dltb_keeps_only_cultivated_land(tmp_path, blocks, stream_everything):
    arable = gpd.read_file(bundled_constraint_paths()[0], layer="arable_land")
    arable["DLBM"] = np.where(np.arange(len(arable)) % 3 == 0, "0301", "0103")  # a third is forest, not 耕地
    path = tmp_path / "dltb.gpkg"
    arable.to_file(path, layer="DLTB")
    constraints = [path, *bundled_constraint_paths()]
    blocks = blocks.assign(矿种="砖瓦用粘土")  # O205 reads arable land for brick-clay blocks only
    in_memory = yangao_geo.check(blocks, constraints)
    streamed = yangao_geo.check(blocks, constraints, keep_geometry=False)
    assert "arable_land" in _streamed(streamed)
    pd.testing.assert_frame_equal(_table(streamed), _table(in_memory))
    forest = set(arable.feature_id[arable.DLBM == "0301"])
    hits = set(streamed.findings.feature_id[streamed.findings.layer == "arable_land"])
    assert hits and not hits & forest


def test_ids_missing_in_one_batch_fall_back_to_row_numbers_everywhere(tmp_path, blocks, stream_everything):
    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland")
    hit = yangao_geo.check(blocks).findings.query("layer == 'basic_farmland'").feature_id
    last = np.flatnonzero(farmland.feature_id.isin(set(hit)))[-1]
    farmland.loc[last, "feature_id"] = None  # a parcel that overlaps a block: read, so ids fall back
    path = tmp_path / "farmland.gpkg"
    farmland.to_file(path, layer="basic_farmland")
    constraints = [path, *bundled_constraint_paths()]
    in_memory = yangao_geo.check(blocks, constraints)
    streamed = yangao_geo.check(blocks, constraints, keep_geometry=False)
    pd.testing.assert_frame_equal(_table(streamed), _table(in_memory))
    ids = streamed.findings.feature_id[streamed.findings.layer == "basic_farmland"]
    assert len(ids) > 100 and ids.str.fullmatch(r"\d+").all()


def _partitioned(tmp_path, parts: int = 4):
    """The bundled farmland as GeoParquet parts cut west to east (as a spatial shuffle would)."""
    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland")
    order = np.argsort(farmland.geometry.centroid.x.to_numpy())
    folder = tmp_path / "basic_farmland.parquet"
    folder.mkdir()
    for k, rows in enumerate(np.array_split(order, parts)):
        farmland.iloc[np.sort(rows)].to_parquet(folder / f"part.{k}.parquet", write_covering_bbox=True)
    return folder, farmland


@pytest.mark.filterwarnings("ignore::UserWarning")  # geopandas: centroid in a geographic CRS
def test_partitioned_geoparquet_layer(tmp_path, blocks, stream_everything):
    folder, _ = _partitioned(tmp_path)
    gpkg = yangao_geo.check(blocks)
    in_memory = yangao_geo.check(blocks, [folder, *bundled_constraint_paths()])
    streamed = yangao_geo.check(blocks, [folder, *bundled_constraint_paths()], keep_geometry=False)
    assert "basic_farmland" in _streamed(streamed)
    pd.testing.assert_frame_equal(_table(streamed), _table(in_memory))
    _assert_same_findings(gpkg, streamed)  # only the order of a block's parcels follows the parts
    source = next(i for i in streamed.inputs if i.role == "basic_farmland")
    assert source.features == 2067 and "format: GeoParquet" in source.notes


def test_parquet_without_geo_metadata_is_named(tmp_path):
    path = tmp_path / "basic_farmland.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(yangao_geo.InputError, match="without GeoParquet 'geo' metadata"):
        yangao_geo.check(constraints=[path, *bundled_constraint_paths()])


def test_partition_command_makes_a_layer_that_checks_the_same(tmp_path, blocks, stream_everything):
    from yangao_geo.cli.main import main

    folder = tmp_path / "basic_farmland.parquet"
    argv = ["partition", str(bundled_constraint_paths()[1]), str(folder), "--layer", "basic_farmland"]
    with pytest.raises(SystemExit) as done:
        main([*argv, "--features-per-part", "500"])
    assert done.value.code == 0
    assert len(list(folder.glob("*.parquet"))) == 5  # 2 067 parcels, 500 per part
    gpkg = yangao_geo.check(blocks, keep_geometry=False)
    parts = yangao_geo.check(blocks, [folder, *bundled_constraint_paths()], keep_geometry=False)
    assert "basic_farmland" in _streamed(parts)
    _assert_same_findings(gpkg, parts)
    with pytest.raises(SystemExit) as again:  # an existing folder is never written into
        main(argv)
    assert again.value.code == 2
    assert len(list(folder.glob("*.parquet"))) == 5 and not list(tmp_path.glob(".basic_farmland*"))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_layers_partitioned_by_dask_geopandas_are_read_too(tmp_path, blocks, stream_everything):
    dask_geopandas = pytest.importorskip("dask_geopandas")
    import dask

    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland")
    folder = tmp_path / "basic_farmland.parquet"
    with dask.config.set({"scheduler": "sync", "dataframe.shuffle.method": "tasks"}):
        dask_geopandas.from_geopandas(farmland, npartitions=4).spatial_shuffle().to_parquet(folder)
    gpkg = yangao_geo.check(blocks, keep_geometry=False)
    parts = yangao_geo.check(blocks, [folder, *bundled_constraint_paths()], keep_geometry=False)
    assert "basic_farmland" in _streamed(parts)
    _assert_same_findings(gpkg, parts)


def test_single_geoarrow_encoded_parquet_file(tmp_path, blocks, stream_everything):
    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland")
    path = tmp_path / "basic_farmland.parquet"
    farmland.to_parquet(path, geometry_encoding="geoarrow")  # not WKB: read whole, not in batches
    in_memory = yangao_geo.check(blocks, [path, *bundled_constraint_paths()])
    streamed = yangao_geo.check(blocks, [path, *bundled_constraint_paths()], keep_geometry=False)
    assert "basic_farmland" in _streamed(streamed)
    pd.testing.assert_frame_equal(_table(streamed), _table(in_memory))
    pd.testing.assert_frame_equal(_table(streamed), _table(yangao_geo.check(blocks, keep_geometry=False)))


def test_partition_refuses_a_layer_without_crs_and_a_part_size_below_one(tmp_path):
    from yangao_geo.partition import partition_layer

    farmland = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland").iloc[:10]
    no_crs = tmp_path / "no_crs.gpkg"
    farmland.set_crs(None, allow_override=True).to_file(no_crs)
    with pytest.raises(yangao_geo.InputError, match="declares no CRS"):
        partition_layer(no_crs, tmp_path / "a.parquet")
    with pytest.raises(yangao_geo.InputError, match="features per part must be at least 1, got 0"):
        partition_layer(
            bundled_constraint_paths()[1], tmp_path / "b.parquet", layer="basic_farmland", features_per_part=0
        )
    with pytest.raises(yangao_geo.InputError, match="no such file"):
        partition_layer(tmp_path / "missing.gpkg", tmp_path / "c.parquet")
    assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob(".*"))
