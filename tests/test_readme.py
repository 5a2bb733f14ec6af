"""The README stays true: its Python example runs, and its table of the default run's findings is the run's."""

import re
from pathlib import Path

import geopandas as gpd
import pyogrio

import yangao_geo
from yangao_geo.layers import bundled_blocks_path, bundled_constraint_paths

README = Path(__file__).parents[1] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_findings_table_is_what_the_default_run_finds():
    table = [line for line in _section("What the default run finds, and why").splitlines() if line.startswith("| ")]
    said = {
        (code, severity)
        for line in table
        for code, severity in re.findall(r"\*\*([DOBA]\d{3}) (fail|warn|info)\*\*", line)
    }
    found = set(zip(yangao_geo.check().findings.rule_id, yangao_geo.check().findings.severity))
    assert said == found, f"README says {sorted(said - found)} not found; found {sorted(found - said)} not in README"


def test_the_python_example_runs(tmp_path, monkeypatch):
    gpd.read_file(bundled_blocks_path()).to_file(tmp_path / "blocks.shp", encoding="utf-8")
    out = tmp_path / "constraints.gpkg"
    sources = bundled_constraint_paths()
    for source in sources if isinstance(sources, (list, tuple)) else [sources]:
        for path in sorted(Path(source).glob("*.gpkg")) if Path(source).is_dir() else [Path(source)]:
            for name, _ in pyogrio.list_layers(path):
                gpd.read_file(path, layer=name).to_file(out, layer=name, driver="GPKG")
    (tmp_path / "more").mkdir()
    code = re.search(r"## Python\n\n```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md (Python)", "exec"), namespace)  # the README's own example
    assert (tmp_path / "r.gpkg").exists()
    assert namespace["report"].exit_code("warn") == 1
