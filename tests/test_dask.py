"""The same check on a Dask LocalCluster with 2 workers gives identical findings."""

import pytest

import yangao_geo
from test_fast_paths import _widened_blocks

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_run_is_identical_to_the_single_machine_run(client, monkeypatch):
    from yangao_geo import distributed as yd

    calls = []
    original = yd.distributed_overlaps
    monkeypatch.setattr(yd, "MIN_FEATURES", 0)  # send every layer to the workers,
    monkeypatch.setattr(yd, "MIN_CHUNK", 50)  # in several chunks
    monkeypatch.setattr(yd, "distributed_overlaps", lambda *a, **k: calls.append(len(a[3])) or original(*a, **k))
    blocks = _widened_blocks()  # crosses hundreds of farmland and arable parcels
    local = yangao_geo.check(blocks)
    on_cluster = yangao_geo.check(blocks, dask=client)
    assert len(calls) >= 4 and max(calls) > 100  # every constraint layer went through the cluster
    assert len(local.findings) > 100
    assert on_cluster.to_dict()["findings"] == local.to_dict()["findings"]
    assert on_cluster.to_dict()["blocks"] == local.to_dict()["blocks"]


def test_dask_by_scheduler_address(client):
    report = yangao_geo.check(dask=client.scheduler.address)
    assert report.to_dict()["findings"] == yangao_geo.check().to_dict()["findings"]


def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(yangao_geo.YangaoError, match="cannot reach the Dask scheduler"):
        yangao_geo.check(dask="tcp://127.0.0.1:9")


@pytest.mark.filterwarnings("ignore::UserWarning")  # geopandas: centroid in a geographic CRS
def test_streamed_layers_on_the_cluster_are_identical(client, tmp_path, monkeypatch):
    """GeoParquet parts read by the workers, a GeoPackage read in batches by the driver: same findings."""
    import pandas as pd

    from test_streaming import _partitioned
    from yangao_geo import streaming
    from yangao_geo.layers import bundled_constraint_paths

    monkeypatch.setattr(streaming, "STREAM_MIN_FEATURES", 0)
    monkeypatch.setattr(streaming, "BATCH_FEATURES", 300)
    folder, _ = _partitioned(tmp_path, parts=6)
    blocks = _widened_blocks()
    for constraints, task in ((None, "_batch_overlaps"), ([folder, *bundled_constraint_paths()], "_part_overlaps")):
        local = yangao_geo.check(blocks, constraints, keep_geometry=False)
        with distributed.get_task_stream(client) as stream:
            on_cluster = yangao_geo.check(blocks, constraints, keep_geometry=False, dask=client)
        assert (local.findings.rule_id == "O203").sum() > 100
        pd.testing.assert_frame_equal(
            pd.DataFrame(on_cluster.findings.drop(columns="geometry")),
            pd.DataFrame(local.findings.drop(columns="geometry")),
        )
        ran = [t for t in stream.data if task in str(t["key"])]
        assert len(ran) >= 2  # several batches (parts) computed by the workers
        if task == "_part_overlaps":
            assert len(ran) <= 6  # one task per part near the blocks, no more
