"""Constraint layers (and blocks) from PostGIS, findings back into it.

``constraints="postgresql://user@host:port/db?schema=public"`` reads the constraint layers from tables:
by default each canonical layer from the first table that exists among its names (the canonical name, then
the standard 国土空间规划 names — ``stbhhx``, ``yjjbntbhtb``, ``czkfbj``, ``dltb``, ``xzq`` …), or as a
config file's ``[postgis.tables]`` maps them. Only the rows whose boxes meet the blocks are fetched (``&&``
on the table's GiST index; the county boundary whole), streamed in chunks, in the table's own SRID, then
read under the same CRS rules as files; the table's whole extent is taken from PostGIS, so the coverage
check (D108) judges the table, not the rows fetched.

:func:`write_report` writes a report's blocks and findings into ``yangao_runs``, ``yangao_blocks`` and
``yangao_findings`` in one transaction, with a new run id and the run's provenance: a re-run appends, never
deletes; the view ``yangao_latest_blocks`` shows the latest run per block.

Passwords never appear in a message, a report or a log: the URL is shown without it (``postgresql://user@
host:5432/db``); the password may also come from ``PGPASSWORD`` or ``~/.pgpass`` as libpq reads them.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from ..errors import DataSourceError, InputError, OutputError
from ..i18n import t

__all__ = [
    "DEFAULT_TABLES",
    "is_postgis_url",
    "postgis_url",
    "read_constraints",
    "read_table",
    "safe_url",
    "write_report",
]

#: canonical layer -> table names tried in order (the canonical name first, then the standard ones)
DEFAULT_TABLES = {
    "mining_rights": ("mining_rights", "kyq", "kyqfw"),
    "eco_redline": ("eco_redline", "stbhhx"),
    "basic_farmland": ("basic_farmland", "yjjbntbhtb", "yjjbnt"),
    "town_boundary": ("town_boundary", "czkfbj"),
    "arable_land": ("arable_land", "dltb"),
    "county_boundary": ("county_boundary", "xzq"),
    "deposits": ("deposits", "kc"),
    "concentrated_areas": ("concentrated_areas", "jzkcq"),
}
_CHUNK = 5000


def is_postgis_url(value) -> bool:
    return isinstance(value, str) and value.lower().startswith(("postgresql://", "postgres://"))


def postgis_url(value) -> str | None:
    """The database URL of ``value``: a ``postgresql://`` URL, a SQLAlchemy engine, or a psycopg
    connection (its parameters; the check opens its own connections); None for anything else."""
    if is_postgis_url(value):
        return value
    url = getattr(value, "url", None)
    if (
        url is not None
        and hasattr(url, "render_as_string")
        and str(getattr(url, "drivername", "")).startswith("postgres")
    ):
        text = url.render_as_string(hide_password=False)
        return "postgresql://" + text.split("://", 1)[1]
    info = getattr(value, "info", None)
    if info is not None and all(hasattr(info, k) for k in ("host", "port", "dbname", "user", "password")):
        from urllib.parse import quote

        auth = ""
        if info.user:
            auth = quote(info.user) + (f":{quote(info.password)}" if info.password else "") + "@"
        return f"postgresql://{auth}{info.host}:{info.port}/{info.dbname}"
    return None


def safe_url(url: str) -> str:
    """``url`` without its password (and without its query): what messages and reports show."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _split(url: str) -> tuple[str, dict]:
    """The libpq URL (our own query keys removed) and those keys (``schema``, ``table``)."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ours = {k: query.pop(k) for k in ("schema", "table", *DEFAULT_TABLES) if k in query}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")), ours


def connect(url: str):
    """A psycopg connection; a clear error naming host and database (never the password) when it fails."""
    try:
        import psycopg
    except ImportError:
        raise DataSourceError(t("PostGIS needs psycopg: pip install 'yangao-geo[postgis]'")) from None
    dsn, _ = _split(url)
    try:
        return psycopg.connect(dsn, connect_timeout=10)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        password = urlsplit(url).password
        if password:
            reason = reason.replace(password, "***")
        raise DataSourceError(
            t("{url}: cannot connect to the database ({reason})", url=safe_url(url), reason=reason)
        ) from None


def _geometry_column(conn, schema: str, table: str, url: str):
    row = conn.execute(
        "SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s",
        (schema, table),
    ).fetchone()
    if row is None:
        raise DataSourceError(
            t(
                "{url}: no table {table} with a geometry column in schema {schema}",
                url=safe_url(url),
                table=table,
                schema=schema,
            )
        )
    return row


def _primary_key(conn, schema: str, table: str) -> list:
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey, a.attnum)",
        (schema, table),
    ).fetchall()
    return [r[0] for r in rows]


def _tables(conn, schema: str) -> set:
    rows = conn.execute("SELECT f_table_name FROM geometry_columns WHERE f_table_schema = %s", (schema,))
    return {r[0] for r in rows}


def read_table(conn, url: str, schema: str, table: str, *, near=None):
    """A table as a GeoDataFrame in its own SRID: the rows whose boxes meet ``near`` (EPSG:4547), or all.

    The GeoDataFrame carries its provenance (``attrs["yangao_source"]``) and the table's whole extent
    (``attrs["yangao_extent"]``).
    """
    import geopandas as gpd
    import pandas as pd
    import shapely
    from psycopg import sql

    from .vector import SourceInfo

    column, srid = _geometry_column(conn, schema, table, url)
    ident = sql.Identifier(schema, table)
    geom = sql.Identifier(column)
    attributes = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position",
            (schema, table),
        )
        if r[0] != column
    ]
    fields = sql.SQL(", ").join([*(sql.Identifier(c) for c in attributes), sql.SQL("ST_AsBinary({g})").format(g=geom)])
    query = sql.SQL("SELECT {f} FROM {t}").format(f=fields, t=ident)
    params: list = []
    if near is not None and not near.is_empty:
        # per group of blocks (their envelopes, merged where they meet): the index (&&), then the exact area
        parts = list(shapely.get_parts(near))
        test = sql.SQL(" OR ").join(
            sql.SQL(
                "({g} && ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4547), %s) AND "
                "ST_Intersects({g}, ST_Transform(ST_GeomFromWKB(%s, 4547), %s)))"
            ).format(g=geom)
            for _ in parts
        )
        query += sql.SQL(" WHERE ") + test
        for part in parts:
            params += [*part.bounds, int(srid), shapely.to_wkb(part), int(srid)]
    key = _primary_key(conn, schema, table)
    if key:  # the table's own order (as a file's feature order): findings come out in a stable order
        query += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(sql.Identifier(k) for k in key)
    rows = []
    with conn.cursor(name=f"yangao_{table}") as cursor:  # a server-side cursor: fetched in chunks
        cursor.itersize = _CHUNK
        cursor.execute(query, params)
        rows.extend(cursor)
    frame = pd.DataFrame(rows, columns=[*attributes, "yangao_wkb"])
    wkb = frame.pop("yangao_wkb")
    geoms = shapely.from_wkb([bytes(b) if b is not None else None for b in wkb]) if len(wkb) else []
    gdf = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=f"EPSG:{srid}" if srid else None)
    box = conn.execute(
        sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({g}) AS e FROM {t}) x"
        ).format(g=geom, t=ident)
    ).fetchone()
    if box is not None and box[0] is not None and srid:
        gdf.attrs["yangao_extent"] = (tuple(float(v) for v in box), f"EPSG:{srid}")
    if len(key) == 1:  # a table has no row numbers: its key names a feature when no id column does
        gdf.attrs["yangao_key"] = key[0]
    total = conn.execute(sql.SQL("SELECT count(*) FROM {t}").format(t=ident)).fetchone()[0]
    info = SourceInfo(path=f"{safe_url(url)}#{schema}.{table}", layer=table, features=len(gdf), role=table)
    info.notes.append(
        t(
            "PostGIS table {table}: {n} of {total} rows fetched (those near the blocks)",
            table=f"{schema}.{table}",
            n=len(gdf),
            total=total,
        )
    )
    gdf.attrs["yangao_source"] = info
    return gdf


def read_constraints(url: str, *, near=None, tables: dict | None = None, whole=("county_boundary",)) -> dict:
    """``{layer: GeoDataFrame}`` of the constraint layers found in the database (see the module)."""
    _, ours = _split(url)
    schema = ours.get("schema", "public")
    tables = {**{k: v for k, v in ours.items() if k in DEFAULT_TABLES}, **(tables or {})}
    chosen = {
        name: ((tables or {}).get(name),) if (tables or {}).get(name) else names
        for name, names in DEFAULT_TABLES.items()
    }
    with connect(url) as conn:
        present = _tables(conn, schema)
        out = {}
        for name, names in chosen.items():
            table = next((n for n in names if n in present), None)
            if table is None:
                if (tables or {}).get(name):
                    raise DataSourceError(
                        t(
                            "{url}: no table {table} with a geometry column in schema {schema}",
                            url=safe_url(url),
                            table=names[0],
                            schema=schema,
                        )
                    )
                continue
            out[name] = read_table(conn, url, schema, table, near=None if name in whole else near)
    return out


def read_blocks_table(url: str):
    """The blocks from the table named by the URL's ``table=`` (all rows, in the table's SRID)."""
    _, ours = _split(url)
    if "table" not in ours:
        raise InputError(t("{url}: name the blocks table: add ?table=NAME to the URL", url=safe_url(url)))
    with connect(url) as conn:
        gdf = read_table(conn, url, ours.get("schema", "public"), ours["table"])
    gdf.attrs["yangao_source"].role = "blocks"
    return gdf


def write_report(report, url: str, *, schema: str | None = None, crs: int = 4490) -> int:
    """Append ``report`` to the database as a new run; returns the run id (one transaction)."""
    import shapely
    from psycopg import sql

    _, ours = _split(url)
    schema = schema or ours.get("schema", "public")
    if not isinstance(crs, int) or crs <= 0:
        raise InputError(t("the findings CRS must be an EPSG code, got {crs}", crs=repr(crs)))
    blocks = report.blocks.to_crs(crs)
    findings = report.findings
    findings = findings.to_crs(crs) if len(findings) else findings
    s = sql.Identifier(schema)
    with connect(url) as conn:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {s}").format(s=s))
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {s}.yangao_runs (run_id bigserial PRIMARY KEY, "
                        "created_at timestamptz NOT NULL DEFAULT now(), tool jsonb, settings jsonb, inputs jsonb)"
                    ).format(s=s)
                )
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {s}.yangao_blocks (run_id bigint REFERENCES {s}.yangao_runs, "
                        "block_id text, name text, kind text, mineral text, area_m2 double precision, "
                        "area_km2 double precision, status text, geom geometry(Geometry, {srid}))"
                    ).format(s=s, srid=sql.Literal(crs))
                )
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {s}.yangao_findings (run_id bigint REFERENCES {s}.yangao_runs, "
                        "block_id text, rule_id text, rule_name text, severity text, layer text, feature_id text, "
                        "overlap_m2 double precision, overlap_ratio double precision, message text, citation text, "
                        "geom geometry(Geometry, {srid}))"
                    ).format(s=s, srid=sql.Literal(crs))
                )
                doc = report.to_dict(findings=False)
                run_id = conn.execute(
                    sql.SQL(
                        "INSERT INTO {s}.yangao_runs (tool, settings, inputs) VALUES (%s, %s, %s) RETURNING run_id"
                    ).format(s=s),
                    (
                        json.dumps(doc["tool"], ensure_ascii=False, default=str),
                        json.dumps(doc["settings"], ensure_ascii=False, default=str),
                        json.dumps(doc["inputs"], ensure_ascii=False, default=str),
                    ),
                ).fetchone()[0]
                with conn.cursor() as cur:
                    cur.executemany(
                        sql.SQL(
                            "INSERT INTO {s}.yangao_blocks VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
                            "ST_SetSRID(ST_GeomFromWKB(%s), {srid}))"
                        ).format(s=s, srid=sql.Literal(crs)),
                        [
                            (
                                run_id,
                                str(r.block_id),
                                _text(r.name),
                                r.kind,
                                _text(r.mineral),
                                float(r.area_m2),
                                round(float(r.area_m2) / 1e6, 4),
                                r.status,
                                None if r.geometry is None else shapely.to_wkb(r.geometry),
                            )
                            for r in blocks.itertuples()
                        ],
                    )
                    cur.executemany(
                        sql.SQL(
                            "INSERT INTO {s}.yangao_findings VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                            "ST_SetSRID(ST_GeomFromWKB(%s), {srid}))"
                        ).format(s=s, srid=sql.Literal(crs)),
                        [
                            (
                                run_id,
                                _text(f.block_id),
                                f.rule_id,
                                f.rule_name,
                                f.severity,
                                _text(f.layer),
                                _text(f.feature_id),
                                _num(f.overlap_m2),
                                _num(f.overlap_ratio),
                                str(f.message),
                                str(f.citation),
                                None if f.geometry is None else shapely.to_wkb(f.geometry),
                            )
                            for f in findings.itertuples()
                        ],
                    )
                conn.execute(
                    sql.SQL(
                        "CREATE OR REPLACE VIEW {s}.yangao_latest_blocks AS SELECT DISTINCT ON (block_id) * "
                        "FROM {s}.yangao_blocks ORDER BY block_id, run_id DESC"
                    ).format(s=s)
                )
        except Exception as exc:  # psycopg errors: one clear line, the password never shown
            if isinstance(exc, (DataSourceError, InputError)):
                raise
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OutputError(
                t(
                    "{url}: the findings could not be written ({reason}); nothing was written",
                    url=safe_url(url),
                    reason=reason,
                )
            ) from None
    return int(run_id)


def _text(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def _num(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)
