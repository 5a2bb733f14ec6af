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
    monkeypatch.setattr(yd, "distributed_overlaps", lambda *a: calls.append(len(a[3])) or original(*a))
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
