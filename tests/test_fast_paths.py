"""The shortcuts that make large checks fast give the same answers as the slow exact path."""

import io
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import yangao_geo
from yangao_geo.area import ellipsoidal_area, geodesic_area, scale_factor_area
from yangao_geo.geometry import polygonal
from yangao_geo.layers import bundled_blocks_path, bundled_constraint_paths, load_constraints


@pytest.fixture(scope="module")
def bundled():
    return load_constraints()


def test_scale_factor_area_matches_the_tdt_path_on_every_bundled_feature(bundled):
    for name, layer in bundled.layers.items():
        geoms = layer.gdf.geometry.values
        fast, exact = scale_factor_area(geoms), ellipsoidal_area(geoms, 4547)
        assert np.all(np.abs(fast - exact) <= 2e-8 * exact + 1e-6), name


def test_scale_factor_area_far_from_the_central_meridian_and_with_holes():
    # 100 km east of CM 114°E, a 5 km square with a hole
    outer = shapely.box(600_000, 4_450_000, 605_000, 4_455_000)
    poly = outer.difference(shapely.box(601_000, 4_451_000, 602_000, 4_452_000))
    fast, exact = scale_factor_area([poly])[0], ellipsoidal_area([poly], 4547)[0]
    assert fast == pytest.approx(exact, rel=2e-8)
    assert exact == pytest.approx(geodesic_area([poly], 4547)[0], rel=1e-8)
    assert shapely.area(poly) != pytest.approx(exact, rel=1e-5)  # the plane alone is 1e-4 off here


def test_scale_factor_area_is_the_polygons_wherever_its_rings_start_and_whatever_is_measured_with_it():
    # an overlay returns a polygon lying inside another with its rings started elsewhere: the same area
    rng = np.random.default_rng(5)
    poly = (
        shapely.Point(520_000, 4_450_000)
        .buffer(2_500, quad_segs=100)
        .difference(shapely.Point(521_000, 4_450_500).buffer(300))
    )
    shell = np.asarray(poly.exterior.coords)[:-1]
    hole = np.asarray(poly.interiors[0].coords)[:-1]
    alone = scale_factor_area([poly])[0]
    others = shapely.buffer(shapely.points(rng.uniform(400_000, 600_000, (3000, 2))), 900.0)
    for k in rng.integers(1, len(shell), 20):
        turned = np.roll(shell, -k, axis=0)[:: (-1) ** int(k)]
        again = shapely.Polygon(np.vstack([turned, turned[:1]]), [np.vstack([hole, hole[:1]])])
        batch = np.concatenate([others[:k], [again], others[k:]])
        assert abs(scale_factor_area(batch)[k] - alone) < 1e-6  # m², of 19 km²


def test_engine_overlaps_equal_the_naive_exact_computation(bundled):
    """Every block × farmland parcel intersected in full and measured with TD/T 1055: same pairs, same areas
    (the bundled blocks widened by 800 m so that they cross hundreds of parcels, some wholly inside)."""
    wide = yangao_geo.check(_widened_blocks(), rules=["O203"])
    engine = {(r.block_id, r.feature_id): r.overlap_m2 for r in wide.findings.itertuples()}
    naive = _naive_for(wide.blocks, bundled.get("basic_farmland"))
    assert engine.keys() == naive.keys() and len(engine) > 100
    for key, area in naive.items():
        assert engine[key] == pytest.approx(area, rel=1e-6, abs=1e-4)


def _widened_blocks():
    gdf = gpd.read_file(bundled_blocks_path())
    gdf["geometry"] = gdf.to_crs(4547).geometry.buffer(800).to_crs(4490)
    return gdf


def _naive_for(blocks, parcels):
    out = {}
    for b in blocks.itertuples():
        hits = np.flatnonzero(shapely.intersects(b.geometry, parcels.geometry.values))
        pieces = polygonal(shapely.intersection(b.geometry, parcels.geometry.values[hits]))
        for f, a in zip(hits, ellipsoidal_area(pieces, 4547)):
            if a > 1e-4:
                out[(b.block_id, parcels.feature_id.iloc[f])] = a
    return out


def test_reading_only_features_near_the_blocks_changes_nothing(default_report):
    boundaries, redlines = bundled_constraint_paths()
    full = {}
    for path in (boundaries, redlines):
        import pyogrio

        for name in pyogrio.list_layers(path)[:, 0]:
            full[name] = gpd.read_file(path, layer=name)  # GeoDataFrames: no spatial filter possible
    everything = yangao_geo.check(bundled_blocks_path(), {k: v for k, v in full.items() if k != "key_exploration_area"})
    assert everything.to_dict()["findings"] == default_report.to_dict()["findings"]
    farmland = next(i for i in default_report.inputs if i.role == "basic_farmland")
    assert any("features (those near the blocks)" in n for n in farmland.notes)


def test_a_file_whose_crs_is_contradicted_is_read_whole(tmp_path):
    parcels = gpd.read_file(bundled_constraint_paths()[1], layer="basic_farmland").to_crs(4526)
    wrong = tmp_path / "farmland.gpkg"
    parcels.set_crs(4547, allow_override=True).to_file(wrong, layer="basic_farmland")  # says 4547, is 4526
    from conftest import empty_layer

    blocks = _widened_blocks()
    report = yangao_geo.check(
        blocks,
        {
            "basic_farmland": wrong,
            "eco_redline": empty_layer(),
            "town_boundary": empty_layer(),
            "mining_rights": empty_layer(),
        },
        rules=["O203", "D103"],
    )
    reference = yangao_geo.check(
        blocks,
        {
            "basic_farmland": parcels,
            "eco_redline": empty_layer(),
            "town_boundary": empty_layer(),
            "mining_rights": empty_layer(),
        },
        rules=["O203"],
    )
    got = report.findings[report.findings.rule_id == "O203"]
    assert len(got) == len(reference.findings) > 0
    assert not report.findings[report.findings.rule_id == "D103"].empty


def test_without_geometry_the_findings_are_the_same_numbers(monkeypatch):
    """keep_geometry=False (JSON/CSV runs) measures pieces chunk by chunk and drops them: same findings."""
    import yangao_geo.overlap as overlap

    monkeypatch.setattr(overlap, "_PAIR_CHUNK", 7)  # many chunks
    blocks = _widened_blocks()
    full = yangao_geo.check(blocks)
    lean = yangao_geo.check(blocks, keep_geometry=False)
    assert lean.to_dict()["findings"] == full.to_dict()["findings"]
    assert lean.findings.geometry.isna().all() and full.findings.geometry.notna().any()


def test_reports_write_json_summary_and_counts_without_building_the_findings_table(tmp_path):
    from yangao_geo.findings import FindingColumns

    blocks = _widened_blocks()
    from yangao_geo.reports.csv_table import write_csv as _write_csv

    lazy = yangao_geo.check(blocks, keep_geometry=False)
    text, summary, counts, code = lazy.to_json(), lazy.summary(), lazy.counts(), lazy.exit_code("warn")
    _write_csv(lazy, tmp_path / "columns.csv", chunk=50)  # three chunks, one header
    assert isinstance(lazy._findings, FindingColumns)  # still columns: nothing built
    built = yangao_geo.check(blocks, keep_geometry=False)
    table = built.findings  # the GeoDataFrame, built
    assert len(table) == lazy.n_findings > 100
    assert not isinstance(built._findings, FindingColumns)
    doc, again = json.loads(text), json.loads(built.to_json())  # from the columns, from the table
    assert doc["findings"] == again["findings"] and doc["blocks"] == again["blocks"]
    pd.testing.assert_frame_equal(built.summary(), summary)
    built.to_file(tmp_path / "table.csv")
    assert (tmp_path / "columns.csv").read_bytes() == (tmp_path / "table.csv").read_bytes()
    assert (built.counts(), built.exit_code("warn")) == (counts, code)
    assert [f["message"] for f in doc["findings"]] == table.message.tolist()


def test_distance_between_clipped_geometries_is_the_full_distance():
    from yangao_geo.geometry import distance_between

    rng = np.random.default_rng(11)
    for _ in range(200):
        cx, cy = rng.uniform(-5_000, 5_000, 2)
        a = shapely.buffer(shapely.Point(cx, cy), rng.uniform(100, 2_000), quad_segs=rng.integers(2, 64))
        if rng.uniform() < 0.3:
            a = a.difference(shapely.buffer(shapely.Point(cx, cy), 50))  # a hole
        b = shapely.box(0, 0, 3_000, 3_000).segmentize(25.0)
        if rng.uniform() < 0.3:  # an L-shaped, concave target
            b = b.difference(shapely.box(1_500, 1_500, 3_100, 3_100))
        assert distance_between(a, b) == pytest.approx(shapely.distance(a, b), abs=1e-9)


def test_distances_to_in_one_pass_are_the_full_distances_bit_for_bit_with_one_at_a_time():
    """D108's distances, all of a thread's share in one pass: GEOS's own distance (to 1e-9 m), and exactly the
    values of one geometry at a time, whatever is in the batch (missing, empty, touching, inside, lines)."""
    from yangao_geo.geometry import _distances_clipped, distance_between, distances_to

    rng = np.random.default_rng(12)
    target = shapely.box(0, 0, 3_000, 3_000).segmentize(25.0).difference(shapely.box(1_500, 1_500, 3_100, 3_100))
    geoms = []
    for _ in range(400):
        cx, cy = rng.uniform(-6_000, 6_000, 2)
        a = shapely.buffer(shapely.Point(cx, cy), rng.uniform(5, 2_000), quad_segs=int(rng.integers(2, 48)))
        geoms.append(a if rng.uniform() > 0.2 else a.difference(shapely.buffer(shapely.Point(cx, cy), 2)))
    geoms += [None, shapely.Polygon(), shapely.box(3_000, 0, 3_100, 100), shapely.box(10, 10, 20, 20)]
    geoms += [shapely.Point(5_000, 5_000), shapely.LineString([(-50, -50), (-10, -900)])]
    geoms += [shapely.MultiPolygon([shapely.box(-900, 0, -800, 100), shapely.box(4_000, 0, 4_100, 100)])]
    geoms = np.array(geoms, dtype=object)
    got = distances_to(geoms, target)
    full = shapely.distance(geoms, target)
    assert np.array_equal(np.isnan(got), np.isnan(full)) and np.isnan(got).sum() == 2
    assert np.nanmax(np.abs(got - full)) <= 1e-9
    assert (got[-5:-3] == 0.0).all()  # touching, inside
    one_by_one = np.array([distance_between(g, target) for g in geoms])
    assert np.array_equal(got, one_by_one, equal_nan=True)
    halves = np.concatenate([_distances_clipped(geoms[:7], target), _distances_clipped(geoms[7:], target)])
    assert np.array_equal(got, halves, equal_nan=True)
    for nothing in (None, shapely.Polygon()):
        assert np.isnan(distances_to(geoms[:3], nothing)).all()
    assert len(distances_to(np.array([], dtype=object), target)) == 0


def test_corner_points_on_the_grid_counted_in_one_pass_as_one_block_at_a_time():
    from yangao_geo.rules.delineation import corners_on_grid, on_grid

    def corner_points(geom):  # one block at a time, as B305 counted them before
        rings = shapely.get_rings(shapely.get_parts(geom))
        return np.concatenate([shapely.get_coordinates(r)[:-1] for r in rings]) if len(rings) else np.empty((0, 2))

    minute = 1 / 60
    rng = np.random.default_rng(4)
    geoms = [None, shapely.Polygon()]
    for _ in range(200):
        x, y = 113.5 + rng.integers(0, 60) * minute, 40.0 + rng.integers(0, 30) * minute
        w, h = rng.integers(1, 4) * minute / rng.choice([1, 2]), rng.integers(1, 4) * minute / rng.choice([1, 2, 3])
        g = shapely.box(x, y, x + w, y + h)
        if rng.uniform() < 0.3:
            g = g.difference(shapely.box(x + w / 4, y + h / 4, x + w / 2, y + h / 2))  # a hole
        if rng.uniform() < 0.2:
            g = shapely.MultiPolygon([g, shapely.box(x + 1, y, x + 1 + minute, y + minute + 1e-7)])
        geoms.append(g)
    geoms = np.array(geoms, dtype=object)
    corners, on_minute, on_half = corners_on_grid(geoms, 0.001)
    for g, n, m, h in zip(geoms, corners, on_minute, on_half):
        c = corner_points(g)
        assert (n, m, h) == (len(c), on_grid(c, 60.0, 0.001).sum(), on_grid(c, 30.0, 0.001).sum())
    assert 0 < on_minute.sum() < on_half.sum() < corners.sum()
    assert [len(c) for c in corners_on_grid(np.array([], dtype=object), 0.001)] == [0, 0, 0]


def test_overlap_messages_built_column_wise_read_as_the_number_formats_say():
    """The message template is filled with the numbers' formats put in once: the text of area_text/percent."""
    from yangao_geo.rules.messages import area_text, percent

    report = yangao_geo.check(_widened_blocks(), rules=["O202", "O203"], keep_geometry=False)
    rows = report.findings[report.findings.rule_id.isin(["O202", "O203"])]
    assert len(rows) > 100
    areas = dict(zip(report.blocks.block_id, report.blocks.area_m2))
    for r in rows.itertuples():
        expected = (
            f" {r.feature_id} by {area_text(r.overlap_m2)}, {percent(r.overlap_m2 / areas[r.block_id])} of the block"
        )
        assert r.message.startswith("overlaps ") and expected in r.message, (r.message, expected)


def test_the_csv_written_by_arrow_holds_the_table_cells(tmp_path):
    """write_csv (Arrow, column-wise) against findings_csv_table (pandas): same texts, same numbers."""
    import io

    from yangao_geo.reports.csv_table import findings_csv_table, write_csv

    blocks = _widened_blocks()
    blocks.loc[0, "name"] = "=HYPERLINK(1)"  # user text guarded in both
    report = yangao_geo.check(blocks, keep_geometry=False)
    write_csv(report, tmp_path / "f.csv", chunk=97)  # many chunks
    raw = (tmp_path / "f.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(tmp_path / "f.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    want = pd.read_csv(io.StringIO(findings_csv_table(report).to_csv(index=False)), dtype=str, keep_default_na=False)
    assert list(got.columns) == list(want.columns) and len(got) == len(want) > 100
    for column in want.columns:
        if column in ("overlap_m2", "overlap_km2", "overlap_ratio"):
            a, b = pd.to_numeric(want[column]), pd.to_numeric(got[column])
            assert ((a == b) | (a.isna() & b.isna())).all(), column
        else:
            assert (want[column] == got[column]).all(), column
    assert got["block_name"].str.startswith("'=HYPERLINK").any()
    # Report.to_csv() without a path gives the file's text (without its BOM), not another serialisation
    assert report.to_csv() == raw.decode("utf-8-sig")


_HOSTILE_TEXT = [
    'quote " and backslash \\ and slash /',
    "line\nbreak\r\ttab",
    "\x00\x01\x1f control, \x7f DEL, \u2028 line separator",
    "阳高县 采矿权 KC03-旧",
    "=HYPERLINK(1)",
    "",
    "🙂 astral",
]


def test_json_findings_written_by_arrow_equal_the_report_dict_on_hostile_text():
    """The JSON writer's findings (Arrow string kernels) are what ``report_dict`` builds in Python, value for
    value: every escape, missing values, rounding, non-finite numbers, ids that are numbers."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from yangao_geo.findings import FINDING_FIELDS, FindingColumns, FindingStore
    from yangao_geo.report import Report
    from yangao_geo.reports.json_document import report_dict, write_json

    texts = st.one_of(st.none(), st.sampled_from(_HOSTILE_TEXT), st.text(max_size=12))
    numbers = st.one_of(
        st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1e9), st.sampled_from([100.0, -0.0])
    )
    finding = st.tuples(st.integers(-1, 4), texts, texts, texts, numbers, numbers, texts)

    @settings(max_examples=60, deadline=None)
    @given(st.lists(finding, min_size=1, max_size=40), st.integers(1, 7))
    def check(rows, chunk):
        store = FindingStore(keep_geometry=False)
        half = len(rows) // 2
        for pos, layer, fid, msg, m2, ratio, cite in rows[:half]:  # one at a time, then as one chunk
            store.add_row(
                dict(
                    block_pos=pos,
                    rule_id="O203",
                    rule_name="n",
                    severity="fail",
                    layer=layer,
                    feature_id=fid,
                    overlap_m2=m2,
                    overlap_ratio=ratio,
                    message=msg,
                    citation=cite,
                )
            )
        if rows[half:]:
            cols = list(zip(*rows[half:]))
            store.add_chunk(
                dict(
                    block_pos=np.array(cols[0]),
                    rule_id="B301",
                    rule_name="n",
                    severity="warn",
                    layer=list(cols[1]),
                    feature_id=list(cols[2]),
                    overlap_m2=list(cols[4]),
                    overlap_ratio=list(cols[5]),
                    message=list(cols[3]),
                    citation=list(cols[6]),
                )
            )
        found = {f: store.column(f) for f in FINDING_FIELDS}
        order = np.arange(len(rows))[::-1]
        block_fields = {
            "block_id": np.array(["K1", 1, True, 1.0, '"q"\n'], dtype=object),  # 1, True, 1.0: three texts
            **{k: np.array([None] * 5, dtype=object) for k in ("block_name", "kind", "mineral")},
        }
        blocks = gpd.GeoDataFrame({"block_id": []}, geometry=[], crs=4547)
        lazy = Report(FindingColumns(found, order, block_fields, 4547), blocks)
        table = Report(FindingColumns(dict(found), order, block_fields, 4547).frame(), blocks)  # a GeoDataFrame
        expected = report_dict(table)["findings"]

        for report in (lazy, table):
            buffer = io.StringIO()
            write_json(report, buffer, chunk=chunk)
            assert json.loads(buffer.getvalue())["findings"] == expected
            with tempfile.TemporaryDirectory() as tmp:  # a UTF-8 file takes the rows' bytes: the same text
                path = Path(tmp) / "r.json"
                with open(path, "w", encoding="utf-8") as fh:
                    write_json(report, fh, chunk=chunk)
                assert path.read_text(encoding="utf-8") == buffer.getvalue()

    check()


def test_fixed_texts_are_python_formatting_digit_for_digit():
    """The messages' numbers, formatted in numpy by the million, are what f"{v:.Nf}" writes: halves (2.675,
    0.125), numbers a hair from a half, zeros, negatives, huge and non-finite numbers."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from yangao_geo.rules.messages import fixed_texts

    rng = np.random.default_rng(7)
    halves = (rng.integers(0, 10**7, 2000) + 0.5) / 100  # x.xx5: the exact half as near as a double gets
    nudged = np.concatenate([np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf)])
    fixed = np.concatenate([halves, nudged, rng.uniform(0, 1e9, 5000), rng.exponential(1, 5000), [0.0, -0.0, 2**52]])
    for decimals in (2, 4):
        assert fixed_texts(fixed, decimals).to_pylist() == [f"{v:.{decimals}f}" for v in fixed]

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30), st.integers(1, 6))
    def check(values, decimals):
        assert fixed_texts(values, decimals).to_pylist() == [f"{v:.{decimals}f}" for v in values]

    check()


def test_narrow_pieces_equal_eroding_every_part_of_every_piece():
    """The whole-piece pre-test (a piece whose parts are all thin is thin as a whole) drops no narrow piece:
    the result is the erosion of every part, on strips, rings, bodies and their multi-part mixtures."""
    from yangao_geo.overlap import narrow_pieces

    rng = np.random.default_rng(5)
    width = 0.05

    def part():
        x, y = rng.uniform(0, 1_000, 2)
        kind = rng.integers(0, 4)
        if kind == 0:  # a hair-line strip
            return shapely.box(x, y, x + rng.uniform(1, 500), y + rng.uniform(1e-4, 0.2))
        if kind == 1:  # a thin ring
            r = rng.uniform(1, 50)
            return shapely.Point(x, y).buffer(r).difference(shapely.Point(x, y).buffer(r - rng.uniform(1e-3, 0.1)))
        if kind == 2:  # a body
            return shapely.box(x, y, x + rng.uniform(0.06, 30), y + rng.uniform(0.06, 30))
        return shapely.Polygon()  # nothing

    pieces = []
    for _ in range(600):
        parts = [p for p in (part() for _ in range(rng.integers(1, 4))) if not p.is_empty]
        pieces.append(shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon()))
    pieces = np.array([*pieces, None], dtype=object)

    def reference(piece):
        if piece is None or piece.is_empty:
            return False
        eroded = [p.area <= 0 or p.buffer(-width / 2, quad_segs=2).area <= 0 for p in shapely.get_parts(piece)]
        return all(eroded)

    expected = [reference(p) for p in pieces]
    assert 50 < sum(expected) < 550  # both kinds, many of each
    assert narrow_pieces(pieces, width).tolist() == expected


def test_text_array_is_str_of_every_value_on_both_paths():
    """Texts converted for the findings store are ``str(v)`` (None missing; NaN and NA too on request),
    whether they are repeated (looked up once per distinct text) or distinct (converted directly)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from yangao_geo.findings import text_array

    odd = st.sampled_from([None, float("nan"), pd.NA, 3, True, 1.0, 1, "1", "阳高", '"', ""])
    value = st.one_of(odd, st.text(max_size=5))

    @settings(max_examples=100, deadline=None)
    @given(st.lists(value, max_size=50), st.integers(0, 3), st.booleans())
    def check(values, repeat, nan_missing):
        values = values * (10**repeat // max(1, len(values)) + 1) if repeat % 2 else values  # repeated, or not
        got = text_array(np.array(values, dtype=object), nan_missing=nan_missing).to_pylist()
        missing = [v is None or (nan_missing and (v is pd.NA or (isinstance(v, float) and v != v))) for v in values]
        assert got == [None if m else str(v) for v, m in zip(values, missing)]

    check()
    ids = np.array([f"F{i}" for i in range(3000)] + [None], dtype=object)  # distinct: the direct path
    assert text_array(ids).to_pylist() == ids.tolist()


def test_grid_cells_from_rectangle_clipping_are_the_overlays_counts():
    """B305's cells touched and covered: clipping the block to each cell counts what intersecting them counts."""
    from yangao_geo.rules.delineation import cells_touched_and_covered

    def by_overlay(geom, step=1 / 60):
        minx, miny, maxx, maxy = geom.bounds
        xs = np.arange(np.floor(minx / step + 1e-9), np.ceil(maxx / step - 1e-9)) * step
        ys = np.arange(np.floor(miny / step + 1e-9), np.ceil(maxy / step - 1e-9)) * step
        gx, gy = np.meshgrid(xs, ys)
        shared = shapely.area(
            shapely.intersection(shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + step, gy.ravel() + step), geom)
        )
        return int((shared > step * step * 1e-9).sum()), int((shared >= step * step * (1 - 1e-9)).sum())

    rng = np.random.default_rng(5)
    minute = 1 / 60
    shapes = [
        shapely.box(113 + 3 * minute, 40 + 2 * minute, 113 + 7 * minute, 40 + 5 * minute),  # on the grid: 12 covered
        shapely.box(113 + 3 * minute, 40, 113 + 4 * minute, 40 + minute).buffer(-1e-9),  # a hair inside one cell
    ]
    for _ in range(150):
        cx, cy = 113.5 + rng.uniform(0, 0.5), 40.0 + rng.uniform(0, 0.4)
        radius = rng.uniform(0.3, 6) * minute
        blob = shapely.Point(cx, cy).buffer(radius, quad_segs=int(rng.integers(2, 40)))
        if rng.uniform() < 0.4:  # a hole, sometimes across cell edges
            blob = blob.difference(shapely.Point(cx, cy).buffer(rng.uniform(0.1, 0.6) * radius))
        if rng.uniform() < 0.3:  # two parts
            blob = shapely.union_all([blob, shapely.box(cx + 0.2, cy, cx + 0.2 + 2 * minute, cy + minute)])
        shapes.append(blob)
    counts = [cells_touched_and_covered(g) for g in shapes]
    assert counts == [by_overlay(g) for g in shapes]
    assert counts[0] == (12, 12) and counts[1] == (1, 0)
    assert sum(c for _, c in counts) > 200  # blocks that cover whole cells, not only touch them


def test_block_pairs_with_one_block_inside_the_other_equal_their_intersections():
    from yangao_geo.overlap import interior_overlaps

    rng = np.random.default_rng(20)
    centres = rng.uniform(0, 3000, (120, 2)) + np.array([500_000.0, 4_450_000.0])
    radii = rng.uniform(30, 600, 120)
    blocks = shapely.buffer(shapely.points(centres), radii, quad_segs=rng.integers(2, 40))
    blocks[:10] = shapely.difference(blocks[:10], shapely.buffer(shapely.points(centres[:10]), radii[:10] / 3))
    shapely.prepare(blocks)
    got = interior_overlaps(blocks, np.ones(len(blocks), dtype=bool), blocks, self_join=True)
    i, j = np.triu_indices(len(blocks), 1)
    exact = scale_factor_area(polygonal(shapely.intersection(blocks[i], blocks[j])))
    hit = exact > 1e-4
    assert [*zip(got.block, got.feature)] == [*zip(i[hit], j[hit])]
    np.testing.assert_allclose(got.area_m2, exact[hit], rtol=1e-9, atol=1e-6)
    nested = shapely.contains_properly(blocks[i], blocks[j]) | shapely.contains_properly(blocks[j], blocks[i])
    assert nested[hit].sum() > 20  # the shortcut was taken, often
    holes = (i[hit] < 10) | (j[hit] < 10)
    assert holes.sum() > 3


def test_messages_worded_later_are_the_messages_worded_at_once():
    import pyarrow as pa
    import pyarrow.compute as pc

    from yangao_geo.findings import text_array
    from yangao_geo.rules.messages import WordedLater, area_texts, filled, percent_texts

    rng = np.random.default_rng(8)
    n = 3000
    area = rng.choice([0.005, 2.675, 1234.5678, 1e9 / 3, 0.0], n) * rng.uniform(0.5, 2, n)
    ratio = np.where(rng.random(n) < 0.1, np.nan, rng.random(n))
    ids = text_array(np.array([f"F{i}" if i % 7 else f'"{i}"' for i in range(n)], dtype=object))
    labels = rng.choice(np.array(["现有探矿权", "existing mining right", "x{y}"], dtype=object), n)
    notes = rng.choice(np.array(["", "", "sliver", "有条件"], dtype=object), n)
    template, joined = "与{what} {feature} 重叠 {area}，占 {ratio}", "{message}；{note}"
    later = WordedLater(
        template,
        {"what": labels, "feature": ids, "area": ("area", area), "ratio": ("percent", ratio)},
        notes=notes,
        joined=joined,
    )
    whole = filled(template, what=text_array(labels), feature=ids, area=area_texts(area), ratio=percent_texts(ratio))
    noted = pa.array(notes != "")
    whole = pc.replace_with_mask(
        whole, noted, filled(joined, message=whole.filter(noted), note=text_array(notes[notes != ""]))
    )
    rows = rng.integers(0, n, 5000)  # any order, with repeats
    assert later.take(rows).to_pylist() == whole.take(pa.array(rows)).to_pylist()
    assert later.to_arrow().equals(whole)


def test_a_report_words_its_overlaps_in_the_language_of_its_check_and_pickles(tmp_path):
    import pickle

    from yangao_geo.i18n import use_lang

    with use_lang("zh"):
        report = yangao_geo.check(_widened_blocks(), rules=["O203"], keep_geometry=False)
    with use_lang("en"):
        messages = report.findings.message.tolist()
        again = pickle.loads(pickle.dumps(report))  # a batch's reports cross processes
        assert again.to_dict()["findings"] == report.to_dict()["findings"]
    assert len(messages) > 100 and all(m.startswith("与") for m in messages), messages[:3]


@pytest.mark.parametrize(
    "values",
    [
        ["F1", "阳高-2", " 3 "],
        [1, 2, -30],
        np.array([2**64 - 1, 7, 0], dtype=np.uint64),
        [1.0, 2.5, 1e20],
        pd.array([4, 5, 6], dtype="Int64"),
        pd.array(["x", "y", "z"], dtype="string"),
        np.array(["a", 3, 4.0], dtype=object),
    ],
)
def test_feature_ids_read_by_column_type_are_the_ids_formatted_one_by_one(values):
    from yangao_geo.features import format_id
    from yangao_geo.layers import _feature_ids

    gdf = gpd.GeoDataFrame({"feature_id": values}, geometry=[shapely.box(0, 0, 1, 1)] * 3)
    assert _feature_ids(gdf, ("feature_id",), None) == [format_id(v) for v in gdf["feature_id"]]


def test_nonfinite_screen_names_the_features_a_coordinate_by_coordinate_look_names():
    from yangao_geo.geometry import nonfinite_positions

    nan, inf = float("nan"), float("inf")
    geoms = np.array(
        [
            shapely.box(0, 0, 1, 1),
            shapely.Polygon([(0, 0, 1), (1, 0, 2), (1, 1, 3)]),  # 3D, finite: not named
            shapely.Polygon([(0, 0, 1), (1, 0, nan), (1, 1, 3)]),  # a Z it has is NaN
            shapely.Polygon([(0, 0), (1, inf), (1, 1)]),
            None,
            shapely.Polygon(),
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.Polygon([(5, 5), (nan, 6), (6, 6)])]),
        ],
        dtype=object,
    )
    naive = [
        i
        for i, g in enumerate(geoms)
        if g is not None and not np.isfinite(shapely.get_coordinates(g, include_z=bool(shapely.has_z(g)))).all()
    ]
    assert nonfinite_positions(geoms).tolist() == naive == [2, 3, 6]
    assert nonfinite_positions(geoms[[0, 1, 4, 5]]).tolist() == []  # the quick path: nothing to name


def test_repeated_columns_kept_as_codes_give_the_values_recorded():
    """Rule, severity, layer and citation are stored as small codes (issue 20, peak memory): every value comes
    back as recorded, whichever way it was recorded (one row, one value for a chunk, a list, None, numbers that
    Python's hashing would join), a report built on them pickles, and its counts and exit code are the table's."""
    import pickle

    from yangao_geo.findings import FINDING_FIELDS, FindingColumns, FindingStore, RepeatedValues
    from yangao_geo.report import Report

    store = FindingStore(keep_geometry=False)
    recorded = []
    store.add_row({"block_pos": 0, "rule_id": "B301", "severity": "warn", "layer": None, "message": "m"})
    recorded.append(("B301", "warn", None))
    store.add_chunk(
        {
            "block_pos": [1, 2, 3],
            "rule_id": "O203",
            "severity": ["fail", "info", "fail"],
            "message": "x",
            "layer": ["basic_farmland", None, 1],
            "citation": "《规划》第二十条",
        }
    )
    recorded += [("O203", "fail", "basic_farmland"), ("O203", "info", None), ("O203", "fail", 1)]
    store.add_chunk(
        {
            "block_pos": np.arange(3),
            "rule_id": "O202",
            "severity": RepeatedValues.of(["warn"] * 3),
            "message": "y",
            "layer": [1.0, True, "1"],
        }
    )
    recorded += [("O202", "warn", 1.0), ("O202", "warn", True), ("O202", "warn", "1")]
    found = {f: store.column(f) for f in FINDING_FIELDS}
    mixed = RepeatedValues.of(np.array(["a", None, float("nan"), "a", None], dtype=object)).tolist()
    assert [repr(v) for v in mixed] == ["'a'", "None", "nan", "'a'", "None"]
    for f in ("rule_id", "severity", "layer", "citation", "geometry"):
        assert isinstance(found[f], RepeatedValues) and found[f].codes.itemsize <= 2
    got = list(zip(found["rule_id"].tolist(), found["severity"].tolist(), found["layer"].tolist()))
    assert [tuple(map(repr, g)) for g in got] == [tuple(map(repr, r)) for r in recorded]
    assert found["citation"].tolist() == [None] + ["《规划》第二十条"] * 3 + [None] * 3
    assert found["geometry"].tolist() == [None] * 7

    order = np.arange(7)[::-1]
    blocks_fields = {
        k: np.array(["K1", "K2", "K3", "K4"], dtype=object) for k in ("block_id", "block_name", "kind", "mineral")
    }
    blocks = gpd.GeoDataFrame({"block_id": []}, geometry=[], crs=4547)
    lazy = pickle.loads(pickle.dumps(Report(FindingColumns(found, order, blocks_fields, 4547), blocks)))
    table = Report(FindingColumns(dict(found), order, blocks_fields, 4547).frame(), blocks)
    assert lazy.counts() == table.counts() == {"fail": 2, "warn": 4, "info": 1}
    for fail_on in ("fail", "warn"):
        assert lazy.exit_code(fail_on) == table.exit_code(fail_on) == 1
    assert lazy.findings["layer"].map(repr).tolist() == table.findings["layer"].map(repr).tolist()


def test_layers_read_while_others_reproject_equal_each_layer_loaded_alone(monkeypatch, tmp_path):
    """load_constraints reads every layer first, each one's reprojection started on the pool as soon as it is
    read (issue 20): the layers are those that loading each alone, on one thread, gives; an error in a layer
    read last is raised as it would be, with the work started for the others dropped."""
    from yangao_geo import features, threads
    from yangao_geo.errors import DataSourceError
    from yangao_geo.layers import constraint_sources

    monkeypatch.setattr(features, "_MIN_VERTICES_PER_TASK", 100)  # every layer in several chunks
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    together = load_constraints()
    monkeypatch.setenv("YANGAO_GEO_THREADS", "1")  # each layer's work done on this thread, before the next read
    alone = load_constraints()
    assert list(together.layers) == list(alone.layers) and len(together.layers) >= 4
    for name, loaded in together.layers.items():
        one = alone.layers[name]
        assert loaded.gdf["feature_id"].tolist() == one.gdf["feature_id"].tolist()
        assert (
            shapely.to_wkb(np.asarray(loaded.gdf.geometry.values, dtype=object)).tolist()
            == shapely.to_wkb(np.asarray(one.gdf.geometry.values, dtype=object)).tolist()
        )
        assert loaded.extent.equals(one.extent) and loaded.repairs == one.repairs
        assert loaded.info.notes == one.info.notes and loaded.crs_note == one.crs_note
    sources = {}
    for path in bundled_constraint_paths():
        sources.update(constraint_sources(path))
    monkeypatch.setenv("YANGAO_GEO_THREADS", "2")
    broken = tmp_path / "town.gpkg"
    broken.write_bytes(b"not a GeoPackage")
    mapping = {name: path for name, (path, _) in sources.items() if name in ("mining_rights", "eco_redline")}
    mapping.update(basic_farmland=sources["basic_farmland"][0], town_boundary=broken)
    with pytest.raises(DataSourceError, match=r"town\.gpkg: not a readable vector data source"):
        load_constraints(mapping)
    assert threads.map_ordered(abs, [-1, -2]) == [1, 2]  # the pool is free for the next step
