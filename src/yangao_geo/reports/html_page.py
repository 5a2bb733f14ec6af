"""The HTML report: one self-contained file (no CDN, no network) with a summary, an interactive map,
a sortable and filterable findings table, and the provenance of the run.

The map is an inline SVG drawn here (Web Mercator, so a user-supplied XYZ tile URL such as 天地图's can
sit under it) with a few lines of JavaScript of our own for pan, zoom, layer toggles and popups: no
third-party script is embedded, and the file opens offline. When the page has drawn itself it sets
``data-ready`` on ``<body>`` to the number of blocks drawn; a script error sets ``data-error``.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np
import pyproj
import shapely

from ..area_units import area_in, unit_label
from ..crs import ANALYSIS_CRS
from ..i18n import current_lang, t, use_lang
from ..rules.messages import layer_label
from ..rules.titles import kind_word, severity_word, status_word, title
from .palette import DRAW_ORDER, LAYER_FILL, LAYER_STROKE, STATUS_COLOURS
from .totals import overlap_totals, summary_line

__all__ = ["MapView", "map_html", "notebook_html", "report_html", "write_html"]

_TO_MERC = pyproj.Transformer.from_crs(ANALYSIS_CRS, 3857, always_xy=True)


def _merc(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_MERC.transform(xy[:, 0], xy[:, 1])))


def _path(geom, origin, simplify=1.0) -> str:
    """SVG path data (y flipped) for a polygonal geometry in Web Mercator metres."""
    if geom is None or geom.is_empty:
        return ""
    geom = geom.simplify(simplify) if simplify else geom
    ox, oy = origin
    parts = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            pts = " ".join(f"{x - ox:.1f} {oy - y:.1f}" for x, y in xy[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


def _tiles(url: str, bounds, origin) -> str:
    """<image> elements for the XYZ tiles that cover ``bounds`` (Web Mercator) at a suitable zoom."""
    half = 20037508.342789244
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, maxy - miny, 1.0)
    zoom = max(0, min(18, int(math.log2(2 * half * 4 / span))))
    size = 2 * half / 2**zoom
    ox, oy = origin
    out = []
    for tx in range(int((minx + half) // size), int((maxx + half) // size) + 1):
        for ty in range(int((half - maxy) // size), int((half - miny) // size) + 1):
            x0, y0 = -half + tx * size, half - ty * size
            href = html.escape(url.replace("{z}", str(zoom)).replace("{x}", str(tx)).replace("{y}", str(ty)))
            out.append(
                f'<image href="{href}" x="{x0 - ox:.1f}" y="{oy - y0:.1f}" width="{size:.1f}" '
                f'height="{size:.1f}" preserveAspectRatio="none"/>'
            )
    return "".join(out)


def _scale_bar(bounds, origin) -> str:
    """A scale bar in the map's own units (it zooms with the map and stays true).

    The map is drawn in Web Mercator, whose metres are 1/cos(latitude) ground metres: at 40° N a ground
    kilometre is 1.305 map kilometres, so the bar is drawn that much longer than its label says.
    """
    minx, miny, maxx, maxy = bounds
    lat = math.degrees(math.atan(math.sinh(((miny + maxy) / 2) / 6378137.0)))
    stretch = 1 / math.cos(math.radians(lat))
    ground = (maxx - minx) / stretch
    length = max((v for v in (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000) if v <= ground / 5), default=50)
    ox, oy = origin
    x0, y0 = minx + (maxx - minx) * 0.04 - ox, oy - (miny + (maxy - miny) * 0.05)
    bar = length * stretch
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    height = (maxy - miny) * 0.008
    return (
        f'<g data-layer="scale" class="yg-scale"><rect x="{x0:.1f}" y="{y0 - height:.1f}" width="{bar / 2:.1f}" '
        f'height="{height:.1f}" fill="#000"/><rect x="{x0 + bar / 2:.1f}" y="{y0 - height:.1f}" '
        f'width="{bar / 2:.1f}" height="{height:.1f}" fill="#fff" stroke="#000" vector-effect="non-scaling-stroke"/>'
        f'<text x="{x0 + bar / 2:.1f}" y="{y0 - 2.5 * height:.1f}" text-anchor="middle" '
        f'font-size="{height * 2.2:.1f}">{html.escape(t("scale {length}", length=label))}</text></g>'
    )


def map_html(report, *, tiles: str | None = None, height: str = "560px") -> str:
    """The interactive map alone (an HTML fragment with its own script)."""
    blocks = report.blocks[report.blocks.geometry.notna()]
    if blocks.empty:
        return f"<p>{html.escape(t('No block geometry to draw.'))}</p>"
    merc_blocks = [_merc(g) for g in blocks.geometry]
    minx, miny, maxx, maxy = shapely.union_all(merc_blocks).bounds
    pad = max(maxx - minx, maxy - miny) * 0.08 + 200
    bounds = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    origin = (bounds[0], bounds[3])
    width, height_m = bounds[2] - bounds[0], bounds[3] - bounds[1]
    groups = []
    if tiles:
        groups.append(f'<g id="yg-tiles" data-layer="tiles">{_tiles(tiles, bounds, origin)}</g>')
    for name in DRAW_ORDER:
        gdf = report.context.get(name)
        if gdf is None or gdf.empty:
            continue
        fill, stroke = LAYER_FILL[name], LAYER_STROKE[name]
        paths = "".join(
            f'<path d="{_path(_merc(g), origin, 2.0)}"><title>{html.escape(str(fid))}</title></path>'
            for fid, g in zip(gdf["feature_id"], gdf.geometry)
        )
        groups.append(
            f'<g data-layer="{name}" fill="{fill}" fill-opacity="0.55" stroke="{stroke}" '
            f'stroke-width="1" vector-effect="non-scaling-stroke">{paths}</g>'
        )
    overlaps = report.findings[report.findings.layer.notna() & report.findings.overlap_m2.notna()]
    opaths = "".join(
        f'<path d="{_path(_merc(g), origin, 0.5)}"><title>{html.escape(f"{b} × {lyr} {fid}: {a:.2f} m²")}</title>'
        "</path>"
        for b, lyr, fid, a, g in zip(
            overlaps.block_id, overlaps.layer, overlaps.feature_id, overlaps.overlap_m2, overlaps.geometry
        )
        if g is not None
    )
    groups.append(
        f'<g data-layer="overlaps" fill="#000" fill-opacity="0.35" stroke="#000" stroke-dasharray="4 2" '
        f'stroke-width="1.5">{opaths}</g>'
    )
    bpaths = []
    for row, g in zip(blocks.itertuples(), merc_blocks):
        colour = STATUS_COLOURS[row.status]
        bpaths.append(
            f'<path class="yg-block" data-block="{html.escape(str(row.block_id))}" d="{_path(g, origin, 0)}" '
            f'fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="2.5"/>'
        )
    groups.append(f'<g data-layer="blocks">{"".join(bpaths)}</g>')
    groups.append(_scale_bar(bounds, origin))
    toggles = "".join(
        f'<label><input type="checkbox" checked data-toggle="{name}"> {html.escape(layer_label(name))}</label>'
        for name in DRAW_ORDER
        if name in report.context and not report.context[name].empty
    )
    toggles += (
        f'<label><input type="checkbox" checked data-toggle="overlaps"> {_e(t("overlaps"))}</label>'
        f'<label><input type="checkbox" checked data-toggle="blocks"> {_e(t("planning blocks"))}</label>'
    )
    if tiles:
        toggles += f'<label><input type="checkbox" checked data-toggle="tiles"> {_e(t("base map"))}</label>'
    note = t(
        "Wheel to zoom, drag to pan, click a block for its findings. Displayed in Web Mercator; every number "
        "is ellipsoidal (CGCS2000)."
    )
    return f"""<div class="yg-map-wrap">
<div class="yg-toggles">{toggles}</div>
<div class="yg-map-box"><svg id="yg-map" class="yg-map" style="height:{height}" viewBox="0 0 {width:.1f} {height_m:.1f}"
 preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" data-ox="{origin[0]:.3f}"
 data-oy="{origin[1]:.3f}">{"".join(groups)}</svg>
<div class="yg-north" title="{_e(t("north"))}">▲<br>{_e(t("N"))}</div>
<div id="yg-coords" class="yg-coords">{_e(t("lon"))} —  {_e(t("lat"))} —</div></div>
<div id="yg-popup" class="yg-popup" hidden></div>
<p class="yg-note">{_e(note)}</p>
</div>"""


_CSS = """
.yg-map-box{position:relative}
.yg-north{position:absolute;top:8px;right:12px;font:bold 14px sans-serif;text-align:center;line-height:1;
background:rgba(255,255,255,.8);padding:2px 6px;border-radius:4px}
.yg-coords{position:absolute;bottom:6px;right:10px;font:12px monospace;background:rgba(255,255,255,.85);
padding:2px 6px;border-radius:4px}
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",Arial,sans-serif;margin:0 auto;max-width:1400px;
padding:16px;color:#222}
h1{font-size:1.5em;margin:.2em 0} h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:1.6em}
table{border-collapse:collapse;font-size:13px;width:100%} th,td{border:1px solid #ddd;padding:4px 6px;
vertical-align:top;text-align:left} th{background:#f4f4f4;cursor:pointer;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.fail{color:#b00020;font-weight:bold} .warn{color:#b36b00;font-weight:bold} .pass{color:#1b7a1b;font-weight:bold}
.info{color:#246} .cards{display:flex;gap:12px;flex-wrap:wrap} .card{border:1px solid #ddd;border-radius:6px;
padding:8px 14px;min-width:120px} .card b{font-size:1.6em;display:block}
.yg-map-wrap{position:relative} .yg-map{width:100%;border:1px solid #bbb;background:#fafaf7;cursor:grab}
.yg-toggles{display:flex;flex-wrap:wrap;gap:10px;font-size:13px;margin:6px 0}
.yg-popup{position:absolute;top:40px;right:10px;max-width:480px;max-height:420px;overflow:auto;background:#fff;
border:1px solid #888;border-radius:6px;padding:8px 12px;box-shadow:0 2px 8px rgba(0,0,0,.25);font-size:13px}
.yg-note{font-size:12px;color:#666} .yg-filter{margin:6px 0;display:flex;gap:8px;align-items:center}
.yg-block:hover{stroke-width:4}
"""

_JS = r"""
(function(){
 window.addEventListener('error', function(e){document.body.setAttribute('data-error', e.message||'error');});
 var data = JSON.parse(document.getElementById('yg-data').textContent);
 var svg = document.getElementById('yg-map');
 if (svg) {
  var vb = svg.viewBox.baseVal, start = null;
  svg.addEventListener('wheel', function(ev){ ev.preventDefault();
   var r = svg.getBoundingClientRect(), k = ev.deltaY < 0 ? 0.8 : 1.25;
   var s = Math.max(vb.width / r.width, vb.height / r.height);
   var mx = vb.x + (ev.clientX - r.left - (r.width - vb.width / s) / 2) * s;
   var my = vb.y + (ev.clientY - r.top - (r.height - vb.height / s) / 2) * s;
   vb.x = mx - (mx - vb.x) * k; vb.y = my - (my - vb.y) * k; vb.width *= k; vb.height *= k; }, {passive:false});
  svg.addEventListener('mousedown', function(ev){ start = [ev.clientX, ev.clientY, vb.x, vb.y]; });
  var readout = document.getElementById('yg-coords'), ox = +svg.dataset.ox, oy = +svg.dataset.oy;
  svg.addEventListener('mousemove', function(ev){
   var r = svg.getBoundingClientRect(), s = Math.max(vb.width / r.width, vb.height / r.height);
   var x = vb.x + (ev.clientX - r.left - (r.width - vb.width / s) / 2) * s + ox;
   var y = oy - (vb.y + (ev.clientY - r.top - (r.height - vb.height / s) / 2) * s);
   var lon = x / 6378137 * 180 / Math.PI, lat = (2 * Math.atan(Math.exp(y / 6378137)) - Math.PI / 2) * 180 / Math.PI;
   if (readout) readout.textContent = data.words.lon + ' ' + lon.toFixed(5) + '°  ' + data.words.lat + ' ' +
    lat.toFixed(5) + '°'; });
  window.addEventListener('mouseup', function(){ start = null; });
  window.addEventListener('mousemove', function(ev){ if (!start) return;
   var r = svg.getBoundingClientRect(), s = Math.max(vb.width / r.width, vb.height / r.height);
   vb.x = start[2] - (ev.clientX - start[0]) * s; vb.y = start[3] - (ev.clientY - start[1]) * s; });
  document.querySelectorAll('[data-toggle]').forEach(function(box){
   box.addEventListener('change', function(){
    var g = svg.querySelector('[data-layer="' + box.dataset.toggle + '"]');
    if (g) g.style.display = box.checked ? '' : 'none'; }); });
  var popup = document.getElementById('yg-popup');
  svg.querySelectorAll('.yg-block').forEach(function(p){
   p.addEventListener('click', function(ev){ ev.stopPropagation();
    var b = data.blocks[p.dataset.block] || {}, rows = (data.findings[p.dataset.block] || []).map(function(f){
     return '<li><span class="' + f.severity + '">' + esc(f.word) + '</span> <b>' + f.rule_id + '</b> ' +
      esc(f.message) + '</li>'; }).join('');
    popup.innerHTML = '<b>' + esc(p.dataset.block) + ' ' + esc(b.name || '') + '</b><br>' + esc(b.kind || '') +
     ' · ' + esc(b.mineral || '') + ' · ' + b.area_km2 + ' km² · <span class="' + b.status + '">' +
     esc(b.status_word) + '</span><ul>' + (rows || '<li>' + esc(data.words.none) + '</li>') + '</ul>';
    popup.hidden = false; }); });
  svg.addEventListener('click', function(){ popup.hidden = true; });
 }
 function esc(s){ return String(s).replace(/[&<>"]/g, function(c){
  return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]; }); }
 var table = document.getElementById('yg-findings');
 if (table) {
  var body = table.tBodies[0], text = document.getElementById('yg-filter-text'),
      sev = document.getElementById('yg-filter-severity');
  function filter(){ var q = text.value.toLowerCase(), s = sev.value;
   Array.prototype.forEach.call(body.rows, function(r){
    var ok = (!q || r.textContent.toLowerCase().indexOf(q) >= 0) && (!s || r.dataset.severity === s);
    r.style.display = ok ? '' : 'none'; }); }
  text.addEventListener('input', filter); sev.addEventListener('change', filter);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function(th, i){
   th.addEventListener('click', function(){
    var asc = th.dataset.sort !== 'asc'; th.dataset.sort = asc ? 'asc' : 'desc';
    var rows = Array.prototype.slice.call(body.rows), num = th.classList.contains('num');
    rows.sort(function(a, b){ var x = a.cells[i].dataset.v || a.cells[i].textContent,
     y = b.cells[i].dataset.v || b.cells[i].textContent;
     if (num) { x = parseFloat(x) || 0; y = parseFloat(y) || 0; return asc ? x - y : y - x; }
     return asc ? x.localeCompare(y) : y.localeCompare(x); });
    rows.forEach(function(r){ body.appendChild(r); }); }); }); }
 document.body.setAttribute('data-ready', String(svg ? svg.querySelectorAll('.yg-block').length : 0));
})();
"""


def _e(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def _summary(report) -> str:
    unit = report.settings.get("area_unit", "km2")
    status = report.blocks["status"].value_counts()
    counts = report.counts()
    cards = "".join(
        f'<div class="card"><span class="{k}">{label}</span><b>{int(status.get(k, 0))}</b></div>'
        for k, label in ((s, _e(status_word(s))) for s in ("fail", "warn", "pass"))
    )
    cards += (
        f'<div class="card">{_e(t("findings"))}<b>{report.n_findings}</b>'
        f"{counts['fail']} {_e(severity_word('fail'))} · {counts['warn']} {_e(severity_word('warn'))} · "
        f"{counts['info']} {_e(severity_word('info'))}</div>"
    )
    by_rule = report.findings.groupby(["rule_id", "rule_name", "severity"]).size().reset_index(name="n")
    rule_rows = "".join(
        f'<tr><td>{_e(r.rule_id)}</td><td>{_e(title(r.rule_id))}</td><td class="{r.severity}">'
        f'{_e(severity_word(r.severity))}</td><td class="num">{r.n}</td></tr>'
        for r in by_rule.itertuples()
    )

    per_layer = overlap_totals(report.findings)
    layer_rows = "".join(
        f'<tr><td>{_e(layer_label(r.layer))}</td><td class="num">{r.count}</td>'
        f'<td class="num">{area_in(r.sum, unit):.4f}</td></tr>'
        for r in per_layer.itertuples()
    )
    none = f'<tr><td colspan="3">{_e(t("none"))}</td></tr>'
    return f"""<div class="cards">{cards}</div>
<h2>{_e(t("By rule"))}</h2><table><thead><tr><th>{_e(t("rule"))}</th><th>{_e(t("name"))}</th>
<th>{_e(t("severity"))}</th><th class="num">{_e(t("count"))}</th></tr></thead><tbody>{rule_rows}</tbody></table>
<h2>{_e(t("Overlap area per layer"))}</h2><table><thead><tr><th>{_e(t("layer"))}</th>
<th class="num">{_e(t("pieces"))}</th><th class="num">{_e(t("area {unit}", unit=unit_label(unit)))}</th></tr></thead>
<tbody>{layer_rows or none}</tbody></table>"""


def _blocks_table(report) -> str:
    unit = report.settings.get("area_unit", "km2")
    rows = "".join(
        f"<tr><td>{_e(r.block_id)}</td><td>{_e(r.name)}</td><td>{_e(kind_word(r.kind))}</td><td>{_e(r.mineral)}</td>"
        f'<td class="num">{area_in(r.area_km2 * 1e6, unit):.4f}</td><td class="{r.status}">{_e(status_word(r.status))}'
        f'</td><td class="num">{r.fail}</td><td class="num">{r.warn}</td></tr>'
        for r in report.summary().itertuples()
    )
    head = "".join(
        f"<th{cls}>{_e(label)}</th>"
        for label, cls in (
            (t("block"), ""),
            (t("name"), ""),
            (t("kind"), ""),
            (t("mineral"), ""),
            (t("area {unit}", unit=unit_label(unit)), ' class="num"'),
            (t("status"), ""),
            (t("fails"), ' class="num"'),
            (t("warnings"), ' class="num"'),
        )
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _findings_table(report) -> str:
    rows = []
    for f in report.findings.itertuples():
        m2 = "" if f.overlap_m2 != f.overlap_m2 else f"{f.overlap_m2:.2f}"
        km2 = "" if f.overlap_m2 != f.overlap_m2 else f"{f.overlap_m2 / 1e6:.4f}"
        ratio = "" if f.overlap_ratio != f.overlap_ratio else f"{100 * f.overlap_ratio:.2f}%"
        rows.append(
            f'<tr data-severity="{f.severity}"><td>{_e(f.block_id)}</td><td>{_e(f.block_name)}</td>'
            f"<td>{_e(f.rule_id)} {_e(title(f.rule_id))}</td>"
            f'<td class="{f.severity}">{_e(severity_word(f.severity))}</td>'
            f"<td>{_e(layer_label(f.layer) if isinstance(f.layer, str) else None)}</td>"
            f'<td>{_e(f.feature_id)}</td><td class="num" data-v="{m2}">{m2}</td>'
            f'<td class="num" data-v="{km2}">{km2}</td><td class="num">{ratio}</td><td>{_e(f.message)}</td>'
            f"<td>{_e(f.citation)}</td></tr>"
        )
    head = "".join(
        f"<th{cls}>{_e(label)}</th>"
        for label, cls in (
            (t("block"), ""),
            (t("name"), ""),
            (t("rule"), ""),
            (t("severity"), ""),
            (t("layer"), ""),
            (t("feature"), ""),
            (t("overlap m²"), ' class="num"'),
            (t("overlap km²"), ' class="num"'),
            (t("ratio"), ' class="num"'),
            (t("finding"), ""),
            (t("plan article"), ""),
        )
    )
    options = "".join(f'<option value="{s}">{_e(severity_word(s))}</option>' for s in ("fail", "warn", "info"))
    return f"""<div class="yg-filter"><input id="yg-filter-text" type="search" placeholder="{_e(t("filter…"))}">
<select id="yg-filter-severity"><option value="">{_e(t("all"))}</option>{options}</select>
<span>{_e(t("click a header to sort"))}</span></div>
<table id="yg-findings"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>"""


def _provenance(report) -> str:
    inputs = "".join(
        f"<tr><td>{_e(i.role)}</td><td>{_e(i.path)}</td><td>{_e(i.layer)}</td><td>{_e(i.crs)}"
        f"{_e(t(' (inferred)')) if i.crs_inferred else ''}</td><td>{_e(i.encoding)}</td>"
        f"<td class='num'>{i.features}</td>"
        f"<td><code>{_e(i.sha256)}</code></td></tr>"
        for i in report.inputs
    )
    settings = json.dumps(report.settings, ensure_ascii=False, indent=1)
    env = " · ".join(f"{k} {v}" for k, v in report.tool.get("environment", {}).items())
    skipped = "".join(f"<li>{_e(s['rule_id'])}: {_e(s['reason'])}</li>" for s in report.skipped_rules)
    head = "".join(
        f"<th>{_e(x)}</th>"
        for x in (t("role"), t("path"), t("layer"), t("CRS"), t("encoding"), t("features"), "SHA-256")
    )
    run = t("Run: {started}, {seconds} s", started=report.tool.get("started_at"), seconds=report.tool.get("elapsed_s"))
    settings_title = t("Settings (tolerance, rules, parameters)")
    return f"""<table><thead><tr>{head}</tr></thead><tbody>{inputs}</tbody></table>
<p>{_e(run)} · {_e(env)}</p>
<p>{_e(t("Rules not run:"))}</p><ul>{skipped or f"<li>{_e(t('none'))}</li>"}</ul>
<details><summary>{_e(settings_title)}</summary><pre>{html.escape(settings)}</pre></details>"""


def _popup_data(report) -> str:
    summary = report.summary()
    blocks = {
        str(r.block_id): {
            "name": r.name,
            "kind": kind_word(r.kind),
            "mineral": r.mineral,
            "area_km2": f"{r.area_km2:.4f}",
            "status": r.status,
            "status_word": status_word(r.status),
        }
        for r in summary.itertuples()
    }
    findings: dict = {}
    for f in report.findings.itertuples():
        if f.block_id is None or f.block_id != f.block_id:
            continue
        findings.setdefault(str(f.block_id), []).append(
            {"rule_id": f.rule_id, "severity": f.severity, "word": severity_word(f.severity), "message": f.message}
        )
    words = {"none": t("no findings"), "lon": t("lon"), "lat": t("lat")}
    text = json.dumps({"blocks": blocks, "findings": findings, "words": words}, ensure_ascii=False, default=str)
    return text.replace("</", "<\\/")


def report_html(report, *, tiles: str | None = None, title: str | None = None) -> str:
    """The whole self-contained HTML report, in the report's language (rule titles, severity words)."""
    with use_lang(report.settings.get("lang", "zh")):
        return _report_html(report, tiles=tiles, title=title)


def _report_html(report, *, tiles: str | None, title: str | None) -> str:
    heading = title or t("Yanggao County mineral planning blocks: compliance report")
    basis = t(
        "Yanggao County Mineral Resources Master Plan (2021–2025) · yangao_geo {version} · tolerance {tolerance} m² "
        "· areas on the CGCS2000 ellipsoid (TD/T 1055-2019, annex D)",
        version=report.tool.get("version"),
        tolerance=report.settings.get("tolerance_m2"),
    )
    lang = "zh-CN" if current_lang() == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(heading)}</title><style>{_CSS}</style></head>
<body data-ready="">
<h1>{html.escape(heading)}</h1>
<p>{_e(basis)}</p>
<h2>{_e(t("Summary"))}</h2>{_summary(report)}
<h2>{_e(t("Blocks"))}</h2>{_blocks_table(report)}
<h2>{_e(t("Map"))}</h2>{map_html(report, tiles=tiles)}
<h2>{_e(t("Findings"))}</h2>{_findings_table(report)}
<h2>{_e(t("Provenance"))}</h2>{_provenance(report)}
<script type="application/json" id="yg-data">{_popup_data(report)}</script>
<script>{_JS}</script>
</body></html>
"""


def notebook_html(report, max_findings: int = 10) -> str:
    """What a notebook shows for a Report: counts, the block summary and the first findings."""
    with use_lang(report.settings.get("lang", "zh")):
        return _notebook_html(report, max_findings)


def _notebook_html(report, max_findings: int) -> str:
    line = summary_line(report)
    head = f"<p><b>yangao_geo</b>: {_e(line)}</p>"
    first = report.findings.head(max_findings)
    rows = "".join(
        f"<tr><td>{_e(f.block_id)}</td><td>{_e(f.rule_id)} {_e(title(f.rule_id))}</td>"
        f"<td class='{f.severity}'>{_e(severity_word(f.severity))}</td><td>{_e(f.message)}</td></tr>"
        for f in first.itertuples()
    )
    more = report.n_findings - len(first)
    tail = f"<p>{_e(t('… {n} more findings in report.findings', n=more))}</p>" if more > 0 else ""
    columns = "".join(f"<th>{_e(x)}</th>" for x in (t("block"), t("rule"), t("severity"), t("finding")))
    return (
        f"<div class='yangao-report'><style>.yangao-report .fail{{color:#b00020;font-weight:bold}}"
        f".yangao-report .warn{{color:#b36b00}}</style>{head}{_blocks_table(report)}"
        f"<table><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>{tail}</div>"
    )


class MapView:
    """A notebook-displayable interactive map (rendered in an isolated iframe, offline)."""

    def __init__(self, report, *, tiles=None, height="520px"):
        self.report, self.tiles, self.height = report, tiles, height

    def to_html(self) -> str:
        body = map_html(self.report, tiles=self.tiles, height=self.height)
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{_CSS}</style></head>"
            f"<body data-ready=''>{body}<script type='application/json' id='yg-data'>{_popup_data(self.report)}"
            f"</script><script>{_JS}</script></body></html>"
        )

    def _repr_html_(self) -> str:
        doc = html.escape(self.to_html(), quote=True)
        return f'<iframe srcdoc="{doc}" style="width:100%;height:calc({self.height} + 90px);border:0"></iframe>'


def write_html(report, path, *, tiles: str | None = None) -> None:
    """Write the HTML report to ``path`` (UTF-8; the caller makes it atomic)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(report_html(report, tiles=tiles))
