"""The review opinion (审查意见书, .docx): its sections and numbers, and a real conversion to PDF pages."""

import os
import shutil
import subprocess

import pytest

import yangao_geo
from conftest import SCREENSHOTS

docx = pytest.importorskip("docx")


@pytest.fixture(scope="module")
def opinion(tmp_path_factory):
    report = yangao_geo.check(lang="zh")
    path = tmp_path_factory.mktemp("opinion") / "审查意见书.docx"
    report.to_file(path)
    return report, path


def _text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_opinion_has_its_sections_blocks_maps_and_corner_points(opinion):
    report, path = opinion
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for needed in (
        "一、审查依据",
        "二、总体结论",
        "三、逐区块审查意见",
        "附表  界址点坐标（CGCS2000）",
        "附录  审查过程记录",
    ):
        assert needed in headings
    text = _text(document)
    for block in report.blocks.itertuples():
        assert f"{block.block_id} {block.name}" in text
        assert f"{block.area_m2 / 1e6:.4f} km²（{block.area_m2 / 1e4:.4f} 公顷）" in text
    assert len(document.inline_shapes) == len(report.blocks)  # one map per block
    assert "不予通过" in text and "面积小于一个基本单位区块" in text and "SHA-256" in text
    assert "审查人（签字）" in text and "本次审查以英文运行" not in text
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert "PAGE" in section.footer._element.xml  # page numbers
    # the corner points of the block KC03, as filed: seconds to 3 decimals
    assert "″" in text and "J1" in text


def test_opinion_layer_totals_precede_the_details(opinion):
    _report, path = opinion
    text = _text(docx.Document(str(path)))
    assert "【其他规划区块合计】1 处，0.2710 km²" in text


def test_opinion_converts_to_pdf_pages(opinion, tmp_path):
    report, path = opinion
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install libreoffice-writer-nogui and poppler-utils (.ci/run)")
        pytest.skip("LibreOffice or pdftoppm not installed")
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / (path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.is_file(), proc.stderr
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    n_pages = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    assert n_pages >= len(report.blocks) // 2
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 3 and all(p.stat().st_size > 10_000 for p in pngs)
    for i, png in enumerate(pngs, start=1):
        shutil.copy(png, SCREENSHOTS / f"opinion_page{i}.png")


def test_the_appendix_states_the_area_method_and_edge_convention_in_chinese_even_for_an_english_run(tmp_path):
    """The signed document's 面积算法 and 边界约定 are Chinese sentences, whatever the run's language; the
    run's own settings keep its language (an English run's JSON and workbook say them in English)."""
    import re

    report = yangao_geo.check(lang="en", keep_geometry=False)
    assert "trapezoid series" in report.settings["area_method"] and "1 mm" in report.settings["edge_convention"]
    path = tmp_path / "opinion.docx"
    report.to_file(path)
    rows = {row.cells[0].text: row.cells[1].text for table in docx.Document(str(path)).tables for row in table.rows}
    for label in ("面积算法", "边界约定"):
        assert re.search(r"[\u4e00-\u9fff]{4}", rows[label]), rows[label]
        assert not re.search(r"\b(edges|areas|straight|densified)\b", rows[label]), rows[label]
    assert "附录D梯形级数" in rows["面积算法"] and "长度比积分" in rows["面积算法"]
    assert "1 mm" in rows["边界约定"]
    # the findings' messages are the check's, in English: the document says so instead of mixing silently
    assert "本次审查以英文运行" in _text(docx.Document(str(path)))
