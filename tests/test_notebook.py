"""examples/quickstart.ipynb runs from top to bottom, with its outputs checked, and is screenshotted."""

import html
from pathlib import Path

import pytest

from browser import screenshot
from conftest import SCREENSHOTS

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


@pytest.fixture(scope="module")
def executed():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    return nb


def _outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if kind in o.get("data", {})]


def test_notebook_runs_and_shows_the_report_the_fix_and_the_map(executed):
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code)
    first_html = code[0].outputs[0]["data"]["text/html"]
    assert "<b>yangao_geo</b>" in first_html and "12 blocks" in first_html
    streams = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "0 overlaps left" in streams
    assert any('class="yg-block"' in html.unescape(o["data"]["text/html"]) for o in _outputs(executed, "text/html"))
    assert _outputs(executed, "image/png"), "the static plot is shown"


def test_notebook_screenshot(executed, tmp_path):
    parts = []
    for cell in executed.cells:
        if cell.cell_type == "markdown":
            parts.append(f"<div class='md'><pre>{html.escape(cell.source)}</pre></div>")
            continue
        parts.append(f"<pre class='in'>{html.escape(cell.source)}</pre>")
        for o in cell.outputs:
            data = o.get("data", {})
            if "image/png" in data:
                parts.append(f"<img src='data:image/png;base64,{data['image/png']}' width='600'>")
            elif "text/html" in data:
                parts.append(data["text/html"])
            elif o.output_type == "stream":
                parts.append(f"<pre>{html.escape(o.text)}</pre>")
    page = tmp_path / "notebook.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><style>pre.in{background:#f4f4f4;padding:6px}</style></head>"
        f"<body>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )
    png = screenshot(page, SCREENSHOTS / "notebook.png", size="1200,3200")
    assert png.exists() and png.stat().st_size > 20_000
