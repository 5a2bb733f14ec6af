"""The proposals of :func:`yangao_geo.fix` as a section to read: ``FixResult.to_file("fix.html"|"fix.docx")``.

Per block: the original block (dashed), the part taken out for each constraint (in that layer's colour)
and the proposal (filled), beside a table of what was kept and removed, the corner points before and after,
and the proposal's own status in the re-check. HTML: one offline page, an inline SVG per block. DOCX: the
same as a Word section (python-docx and matplotlib, as the review opinion), to attach to the 审查意见书.
In the run's language (the re-check's ``lang``).
"""

from __future__ import annotations

import html
import io

import numpy as np
import shapely

from ..i18n import t, use_lang
from ..rules.messages import layer_label
from ..rules.titles import kind_word, status_word

__all__ = ["write_fix_docx", "write_fix_html"]

#: layer -> colour of the part taken out for it
REMOVED_COLOURS = {
    "eco_redline": "#e377c2",
    "basic_farmland": "#9acd32",
    "town_boundary": "#9e9e9e",
    "mining_rights": "#9467bd",
    "arable_land": "#d4b94f",
    "blocks": "#ff7f0e",
}
_LAYERS = tuple(REMOVED_COLOURS)


def _lang(result) -> str:
    recheck = result.recheck
    return recheck.settings.get("lang", "zh") if recheck is not None else "zh"


def _plane(geom, crs):
    """A proposal in the analysis plane (grid proposals are lon/lat, their edges along parallels)."""
    if geom is None or geom.is_empty:
        return None
    if crs is not None and crs.to_epsg() == 4490:
        from ..grid_cells import to_plane

        return to_plane([geom])[0]
    return geom


def _rows(result):
    """(block id, name, kind, original, removed by layer, proposal in the plane, proposal row) per block."""
    p = result.proposals
    originals = result.originals or [None] * len(p)
    removed = result.removed or [{}] * len(p)
    for k, row in enumerate(p.itertuples()):
        yield row, originals[k], removed[k], _plane(row.geometry, p.crs)


def _summary_cells(row) -> list:
    kept = f"{row.area_after_m2 / 1e6:.4f}"
    ratio = f"{100 * row.kept_ratio:.2f}%"
    taken = "、".join(
        f"{layer_label(layer)} {getattr(row, f'removed_{layer}_m2') / 1e6:.4f} km²"
        for layer in _LAYERS
        if getattr(row, f"removed_{layer}_m2", 0) > 0
    ) or t("none")
    status = status_word(row.status_after) if isinstance(row.status_after, str) else "-"
    return [
        str(row.block_id),
        str(row.name or ""),
        kind_word(row.kind),
        f"{row.area_before_m2 / 1e6:.4f}",
        kept,
        ratio,
        taken,
        f"{row.corners_before} → {row.corners_after}",
        status,
        str(row.note or ""),
    ]


def _taken(layer: str) -> str:
    return t("taken out: {layer}", layer=layer_label(layer))


def _header() -> list:
    return [
        t("block"),
        t("name"),
        t("kind"),
        t("area before km²"),
        t("after km²"),
        t("kept"),
        t("removed"),
        t("corners"),
        t("status after"),
        t("note"),
    ]


# ---------------------------------------------------------------------------------------------- HTML
def _svg(original, removed, proposal, size: int = 360) -> str:
    shapes = [g for g in (original, proposal, *removed.values()) if g is not None and not g.is_empty]
    if not shapes:
        return ""
    minx, miny, maxx, maxy = shapely.union_all(shapes).bounds
    pad = max(maxx - minx, maxy - miny) * 0.06 + 20
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = size / max(maxx - minx, maxy - miny)

    def path(geom):
        parts = []
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:-1]
                pts = " ".join(f"{(x - minx) * scale:.1f} {(maxy - y) * scale:.1f}" for x, y in xy)
                parts.append(f"M{pts}Z")
        return "".join(parts)

    body = []
    if proposal is not None and not proposal.is_empty:
        body.append(
            f'<path d="{path(proposal)}" fill="#2ca02c" fill-opacity="0.45" stroke="#1b7a1b" stroke-width="1.5"/>'
        )
    for layer, geom in removed.items():
        colour = REMOVED_COLOURS.get(layer, "#d62728")
        label = html.escape(layer_label(layer))
        body.append(
            f'<path d="{path(geom)}" fill="{colour}" fill-opacity="0.7" stroke="none"><title>{label}</title></path>'
        )
    if original is not None:
        body.append(f'<path d="{path(original)}" fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/>')
    w, h = (maxx - minx) * scale, (maxy - miny) * scale
    return f'<svg class="yg-fix" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.1f} {h:.1f}" xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'


def fix_html(result) -> str:
    """The proposals as one self-contained HTML page."""
    with use_lang(_lang(result)):
        rows = list(_rows(result))
        table = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _summary_cells(row)) + "</tr>" for row, *_ in rows
        )
        head = "".join(f"<th>{html.escape(h)}</th>" for h in _header())
        legend = " · ".join(
            [
                f'<span style="border-bottom:2px dashed #000">{html.escape(t("the block as given"))}</span>',
                f'<span style="background:#2ca02c88">{html.escape(t("the proposal"))}</span>',
                *(
                    f'<span style="background:{c}b3">{html.escape(_taken(n))}</span>'
                    for n, c in REMOVED_COLOURS.items()
                ),
            ]
        )
        figures = "".join(
            f"<figure><figcaption>{html.escape(str(row.block_id))} {html.escape(str(row.name or ''))}</figcaption>"
            f"{_svg(original, removed, proposal)}</figure>"
            for row, original, removed, proposal in rows
        )
        title = t("Proposed compliant blocks")
        lang = "zh-CN" if _lang(result) == "zh" else "en"
        return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>
body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:16px}}
table{{border-collapse:collapse;font-size:13px}} th,td{{border:1px solid #ccc;padding:3px 6px}}
th{{background:#f4f4f4}} figure{{display:inline-block;margin:8px;vertical-align:top}}
figcaption{{font-weight:bold}} .legend span{{padding:0 4px;margin-right:6px}}
</style></head><body data-ready="{len(rows)}">
<h1>{html.escape(title)}</h1>
<table><thead><tr>{head}</tr></thead><tbody>{table}</tbody></table>
<p class="legend">{legend}</p>
{figures}
</body></html>
"""


def write_fix_html(result, path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(fix_html(result))


# ---------------------------------------------------------------------------------------------- DOCX
def _png(original, removed, proposal):
    shapes = [g for g in (original, proposal, *removed.values()) if g is not None and not g.is_empty]
    if not shapes:
        return None
    import logging

    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # one CJK font is enough
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from .opinion import _CJK_FONTS

    plt.rcParams["font.sans-serif"] = _CJK_FONTS + plt.rcParams.get("font.sans-serif", [])
    fig, ax = plt.subplots(figsize=(5.2, 5.2), dpi=130)
    import geopandas as gpd

    handles = []
    if proposal is not None and not proposal.is_empty:
        gpd.GeoSeries([proposal]).plot(ax=ax, color="#2ca02c", alpha=0.45, edgecolor="#1b7a1b")
        handles.append(Patch(facecolor="#2ca02c", alpha=0.45, label=t("the proposal")))
    for layer, geom in removed.items():
        colour = REMOVED_COLOURS.get(layer, "#d62728")
        gpd.GeoSeries([geom]).plot(ax=ax, color=colour, alpha=0.7)
        handles.append(Patch(facecolor=colour, alpha=0.7, label=_taken(layer)))
    if original is not None:
        gpd.GeoSeries([original]).boundary.plot(ax=ax, color="#000", linestyle="--", linewidth=1.2)
        handles.append(Patch(facecolor="none", edgecolor="#000", linestyle="--", label=t("the block as given")))
    ax.set_aspect("equal")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.tick_params(labelsize=6)
    ax.legend(handles=handles, loc="upper right", fontsize=7)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    buffer.seek(0)
    return buffer


def write_fix_docx(result, path) -> None:
    """The proposals as a Word section (A4, 仿宋/黑体, page numbers), a map per block."""
    try:
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Mm, Pt
    except ImportError:
        from ..errors import YangaoError

        raise YangaoError(t("the review opinion (.docx) needs python-docx: pip install 'yangao-geo[docx]'")) from None
    from .opinion import _fonts, _page_numbers, _table

    with use_lang(_lang(result)):
        doc = docx.Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        _fonts(doc, Pt)
        _page_numbers(section, WD_ALIGN_PARAGRAPH)
        doc.add_heading(t("Proposed compliant blocks"), level=1)
        rows = list(_rows(result))
        _table(doc, _header(), [_summary_cells(row) for row, *_ in rows])
        for row, original, removed, proposal in rows:
            doc.add_heading(f"{row.block_id} {row.name or ''}", level=2)
            image = _png(original, removed, proposal)
            if image is not None:
                doc.add_picture(image, width=Cm(12))
            doc.add_paragraph(" · ".join(c for c in _summary_cells(row)[3:] if c))
        doc.save(str(path))
