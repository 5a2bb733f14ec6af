"""Static maps with matplotlib (optional dependency: ``pip install yangao-geo[plot]``)."""

from __future__ import annotations

from ..errors import YangaoError
from ..i18n import t
from .palette import LAYER_FILL, STATUS_COLOURS

__all__ = ["plot_report"]

_STATUS = STATUS_COLOURS
_LAYERS = {
    name: LAYER_FILL[name] for name in ("basic_farmland", "eco_redline", "town_boundary", "mining_rights", "deposits")
}


def plot_report(report, ax=None, *, figsize=(9, 9)):
    """Draw blocks coloured by status, overlaps hatched, over the constraint layers (EPSG:4547 metres)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise YangaoError(t("Report.plot() needs matplotlib: pip install 'yangao-geo[plot]'")) from None
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    for name, colour in _LAYERS.items():
        gdf = report.context.get(name)
        if gdf is not None and not gdf.empty:
            gdf.plot(ax=ax, color=colour, alpha=0.5, linewidth=0)
    county = report.context.get("county_boundary")
    if county is not None and not county.empty:
        county.boundary.plot(ax=ax, color="black", linewidth=0.8)
    blocks = report.blocks[report.blocks.geometry.notna()]
    for status, colour in _STATUS.items():
        part = blocks[blocks.status == status]
        if not part.empty:
            part.plot(ax=ax, facecolor=colour, edgecolor=colour, alpha=0.45, linewidth=1.5, label=status)
    overlaps = report.findings[report.findings.layer.notna() & report.findings.overlap_m2.notna()]
    overlaps = overlaps[overlaps.geometry.notna()]
    if not overlaps.empty:
        overlaps.plot(ax=ax, facecolor="none", edgecolor="black", hatch="///", linewidth=0.5)
    for row in blocks.itertuples():
        c = row.geometry.representative_point()
        ax.annotate(str(row.block_id), (c.x, c.y), fontsize=8, ha="center")
    ax.set_title("yangao_geo: blocks by status (EPSG:4547)")
    ax.set_aspect("equal")
    return ax
