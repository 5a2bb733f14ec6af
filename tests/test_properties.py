"""Property-based: random polygons, texts, encodings and settings through ``yangao-geo check``.

Whatever comes in, the run ends with exit 0, 1 or 2, never a traceback or an internal error, writes
strict JSON when it writes at all, and leaves its inputs byte for byte as they were.
"""

import hashlib
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from conftest import frame
from geoms import X0, Y0
from yangao_geo.cli.main import main

coordinate = st.floats(min_value=-3000, max_value=3000, allow_nan=False, allow_infinity=False)
ring = st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=8)
text = st.text(alphabet=st.sampled_from(list("阳高县区块金铁砂[]/=+-@ abcKC0123'\"\\<>&")), min_size=0, max_size=12)
kind = st.sampled_from(["exploration", "mining", "concentrated", "勘查", "开采", "quarry", ""])
mineral = st.sampled_from(["金", "铁", "建筑用砂", "砖瓦用粘土", "矿泉水", "", "unobtainium"])
capacity = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=32))
encoding = st.sampled_from(["utf-8", "gbk", "gb18030"])
tolerance = st.one_of(st.none(), st.floats(min_value=-1, max_value=1e6, allow_nan=False))
block = st.tuples(ring, text, kind, mineral, capacity)


def _digest(folder: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    blocks=st.lists(block, min_size=1, max_size=4), enc=encoding, tol=tolerance, fmt=st.sampled_from(["shp", "gpkg"])
)
def test_any_input_ends_in_a_verdict_or_a_clean_error(blocks, enc, tol, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs = root / "in"
        inputs.mkdir()
        geoms = [Polygon([(X0 + x, Y0 + y) for x, y in r]) for r, *_ in blocks]
        gdf = frame(
            geoms,
            block_id=[t or f"B{i}" for i, (_, t, *_) in enumerate(blocks)],
            name=[t for _, t, *_ in blocks],
            kind=[k for _, _, k, *_ in blocks],
            mineral=[m for *_, m, _ in blocks],
            capacity=[None if c is None else float(c) for *_, c in blocks],
            capacity_unit=["万吨/年"] * len(blocks),
        )
        path = inputs / f"blocks.{fmt}"
        try:
            gdf.to_file(path, encoding=enc) if fmt == "shp" else gdf.to_file(path)
        except Exception:  # the writer itself refuses (e.g. a text the encoding cannot hold): nothing to check
            return
        before = _digest(inputs)
        out = root / "r.json"
        args = ["check", "-q", str(path), "-o", str(out)]
        if tol is not None:
            args += ["--tolerance", repr(tol)]
        with pytest.raises(SystemExit) as exc:
            main(args)
        code = exc.value.code
        assert code in (0, 1, 2)
        assert _digest(inputs) == before
        if out.exists():
            assert code in (0, 1)
            doc = json.loads(out.read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
            assert all(isinstance(b["block_id"], str) for b in doc["blocks"])
            assert all(b["area_m2"] is None or math.isfinite(b["area_m2"]) for b in doc["blocks"])
        else:
            assert code == 2


@pytest.fixture(autouse=True)
def _no_traceback(capsys):
    yield
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
