"""Performance benchmark: yangao_geo against the ways analysts and engineers compute the same overlaps.

Wall time runs from a method's process start (interpreter, imports) to the moment its result exists:
for yangao_geo, from the start of its CLI process until it exits with the JSON written (neither the
harness worker that launches it nor its reading that JSON back to verify it is counted); for a peer,
from its worker process's start until its pairs table is built.

Usage::

    python benchmarks/perf.py                                   # reference sizes, 3 runs, all peers
    python benchmarks/perf.py --sizes 200x50000 --repeat 1      # quick
    python benchmarks/perf.py --scaling                         # time vs F ∈ {50k,100k,200k,500k} (N=200)

For each size the data are generated once (``benchmarks/synthetic.py``, cached under ``--cache``) and every
method runs in its own process, on the same files, ``--repeat`` times, the methods taking turns (one run of
each per round, so that a slow spell of the machine falls on all of them); the parent records wall time and
peak memory (max RSS) of each run. Before any time is printed, every method's set of
(block, layer, feature, overlap area) is compared with yangao_geo's: the same pairs, areas equal within
1e-6 relative (or 0.01 m², the rounding of the JSON report). Methods:

``yangao``   ``yangao-geo check BLOCKS -c CONSTRAINTS -o report.json``: end to end, every rule, JSON written
``overlay``  geopandas: read, ``to_crs``, ``overlay(how="intersection")``, ellipsoidal area
``sjoin``    geopandas: read, ``to_crs``, ``sjoin(predicate="intersects")``, shapely intersection, area
``duckdb``   DuckDB with its spatial extension (PyPI's ``duckdb-ext-spatial`` wheel: ``pip install ".[bench]"``;
             nothing is downloaded at run time): ST_Read, ST_Transform, its SPATIAL_JOIN on ST_Intersects,
             ST_Intersection
``postgis``  PostgreSQL 15 + PostGIS 3 (Debian), started here on 127.0.0.1; load and query timed apart
``floor``    read + reproject + STRtree + intersection and area of exactly the true pairs (known in advance: reading
             them from the truth file is not counted)
``floor_inside`` the floor with yangao_geo's own shortcut: a parcel wholly inside its block (``contains_properly``)
             counts its own area, computed once; only the other true pairs are intersected

Every method measures each piece with the cheapest exact method there is, the one yangao_geo uses itself:
the Gauss-Krüger scale-factor integral (``yangao_geo.area.scale_factor_area``, within 2e-8 of TD/T 1055). The
databases compute the join and the intersections and hand the pieces out as WKB in batches of 100 000
(DuckDB as Arrow record batches, PostGIS through a server-side cursor), each batch measured the same way and
let go (so a peer's memory is its own, not that of 1.9 million pieces held in Python). Their own spheroidal
areas (``ST_Area_Spheroid``, ``ST_Area(geography)``), on pieces taken back to lon/lat, cost them up to 10×
the rest of the run, which is not what the comparison is about.

Two block placements (``--placement``): ``hills``, as plan blocks lie (around the farmland basin, one in four
across its edge), and ``anywhere``, scattered over the farmland: there most pairs are parcels wholly inside a
block, and the findings run to the millions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
LAYERS = ("mining_rights", "eco_redline", "basic_farmland", "town_boundary")
METHODS = ("yangao", "overlay", "sjoin", "duckdb", "postgis", "floor", "floor_inside")
SLOW_S = 300.0  # a method slower than this in one run is not repeated


# --------------------------------------------------------------------------- workers (run in a child process)


def _read(path, layer=None):
    import geopandas as gpd

    return gpd.read_file(path, layer=layer, engine="pyogrio", use_arrow=True)


def _pairs_frame(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["block_id", "layer", "feature_id", "area"])


def _area(pieces):
    from yangao_geo.area import scale_factor_area

    return scale_factor_area(pieces, 4547)


def _measured_wkb(block_ids, layer, feature_ids, wkb):
    """A database's batch of pieces (WKB) measured as every peer's are (:func:`_area`): ids and areas only."""
    import pandas as pd
    import shapely

    pieces = shapely.from_wkb(np.asarray(wkb, dtype=object))
    return pd.DataFrame({"block_id": block_ids, "layer": layer, "feature_id": feature_ids, "area": _area(pieces)})


def peak_of(proc: subprocess.Popen, interval: float = 0.02) -> float:
    """Wait for ``proc``, sampling its memory high-water mark (VmHWM, MiB) until it exits.

    ``ru_maxrss`` is no use here: Linux carries the parent's RSS over fork and exec into it.
    """
    peak = 0.0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            break
        time.sleep(interval)
    proc.wait()
    return peak


def worker_yangao(data, out):
    t0 = time.perf_counter()
    report = data / "_yangao_report.json"
    if report.exists():
        report.unlink()
    cmd = [
        sys.executable,
        "-m",
        "yangao_geo",
        "check",
        str(data / "blocks.gpkg"),
        "-c",
        str(data / "constraints.gpkg"),
        "-o",
        str(report),
        "-q",
    ]
    started_at = time.time()  # the method's process is the CLI's: this harness's own start-up is not its time
    peak = peak_of(subprocess.Popen(cmd))
    total = time.perf_counter() - t0
    done_at = time.time()  # the check is over when the CLI exits; reading its JSON back is not its time
    doc = json.loads(report.read_text(encoding="utf-8"))
    rows = [
        (f["block_id"], f["layer"], f["feature_id"], f["overlap_m2"])
        for f in doc["findings"]
        if f["layer"] in LAYERS and f["overlap_m2"] is not None
    ]
    return {"total": total, "peak_mib": peak, "started_at": started_at, "done_at": done_at}, _pairs_frame(rows)


def _load_geopandas(data):
    blocks = _read(data / "blocks.gpkg").to_crs(4547)[["block_id", "geometry"]]
    layers = {name: _read(data / "constraints.gpkg", name).to_crs(4547)[["feature_id", "geometry"]] for name in LAYERS}
    return blocks, layers


def worker_overlay(data, out):
    import geopandas as gpd
    import pandas as pd

    t0 = time.perf_counter()
    blocks, layers = _load_geopandas(data)
    frames = []
    for name, layer in layers.items():
        inter = gpd.overlay(blocks, layer, how="intersection", keep_geom_type=True)
        frames.append(
            pd.DataFrame(
                {
                    "block_id": inter.block_id,
                    "layer": name,
                    "feature_id": inter.feature_id,
                    "area": _area(inter.geometry.values),
                }
            )
        )
    result = pd.concat(frames)
    result = result[result.area > 1e-4]
    return {"total": time.perf_counter() - t0}, result


def worker_sjoin(data, out):
    import pandas as pd
    import shapely

    from yangao_geo.geometry import polygonal

    t0 = time.perf_counter()
    blocks, layers = _load_geopandas(data)
    frames = []
    for name, layer in layers.items():
        joined = blocks.sjoin(layer, predicate="intersects", how="inner")
        right = layer.geometry.values[joined.index_right.to_numpy()] if "index_right" in joined else None
        pieces = polygonal(shapely.intersection(joined.geometry.values, right))
        frames.append(
            pd.DataFrame(
                {
                    "block_id": joined.block_id.to_numpy(),
                    "layer": name,
                    "feature_id": joined.feature_id.to_numpy(),
                    "area": _area(pieces),
                }
            )
        )
    result = pd.concat(frames)
    result = result[result.area > 1e-4]
    return {"total": time.perf_counter() - t0}, result


def _duckdb_connect():
    import glob
    import site

    import duckdb

    ext = next(
        iter(
            sorted(
                glob.glob(
                    os.path.join(
                        site.getsitepackages()[0], "duckdb_ext", "extensions", "*", "*", "spatial.duckdb_extension"
                    )
                )
            )
        ),
        None,
    )
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"LOAD '{ext}'" if ext else "LOAD spatial")
    return con


def worker_duckdb(data, out):
    import pandas as pd

    con = _duckdb_connect()
    t0 = time.perf_counter()
    con.execute(f"""CREATE TABLE b AS SELECT block_id,
        ST_Transform(geom, 'EPSG:4490', 'EPSG:4547', always_xy := true) AS g
        FROM ST_Read('{data / "blocks.gpkg"}', layer := 'blocks')""")
    frames = []
    for name in LAYERS:
        con.execute(f"""CREATE OR REPLACE TABLE f AS SELECT feature_id,
            ST_Transform(geom, 'EPSG:4490', 'EPSG:4547', always_xy := true) AS g
            FROM ST_Read('{data / "constraints.gpkg"}', layer := '{name}')""")
        # the pieces leave DuckDB as WKB, an Arrow batch at a time, and are measured as every peer's are (see
        # _area); only the ids and areas are kept, so the pieces never all exist at once outside DuckDB
        batches = con.execute("""
            SELECT b.block_id, f.feature_id, ST_AsWKB(ST_CollectionExtract(ST_Intersection(b.g, f.g), 3)) AS piece
            FROM b JOIN f ON ST_Intersects(b.g, f.g)""").fetch_record_batch(100_000)
        for batch in batches:
            frames.append(
                _measured_wkb(
                    batch.column("block_id").to_numpy(zero_copy_only=False),
                    name,
                    batch.column("feature_id").to_numpy(zero_copy_only=False),
                    batch.column("piece").to_numpy(zero_copy_only=False),
                )
            )
    result = pd.concat(frames)
    result = result[result.area > 1e-4]
    return {"total": time.perf_counter() - t0}, result


def worker_postgis(data, out):
    import pandas as pd
    import psycopg

    dsn = os.environ["YG_BENCH_PG"]
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as con:
        blocks = _read(data / "blocks.gpkg")
        _pg_load(con, "b", "block_id", blocks)
        for name in LAYERS:
            _pg_load(con, name, "feature_id", _read(data / "constraints.gpkg", name))
        t_load = time.perf_counter() - t0
        frames = []
        for name in LAYERS:
            # the pieces leave PostGIS as WKB through a server-side cursor, 100 000 rows at a time, and are
            # measured as every peer's are (see _area); only the ids and areas are kept
            with con.transaction(), con.cursor(name=f"pieces_{name}", binary=True) as cur:
                cur.execute(
                    f"""SELECT b.id, f.id, ST_AsBinary(ST_CollectionExtract(ST_Intersection(b.g, f.g), 3))
                        FROM b JOIN {name} f ON ST_Intersects(b.g, f.g)"""
                )
                while rows := cur.fetchmany(100_000):
                    block_ids, feature_ids, wkb = zip(*rows)
                    frames.append(_measured_wkb(block_ids, name, feature_ids, [bytes(w) for w in wkb]))
    total = time.perf_counter() - t0
    result = pd.concat(frames)
    result = result[result.area > 1e-4]
    return {"total": total, "load": t_load, "query": total - t_load}, result


def _pg_load(con, table, id_col, gdf):
    import shapely

    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TABLE {table} (id text, g geometry(Geometry, 4490))")
    wkb = shapely.to_wkb(gdf.geometry.values, hex=True)
    with con.cursor().copy(f"COPY {table} (id, g) FROM STDIN") as copy:
        for ident, hexwkb in zip(gdf[id_col].astype(str), wkb):
            copy.write_row((ident, None if hexwkb is None else f"SRID=4490;{hexwkb}"))
    con.execute(f"ALTER TABLE {table} ALTER COLUMN g TYPE geometry(Geometry, 4547) USING ST_Transform(g, 4547)")
    con.execute(f"CREATE INDEX ON {table} USING GIST (g)")
    con.execute(f"ANALYZE {table}")


def _known_pairs(out: Path):
    """The true pairs, known to a floor in advance, and the seconds their reading took (not the floor's time)."""
    import pandas as pd

    began = time.perf_counter()
    truth = pd.read_parquet(out.with_name("truth.parquet"))
    return truth, time.perf_counter() - began


def worker_floor(data, out):
    import pandas as pd
    import shapely

    from yangao_geo.geometry import polygonal

    truth, known_s = _known_pairs(out)
    t0 = time.perf_counter()
    blocks, layers = _load_geopandas(data)
    block_pos = {b: i for i, b in enumerate(blocks.block_id)}
    frames = []
    for name, layer in layers.items():
        shapely.STRtree(layer.geometry.values).query(blocks.geometry.values)  # what finding the pairs costs at least
        sub = truth[truth.layer == name]
        feat_pos = {f: i for i, f in enumerate(layer.feature_id)}
        bi = np.array([block_pos[b] for b in sub.block_id], dtype=int)
        fi = np.array([feat_pos[f] for f in sub.feature_id], dtype=int)
        pieces = polygonal(shapely.intersection(blocks.geometry.values[bi], layer.geometry.values[fi]))
        frames.append(
            pd.DataFrame(
                {
                    "block_id": sub.block_id.to_numpy(),
                    "layer": name,
                    "feature_id": sub.feature_id.to_numpy(),
                    "area": _area(pieces),
                }
            )
        )
    return {"total": time.perf_counter() - t0, "excluded_s": known_s}, pd.concat(frames)


def worker_floor_inside(data, out):
    import pandas as pd
    import shapely

    from yangao_geo.geometry import polygonal

    truth, known_s = _known_pairs(out)
    t0 = time.perf_counter()
    blocks, layers = _load_geopandas(data)
    block_pos = {b: i for i, b in enumerate(blocks.block_id)}
    shapely.prepare(blocks.geometry.values)
    frames = []
    for name, layer in layers.items():
        shapely.STRtree(layer.geometry.values).query(blocks.geometry.values)
        sub = truth[truth.layer == name]
        feat_pos = {f: i for i, f in enumerate(layer.feature_id)}
        bi = np.array([block_pos[b] for b in sub.block_id], dtype=int)
        fi = np.array([feat_pos[f] for f in sub.feature_id], dtype=int)
        b, f = blocks.geometry.values[bi], layer.geometry.values[fi]
        inside = shapely.contains_properly(b, f)
        area = np.empty(len(bi))
        own = _area(layer.geometry.values)  # each feature's area, once
        area[inside] = own[fi[inside]]
        area[~inside] = _area(polygonal(shapely.intersection(b[~inside], f[~inside])))
        frames.append(
            pd.DataFrame(
                {
                    "block_id": sub.block_id.to_numpy(),
                    "layer": name,
                    "feature_id": sub.feature_id.to_numpy(),
                    "area": area,
                }
            )
        )
    return {"total": time.perf_counter() - t0, "excluded_s": known_s}, pd.concat(frames)


WORKERS = {
    "yangao": worker_yangao,
    "overlay": worker_overlay,
    "sjoin": worker_sjoin,
    "duckdb": worker_duckdb,
    "postgis": worker_postgis,
    "floor": worker_floor,
    "floor_inside": worker_floor_inside,
}


# --------------------------------------------------------------------------- parent: run, verify, report


def _run_worker(method, data: Path, out: Path, env=None) -> dict:
    """Run one method in a child process; return its timings and peak memory (MiB)."""
    start = time.perf_counter()
    started_at = time.time()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", method, "--data", str(data), "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout_chunks = []
    import threading

    reader = threading.Thread(target=lambda: stdout_chunks.append(proc.stdout.read()), daemon=True)
    err_chunks = []
    err_reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    err_reader.start()
    peak = peak_of(proc)
    wall = time.perf_counter() - start
    reader.join()
    err_reader.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{''.join(err_chunks)[-3000:]}")
    timings = json.loads("".join(stdout_chunks).strip().splitlines()[-1])
    timings.setdefault("peak_mib", peak)  # the yangao worker reports its CLI process's own peak
    # wall time from the process's start to the moment its result exists (not the parent's bookkeeping after)
    # (yangao_geo: from its CLI process's start, not from this harness's worker's)
    timings["wall"] = timings["done_at"] - timings.get("started_at", started_at) if "done_at" in timings else wall
    timings["wall"] -= timings.get("excluded_s", 0.0)  # a floor's reading of the pairs it is given
    return timings


def _verify(method: str, got, truth) -> None:
    """Same (block, layer, feature) pairs, areas equal within 1e-6 relative or 0.01 m².

    Each side drops its pieces under 1e-4 m² (yangao_geo's numerical zero), each measured its own way, so a
    piece of about 1 cm² can fall under the cut on one side and not on the other (one such pair in 1.9
    million, DuckDB against yangao_geo, anywhere 2 000 × 500 000). A pair found on one side only passes when
    its area is within the areas' own tolerance of that cut (≤ 1e-4 + 0.01 m²); it is printed.
    """
    from yangao_geo.overlap import NUMERIC_ZERO_M2

    key = ["block_id", "layer", "feature_id"]
    a = truth.assign(**{k: truth[k].astype(str) for k in key}).set_index(key)["area"].sort_index()
    b = got.assign(**{k: got[k].astype(str) for k in key}).groupby(key)["area"].sum().sort_index()
    if not a.index.equals(b.index):
        only_a, only_b = a.index.difference(b.index), b.index.difference(a.index)
        borderline = np.concatenate([a.loc[only_a].to_numpy(), b.loc[only_b].to_numpy()])
        if (borderline > NUMERIC_ZERO_M2 + 0.01).any():
            raise AssertionError(
                f"{method}: pair sets differ ({len(only_a)} only in yangao, e.g. {list(only_a[:3])}; "
                f"{len(only_b)} only in {method}, e.g. {list(only_b[:3])})"
            )
        print(
            f"  {method}: {len(only_a) + len(only_b)} pair(s) on one side only, each under "
            f"{NUMERIC_ZERO_M2 + 0.01:g} m² (the cut plus the areas' tolerance): "
            f"{[*only_a[:2], *only_b[:2]]}, {borderline.max():.2e} m² at most",
            flush=True,
        )
        common = a.index.intersection(b.index)
        a, b = a.loc[common], b.loc[common]
    diff = np.abs(a.to_numpy() - b.to_numpy())
    bad = diff > np.maximum(1e-6 * np.maximum(a.to_numpy(), b.to_numpy()), 0.01)
    if bad.any():
        i = int(np.argmax(diff / np.maximum(a.to_numpy(), 1e-9)))
        raise AssertionError(f"{method}: {int(bad.sum())} areas differ, e.g. {a.index[i]}: {a.iloc[i]} vs {b.iloc[i]}")


def _postgres():
    """Start a throwaway PostgreSQL 15 + PostGIS on 127.0.0.1; return (dsn, stop)."""
    bindir = Path("/usr/lib/postgresql/15/bin")
    if not (bindir / "initdb").exists():
        return None, None
    root = Path(tempfile.mkdtemp(prefix="yg-pg-"))
    shutil.chown(root, "postgres", "postgres")
    run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*run, str(bindir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    port = "54329"
    subprocess.run(
        [
            *run,
            str(bindir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=256MB "
            "-c max_parallel_workers_per_gather=2 -c fsync=off",
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def stop():
        subprocess.run(
            [*run, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)

    return dsn, stop


def _data(cache: Path, n: int, f: int, placement: str) -> Path:
    sys.path.insert(0, str(HERE))
    from synthetic import build

    data = cache / placement / f"{n}x{f}"
    if not (data / "constraints.gpkg").exists():
        build(n, f, data, placement=placement)
    return data


def run_size(cache: Path, n: int, f: int, methods, repeat: int, placement: str = "hills") -> dict:
    import pandas as pd

    data = _data(cache, n, f, placement)
    out = data / "pairs.parquet"
    env = dict(os.environ)
    stop = None
    if "postgis" in methods:
        dsn, stop = _postgres()
        if dsn is None:
            print("postgis: PostgreSQL 15 not installed (apt-get install postgresql-15-postgis-3); skipped")
            methods = [m for m in methods if m != "postgis"]
        else:
            env["YG_BENCH_PG"] = dsn
    try:
        # the methods take turns, one run each per round (yangao_geo first: its report is the truth the others
        # are checked against), so a slow spell of the machine falls on every method alike, not on one
        # method's block of runs
        results = {method: [] for method in methods}
        for _ in range(repeat):
            for method in methods:
                runs = results[method]
                if runs and runs[-1].get("single"):  # a method this slow is measured once
                    continue
                runs.append(_run_worker(method, data, out, env))
                if runs[-1]["wall"] > SLOW_S:
                    runs[-1]["single"] = True
                got = pd.read_parquet(out)
                if method == "yangao":
                    got.to_parquet(data / "truth.parquet")
                _verify(method, got, pd.read_parquet(data / "truth.parquet"))
        for method, runs in results.items():
            print(
                f"  {method:8s} verified; median {statistics.median(r['wall'] for r in runs):.1f} s, "
                f"peak {max(r['peak_mib'] for r in runs):,.0f} MiB",
                flush=True,
            )
    finally:
        if stop:
            stop()
    pairs = len(pd.read_parquet(data / "truth.parquet"))
    return {"n": n, "f": f, "placement": placement, "pairs": pairs, "results": results}


def _table(size: dict) -> str:
    res = size["results"]
    if "yangao" not in res:  # the peers alone (yangao_geo's pairs from an earlier run): no ratio to give
        return "\n".join(f"{m}: see the lines above" for m in res)
    ours = statistics.median(r["wall"] for r in res["yangao"])
    lines = [
        f"### {size['placement']}: N = {size['n']:,} blocks, F = {size['f']:,} farmland parcels "
        f"({size['pairs']:,} overlapping pairs)",
        "",
        "| method | median wall time (s) | peak memory (MiB) | time ÷ yangao_geo | each round's ÷: median (range) "
        "| note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for method, runs in res.items():
        wall = statistics.median(r["wall"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        note = (
            "1 run (> 5 min)"
            if len(runs) == 1 and runs[0].get("single")
            else f"{len(runs)} run{'s' if len(runs) > 1 else ''}"
        )
        if method == "postgis":
            note = (
                f"load {statistics.median(r['load'] for r in runs):.1f} s + query "
                f"{statistics.median(r['query'] for r in runs):.1f} s"
            )
        # the ratio within each round (the methods took turns): how often it holds, not only its median
        rounds = ""
        if method != "yangao" and len(runs) == len(res["yangao"]) > 1:
            each = [r["wall"] / y["wall"] for r, y in zip(runs, res["yangao"])]
            rounds = f"{statistics.median(each):.2f}× ({min(each):.2f}–{max(each):.2f})"
        lines.append(f"| {method} | {wall:.1f} | {peak:,.0f} | {wall / ours:.2f}× | {rounds} | {note} |")
    return "\n".join(lines)


def _plot(scaling, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, fixed, vary, label in (
        (axes[0], ("n", 200), "f", "farmland parcels F (N = 200 blocks)"),
        (axes[1], ("f", 200_000), "n", "blocks N (F = 200 000 parcels)"),
    ):
        pts = sorted(
            (s[vary], statistics.median(r["wall"] for r in s["results"]["yangao"]))
            for s in scaling
            if s[fixed[0]] == fixed[1]
        )
        xs, ys = zip(*pts)
        ax.plot(xs, ys, "o-", label="yangao-geo check (end to end)")
        ax.plot(xs, [ys[0] * x / xs[0] for x in xs], "--", color="grey", label="linear from the first point")
        ax.set_xlabel(label)
        ax.set_ylabel("median wall time (s)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("yangao_geo scaling (2 cores)")
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="200x50000,2000x50000,2000x200000,2000x500000")
    parser.add_argument("--placement", default="hills,anywhere", help="hills, anywhere or both (comma-separated)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--scaling", action="store_true", help="time yangao_geo for F = 50k…500k at N = 200")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    if args.worker:
        timings, pairs = WORKERS[args.worker](args.data, args.out)
        timings.setdefault("done_at", time.time())
        pairs.to_parquet(args.out)
        print(json.dumps(timings))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    methods = [m for m in args.methods.split(",") if m]
    if "yangao" in methods:
        methods = ["yangao", *[m for m in methods if m != "yangao"]]
    report = {"sizes": [], "scaling": []}
    if args.scaling:
        configs = [(200, f) for f in (50_000, 100_000, 200_000, 500_000)]
        configs += [(n, 200_000) for n in (500, 1_000, 2_000)]
        for n, f in configs:
            size = run_size(args.cache, n, f, ["yangao"], args.repeat)
            report["scaling"].append(size)
            wall = statistics.median(r["wall"] for r in size["results"]["yangao"])
            peak = max(r["peak_mib"] for r in size["results"]["yangao"])
            print(f"N={n} F={f}: {wall:.2f} s, {peak:.0f} MiB, {size['pairs']} pairs", flush=True)
        _plot(report["scaling"], HERE / "scaling.png")
    else:
        for placement in args.placement.split(","):
            for spec in args.sizes.split(","):
                n, f = (int(v) for v in spec.lower().split("x"))
                print(f"{placement}: N={n} F={f}")
                size = run_size(args.cache, n, f, methods, args.repeat, placement)
                report["sizes"].append(size)
                print(_table(size), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
