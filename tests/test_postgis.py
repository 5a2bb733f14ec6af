"""PostGIS: constraint layers from a real database give the file path's findings; findings go back into it.

A throwaway PostgreSQL 15 + PostGIS 3 cluster is started on 127.0.0.1 (Debian's postgresql-15-postgis-3,
which CI installs), as the postgres user when the tests run as root, and stopped whatever happens.
"""

import os
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

import pg_cluster
import yangao_geo
from pg_cluster import PASSWORD
from test_cli import cli
from yangao_geo.layers import bundled_constraint_paths

#: bundled layer -> table name in the test database (standard names for three of them)
TABLES = {"eco_redline": "stbhhx", "basic_farmland": "yjjbntbhtb", "town_boundary": "czkfbj"}


@pytest.fixture(scope="module")
def database():
    if not pg_cluster.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15 with PostGIS is not installed (.ci/run installs postgresql-15-postgis-3)")
        pytest.skip("PostgreSQL 15 (postgresql-15-postgis-3) is not installed")
    import psycopg

    with pg_cluster.cluster() as (url, port):
        with psycopg.connect(url, autocommit=True) as conn:
            for path in bundled_constraint_paths():
                for name, _ in pyogrio.list_layers(path):
                    pg_cluster.upload(conn, gpd.read_file(path, layer=name), TABLES.get(name, name))
            blocks = gpd.read_file(Path(yangao_geo.__file__).parent / "data" / "boundaries" / "plan_blocks.gpkg")
            pg_cluster.upload(conn, blocks, "proposed_blocks")
        yield {"url": url, "port": port}


def _key(report):
    f = report.findings
    return sorted(
        zip(f.block_id.astype(str), f.rule_id, f.feature_id.astype(str), f.overlap_m2.round(2).astype(str), f.severity)
    )


def test_the_database_path_gives_exactly_the_findings_of_the_file_path(database):
    from_files = yangao_geo.check()
    from_db = yangao_geo.check(constraints=database["url"])
    assert _key(from_db) == _key(from_files)
    sources = {i.role: i.path for i in from_db.inputs}
    assert sources["eco_redline"].endswith("#public.stbhhx") and PASSWORD not in str(from_db.to_dict())
    notes = " ".join(n for i in from_db.inputs for n in i.notes)
    assert "rows fetched (those near the blocks)" in notes


def test_blocks_from_a_table_and_findings_back_into_the_database(database):
    import psycopg

    url = database["url"]
    report = yangao_geo.check(f"{url}?table=proposed_blocks", url)
    assert _key(report) == _key(yangao_geo.check())
    first = report.to_postgis(url)
    second = report.to_postgis(url)  # a re-run appends a new run
    assert second == first + 1
    with psycopg.connect(url) as conn:
        n_blocks = conn.execute("SELECT count(*) FROM yangao_blocks WHERE run_id = %s", (second,)).fetchone()[0]
        n_findings = conn.execute("SELECT count(*) FROM yangao_findings WHERE run_id = %s", (second,)).fetchone()[0]
        runs = conn.execute("SELECT count(DISTINCT run_id) FROM yangao_blocks").fetchone()[0]
        latest = conn.execute("SELECT count(*), min(run_id) FROM yangao_latest_blocks").fetchone()
        srid = conn.execute("SELECT DISTINCT ST_SRID(geom) FROM yangao_blocks").fetchall()
        area = conn.execute(
            "SELECT ST_Area(geom::geography) FROM yangao_blocks WHERE run_id = %s AND block_id = 'KC01'", (second,)
        ).fetchone()[0]
    assert n_blocks == len(report.blocks) and n_findings == report.n_findings and runs == 2
    assert latest == (len(report.blocks), second) and srid == [(4490,)]
    kc01 = report.blocks.set_index("block_id").area_m2["KC01"]
    assert abs(area - kc01) / kc01 < 1e-4  # the geometry landed where it belongs


def test_the_command_line_reads_and_writes_the_database(database, capsys):
    url = database["url"]
    code, out = cli("check", "-c", url, "--findings-db", url, "--lang", "en", capsys=capsys)
    assert code == 1 and "findings appended to" in out.out and PASSWORD not in out.out + out.err


def test_database_errors_are_one_clear_line_without_the_password(database, capsys):
    port = database["port"]
    wrong_port = f"postgresql://yangao:{PASSWORD}@127.0.0.1:{port + 1}/yangao"
    code, out = cli("check", "-c", wrong_port, "--lang", "en", capsys=capsys)
    assert code == 2 and "127.0.0.1" in out.err and "yangao" in out.err and "cannot connect" in out.err
    assert PASSWORD not in out.err and "Traceback" not in out.err
    bad_password = f"postgresql://yangao:wrong-{PASSWORD}@127.0.0.1:{port}/yangao"
    code, out = cli("check", "-c", bad_password, "--lang", "en", capsys=capsys)
    assert code == 2 and "cannot connect" in out.err and PASSWORD not in out.err
    code, out = cli("check", f"{database['url']}?table=no_such_table", "--lang", "en", capsys=capsys)
    assert code == 2 and "no_such_table" in out.err and PASSWORD not in out.err
    code, out = cli("check", "-c", f"{database['url']}?eco_redline=missing_redline", "--lang", "en", capsys=capsys)
    assert code == 2 and "missing_redline" in out.err
    code, out = cli("check", database["url"], "--lang", "en", capsys=capsys)  # blocks, but which table?
    assert code == 2 and "name the blocks table: add ?table=NAME" in out.err and PASSWORD not in out.err
    code, out = cli("check", "a.gpkg", "b.gpkg", "--findings-db", database["url"], "--lang", "en", capsys=capsys)
    assert code == 2 and "--findings-db takes the report of one input" in out.err


def test_a_psycopg_connection_and_a_config_table_mapping_are_accepted(database, tmp_path):
    import psycopg

    url = database["url"]
    with psycopg.connect(url) as conn:
        by_connection = yangao_geo.check(constraints=conn)
        conn.execute("CREATE TABLE redline_2024 AS SELECT * FROM stbhhx")
        conn.execute("CREATE INDEX ON redline_2024 USING gist (geom)")
        conn.commit()
    assert _key(by_connection) == _key(yangao_geo.check())
    config = tmp_path / "settings.toml"
    config.write_text('[postgis.tables]\neco_redline = "redline_2024"\n', encoding="utf-8")
    renamed = yangao_geo.check(constraints=url, config=str(config))
    assert _key(renamed) == _key(yangao_geo.check())
    assert any(i.path.endswith("#public.redline_2024") for i in renamed.inputs)
    with pytest.raises(yangao_geo.InputError, match=r"\[postgis.tables\] unknown layer"):
        yangao_geo.check(constraints=url, config={"postgis": {"tables": {"redlines": "x"}}})


def test_a_table_without_id_columns_is_named_by_its_primary_key(database, tmp_path):
    import psycopg

    with psycopg.connect(database["url"], autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE farm_map AS SELECT (row_number() OVER (ORDER BY md5(feature_id)))::int + 7000 AS pk, "
            "feature_id, geom FROM yjjbntbhtb"
        )
        conn.execute("CREATE TABLE farm_noid AS SELECT pk, geom FROM farm_map")
        conn.execute("ALTER TABLE farm_noid ADD PRIMARY KEY (pk)")
        conn.execute("CREATE INDEX ON farm_noid USING gist (geom)")
        feature_of = dict(conn.execute("SELECT pk::text, feature_id FROM farm_map").fetchall())
    from test_fast_paths import _widened_blocks

    blocks = _widened_blocks()  # crosses hundreds of farmland parcels
    config = {"postgis": {"tables": {"basic_farmland": "farm_noid"}}}
    report = yangao_geo.check(blocks, constraints=database["url"], config=config)
    source = next(i for i in report.inputs if i.role == "basic_farmland")
    assert any("rows fetched (those near the blocks)" in n for n in source.notes)  # fetched in part
    farmland = report.findings[report.findings.layer == "basic_farmland"]
    assert len(farmland) and farmland.feature_id.isin(feature_of).all()  # the key, not a row among those fetched
    named = sorted(zip(farmland.block_id, farmland.rule_id, farmland.feature_id.map(feature_of)))
    files = yangao_geo.check(blocks).findings
    files = files[files.layer == "basic_farmland"]
    assert named == sorted(zip(files.block_id, files.rule_id, files.feature_id))
