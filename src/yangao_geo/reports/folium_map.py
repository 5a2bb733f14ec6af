"""``Report.explore()``: the report as a folium map, as :meth:`geopandas.GeoDataFrame.explore` gives one.

Optional dependency (``pip install "yangao-geo[explore]"``: folium). The map is folium's own
:class:`folium.Map`, so that a geopandas user adds layers to it as usual (``gdf.explore(m=m)``). Layers,
each switchable in the layer control: the constraint layers the report read around the blocks, the blocks
coloured by status (不通过 red, 需关注 orange, 通过 green) with their findings in a tooltip, and the overlap
pieces. Like every folium map it loads Leaflet and the base-map tiles from the web; the offline map of the
reports is :meth:`Report.map_view` (and the HTML report).
"""

from __future__ import annotations

from ..errors import YangaoError
from ..i18n import t, use_lang
from ..rules.messages import layer_label
from ..rules.titles import severity_word, status_word
from .palette import DRAW_ORDER, LAYER_STROKE, STATUS_COLOURS

__all__ = ["explore"]

#: layers drawn, bottom to top, in their outline colours
_LAYER_COLOURS = {name: LAYER_STROKE[name] for name in DRAW_ORDER}


def explore(report, m=None, *, tiles="OpenStreetMap", **kwargs):
    """The report on a folium map (a new one, or ``m``); other keywords go to ``folium.Map``."""
    try:
        import folium
    except ImportError:
        raise YangaoError(t("Report.explore() needs folium: pip install 'yangao-geo[explore]'")) from None
    with use_lang(report.settings.get("lang", "zh")):
        return _explore(report, folium, m, tiles, kwargs)


def _explore(report, folium, m, tiles, kwargs):
    blocks = report.blocks[report.blocks.geometry.notna()].to_crs(4326)
    if m is None:
        if len(blocks):
            minx, miny, maxx, maxy = blocks.total_bounds
            kwargs.setdefault("location", [(miny + maxy) / 2, (minx + maxx) / 2])
        kwargs.setdefault("zoom_start", 11)
        m = folium.Map(tiles=tiles, **kwargs)
    for name, colour in _LAYER_COLOURS.items():
        gdf = report.context.get(name)
        if gdf is None or gdf.empty:
            continue
        layer = gdf[["feature_id", "geometry"]].to_crs(4326)
        layer["feature_id"] = layer["feature_id"].astype(str)
        folium.GeoJson(
            layer.to_json(),
            name=layer_label(name),
            style_function=lambda _f, c=colour, n=name: {
                "color": c,
                "weight": 1,
                "fillColor": c,
                "fillOpacity": 0.0 if n == "county_boundary" else 0.35,
            },
            tooltip=folium.GeoJsonTooltip(fields=["feature_id"], aliases=[t("feature")]),
        ).add_to(m)
    if len(blocks):
        table = blocks[["block_id", "name", "status", "geometry"]].copy()
        table["block_id"] = table["block_id"].astype(str)
        table["name"] = table["name"].fillna("").astype(str)
        table["status_word"] = table["status"].map(status_word)
        table["findings"] = table["block_id"].map(_finding_lines(report)).fillna("")
        folium.GeoJson(
            table.to_json(),
            name=t("planning blocks"),
            style_function=lambda f: {
                "color": STATUS_COLOURS.get(f["properties"]["status"], "#333333"),
                "weight": 2.5,
                "fillOpacity": 0.3,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["block_id", "name", "status_word", "findings"],
                aliases=[t("block"), t("name"), t("status"), t("findings")],
            ),
        ).add_to(m)
        minx, miny, maxx, maxy = blocks.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    pieces = report.findings[report.findings.geometry.notna() & report.findings.overlap_m2.notna()]
    if len(pieces):
        over = pieces[["block_id", "rule_id", "layer", "feature_id", "overlap_m2", "geometry"]].to_crs(4326)
        over = over.astype({"block_id": str, "rule_id": str, "layer": str, "feature_id": str})
        over["overlap_m2"] = over["overlap_m2"].astype(float).round(2)
        folium.GeoJson(
            over.to_json(),
            name=t("overlaps"),
            style_function=lambda _f: {"color": "#000000", "weight": 1, "dashArray": "4 2", "fillOpacity": 0.4},
            tooltip=folium.GeoJsonTooltip(
                fields=["block_id", "rule_id", "feature_id", "overlap_m2"],
                aliases=[t("block"), t("rule"), t("feature"), t("overlap m²")],
            ),
        ).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def _finding_lines(report) -> dict:
    """block id -> its findings, one per line (``O203 不通过: …``), for the tooltip."""
    lines: dict = {}
    for f in report.findings.itertuples():
        if f.block_id is None or f.block_id != f.block_id:
            continue
        lines.setdefault(str(f.block_id), []).append(f"{f.rule_id} {severity_word(f.severity)}: {f.message}")
    return {k: "<br>".join(_escape(x) for x in v) for k, v in lines.items()}


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))
