"""A throwaway PostgreSQL 15 + PostGIS 3 cluster on 127.0.0.1, and GeoDataFrames uploaded into it.

Used by ``tests/test_postgis.py`` and ``benchmarks/postgis.py``. The cluster runs as the postgres user when
the caller is root (PostgreSQL refuses root), in a temporary folder, and is stopped and removed whatever
happens.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import shapely

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "s3cret-Pw"


def available() -> bool:
    return (PG_BIN / "initdb").exists()


def _as_postgres(args, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, args)], check=True, capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def cluster():
    """Start a cluster with a database ``yangao`` (PostGIS enabled); yield ``(url, port)``; stop it."""
    import psycopg

    root = Path(tempfile.mkdtemp(prefix="yangao-pg-", dir="/tmp"))
    root.chmod(0o755)
    data, sockets = root / "data", root / "sock"
    for d in (data, sockets):
        d.mkdir()
        if os.geteuid() == 0:
            shutil.chown(d, "postgres", "postgres")
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD)
    pwfile.chmod(0o644)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        _as_postgres(
            [
                PG_BIN / "initdb",
                "-D",
                data,
                "-U",
                "yangao",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
            ]
        )
        options = f"-p {port} -k {sockets} -h 127.0.0.1"
        _as_postgres([PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", sockets / "log", "-w", "start"])
        with psycopg.connect(f"postgresql://yangao:{PASSWORD}@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE yangao")
        url = f"postgresql://yangao:{PASSWORD}@127.0.0.1:{port}/yangao"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url, port
    finally:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def upload(conn, gdf, table):
    """A GeoDataFrame as a table with a GiST index (numbers as numbers, the rest as text), in its own SRID."""
    srid = gdf.crs.to_epsg()
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    kinds = {c: gdf[c].dtype.kind for c in columns}
    types = {c: "double precision" if kinds[c] == "f" else "bigint" if kinds[c] == "i" else "text" for c in columns}
    ddl = "".join(f'"{c}" {types[c]}, ' for c in columns)
    conn.execute(f'CREATE TABLE "{table}" (gid serial PRIMARY KEY, {ddl}geom geometry(Geometry, {srid}))')
    names = "".join(f'"{c}", ' for c in columns)
    marks = "%s, " * len(columns)

    def value(c, v):
        if v is None or v != v:
            return None
        return str(v) if types[c] == "text" else v

    rows = [
        (*[value(c, v) for c, v in zip(columns, row[:-1])], shapely.to_wkb(row[-1]))
        for row in gdf[[*columns, gdf.geometry.name]].itertuples(index=False)
    ]
    with conn.cursor() as cur:
        cur.executemany(
            f'INSERT INTO "{table}" ({names}geom) VALUES ({marks}ST_SetSRID(ST_GeomFromWKB(%s), {srid}))', rows
        )
    conn.execute(f'CREATE INDEX ON "{table}" USING gist (geom)')
