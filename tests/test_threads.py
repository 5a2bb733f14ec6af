"""Work cut into chunks and run on every core gives exactly what one thread gives (issue 20)."""

import itertools
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import shapely

import yangao_geo
from test_fast_paths import _widened_blocks
from yangao_geo import area, features, overlap, streaming, threads
from yangao_geo.crs import ResolvedCRS, identify_crs


@pytest.fixture
def tiny_tasks(monkeypatch):
    """Every step cut into many small tasks, on three threads (more than this machine's cores)."""
    monkeypatch.setenv("YANGAO_GEO_THREADS", "3")
    monkeypatch.setattr(overlap, "_MIN_BLOCKS_PER_TASK", 2)
    monkeypatch.setattr(overlap, "_MIN_VERTICES_PER_TASK", 200)
    monkeypatch.setattr(features, "_MIN_VERTICES_PER_TASK", 40)
    monkeypatch.setattr(area, "_CHUNK_COORDS", 300)  # the blocks' TD/T 1055 areas in many groups


def test_a_check_on_many_threads_gives_the_single_threads_findings(tiny_tasks, monkeypatch):
    blocks = _widened_blocks()  # hundreds of farmland pairs, some parcels wholly inside
    seen = set()
    pair_areas = overlap._pair_areas

    def spy(*args):
        seen.add(threading.current_thread().name)
        return pair_areas(*args)

    monkeypatch.setattr(overlap, "_pair_areas", spy)
    many = yangao_geo.check(blocks).to_dict()
    assert len({name for name in seen if name.startswith("yangao")}) > 1  # really on the pool's threads
    monkeypatch.setenv("YANGAO_GEO_THREADS", "1")
    one = yangao_geo.check(blocks).to_dict()
    assert many["findings"] == one["findings"]
    assert sum(f["rule_id"] == "O203" for f in one["findings"]) > 100


def test_a_streamed_layer_on_many_threads_gives_the_same_findings(tiny_tasks, monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_MIN_FEATURES", 0)
    monkeypatch.setattr(streaming, "BATCH_FEATURES", 300)
    blocks = _widened_blocks()
    many = yangao_geo.check(blocks, keep_geometry=False).to_dict()
    monkeypatch.setenv("YANGAO_GEO_THREADS", "1")
    one = yangao_geo.check(blocks, keep_geometry=False).to_dict()
    assert many["findings"] == one["findings"]


def test_weighted_chunks_cover_every_item_once_and_balance_the_weight(monkeypatch):
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    weights = np.r_[np.full(10, 20_000), np.full(5_000, 12)]  # ten red lines, then parcels
    ranges = threads.weighted_chunks(weights, minimum=1_000, maximum_items=1_000)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(weights)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert max(b - a for a, b in ranges) <= 1_000
    assert len([r for r in ranges if r[1] <= 10]) >= 4  # the heavy features are spread over several tasks


def test_no_block_is_split_between_two_tasks():
    bi = np.repeat(np.arange(50), np.random.default_rng(3).integers(1, 40, 50))
    ranges = overlap._block_aligned(bi, np.ones(len(bi)), 8, minimum=10)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(bi)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    for start, _stop in ranges[1:]:
        assert bi[start] != bi[start - 1]  # a cut falls where the block changes


def test_validation_in_chunks_repairs_and_reports_as_one_pass(tiny_tasks):
    rng = np.random.default_rng(5)
    geoms = []
    for k in range(60):
        x, y = 113.7 + rng.uniform(0, 0.2), 40.1 + rng.uniform(0, 0.2)
        if k % 9 == 4:  # a bow-tie: invalid, repaired
            geoms.append(shapely.Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01)]))
        else:
            geoms.append(shapely.box(x, y, x + 0.01, y + 0.01))
    geoms = np.array(geoms, dtype=object)
    resolved = ResolvedCRS(identify_crs(4490))
    chunked = features.validated_analysis_geometries(geoms, resolved, "source")
    single = features._validated(geoms, resolved, "source")
    assert chunked[1] == single[1] and len(single[1]) == 7
    assert all(shapely.equals_exact(a, b, 0.0) for a, b in zip(chunked[0], single[0]))


def test_map_ordered_keeps_order_and_raises_the_first_error(monkeypatch):
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    assert threads.map_ordered(lambda x: x + 1, range(20)) == list(range(1, 21))

    def boom(x):
        if x == 3:
            raise ValueError("three")
        return x

    with pytest.raises(ValueError, match="three"):
        threads.map_ordered(boom, range(6))
    # a task that fans out again runs its inner work on its own thread (no deadlock)
    assert threads.map_ordered(lambda x: sum(threads.map_ordered(lambda y: y * x, range(3))), range(4)) == [
        0,
        3,
        6,
        9,
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_process_makes_its_own_pool():
    code = (
        "import os, yangao_geo.threads as t\n"
        "os.environ['YANGAO_GEO_THREADS'] = '2'\n"
        "assert t.map_ordered(abs, [-1, -2]) == [1, 2]\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if t.map_ordered(abs, [-3, -4]) == [3, 4] else 1)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert os.waitstatus_to_exitcode(status) == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_bad_thread_count_is_a_clear_error_not_a_silent_default(monkeypatch, tmp_path):
    from yangao_geo.errors import YangaoError

    for bad in ("abc", "0", "-2", "1.5"):
        monkeypatch.setenv("YANGAO_GEO_THREADS", bad)
        with pytest.raises(YangaoError, match="YANGAO_GEO_THREADS must be a whole number of 1 or more"):
            threads.thread_count()
    monkeypatch.setenv("YANGAO_GEO_THREADS", "abc")
    run = subprocess.run(
        [sys.executable, "-m", "yangao_geo", "check", "-o", str(tmp_path / "r.json"), "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, "YANGAO_GEO_LANG": "en"},
        timeout=120,
    )
    assert run.returncode == 2 and "YANGAO_GEO_THREADS must be a whole number" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "r.json").exists()


def test_areas_and_distances_on_many_threads_are_one_passs(tiny_tasks, monkeypatch):
    from yangao_geo.geometry import distance_between, distances_to

    blocks = _widened_blocks().to_crs(4547).geometry.values.to_numpy()
    many = area.ellipsoidal_area(blocks, 4547)
    monkeypatch.setattr(area, "_CHUNK_COORDS", 10**9)
    monkeypatch.setenv("YANGAO_GEO_THREADS", "1")
    assert (many == area.ellipsoidal_area(blocks, 4547)).all()  # bit for bit
    far = shapely.box(0, 0, 1000, 1000)
    monkeypatch.setenv("YANGAO_GEO_THREADS", "3")
    assert distances_to(blocks, far).tolist() == [distance_between(b, far) for b in blocks]


def test_prefetched_keeps_order_raises_where_it_failed_and_stops_its_reader(monkeypatch):
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    assert list(threads.prefetched(iter(range(100)), depth=3)) == list(range(100))

    def failing():
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in threads.prefetched(failing()):
            got.append(item)
    assert got == [1, 2]
    closed = threading.Event()

    def endless():
        try:
            yield from itertools.count()
        finally:
            closed.set()

    for item in threads.prefetched(endless()):
        if item == 5:
            break
    assert closed.wait(5)  # the reader stopped and closed its source
    assert not any(t.name == "yangao-prefetch" for t in threading.enumerate())


def test_work_on_other_threads_speaks_the_callers_language(monkeypatch):
    from yangao_geo.i18n import t, use_lang

    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    monkeypatch.delenv("YANGAO_GEO_LANG", raising=False)
    assert t("feature {n}", n=1) != "feature 1"  # zh by default: a language to lose

    def words():
        yield t("feature {n}", n=1)

    for lang, expected in (("en", "feature 1"), ("zh", "要素 1")):
        with use_lang(lang):
            assert threads.map_ordered(lambda n: t("feature {n}", n=n), [1, 1]) == [expected] * 2
            assert list(threads.prefetched(words())) == [expected]


def test_map_ordered_later_runs_while_the_caller_goes_on_and_gives_the_same_list(monkeypatch):
    from yangao_geo.i18n import t, use_lang

    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    release = threading.Event()

    def slow(x):
        return x * x if release.wait(5) else None  # None: the caller never went on

    later = threads.map_ordered_later(slow, range(8))
    release.set()  # only the caller, going on, can set it
    assert later() == [x * x for x in range(8)] == threads.map_ordered(lambda x: x * x, range(8))

    def fails(x):
        if x == 3:
            raise ValueError("item 3")
        return x

    with pytest.raises(ValueError, match="item 3"):
        threads.map_ordered_later(fails, range(6))()
    with use_lang("en"):
        later = threads.map_ordered_later(lambda n: t("feature {n}", n=n), [1, 2])
    assert later() == ["feature 1", "feature 2"]


def test_a_later_result_cancelled_leaves_its_unstarted_items_unstarted(monkeypatch):
    """A caller that will not ask for the result (an error came first) drops the work not yet started."""
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    release, started = threading.Event(), []

    def blocked(x):
        started.append(x)
        release.wait(5)
        return x

    later = threads.map_ordered_later(blocked, range(10))
    deadline = time.monotonic() + 5
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    later.cancel()  # two items are running (one per thread), eight are queued
    release.set()
    threads.shut_down()  # waits for what is running
    assert sorted(started) == [0, 1]
    assert threads.map_ordered_later(abs, [-1]).cancel() is None  # done at once: nothing to drop


def test_imap_ordered_yields_in_order_looks_ahead_a_little_and_raises_at_its_item(monkeypatch):
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    started = []

    def work(x):
        started.append(x)
        return x * x

    results = threads.imap_ordered(work, range(100))
    assert next(results) == 0
    assert len(started) <= 4  # a writer's chunks: a few in memory at a time, not all of them
    assert [0, *results] == [x * x for x in range(100)]

    def fails(x):
        if x == 5:
            raise ValueError("item 5")
        return x

    got = []
    with pytest.raises(ValueError, match="item 5"):
        for value in threads.imap_ordered(fails, range(10)):
            got.append(value)
    assert got == [0, 1, 2, 3, 4]
