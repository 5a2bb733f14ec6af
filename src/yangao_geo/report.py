"""The Report: findings and blocks tables, inputs, settings — the contract every writer reads.

Findings table columns (fixed, in this order): ``block_id, block_name, kind,
mineral, rule_id, rule_name, severity, layer, feature_id, overlap_m2,
overlap_ratio, message, citation, geometry``. Blocks table: ``block_id,
name, kind, mineral, area_m2, status, geometry``. Geometries are in EPSG:4547.

A block's ``status`` is its worst finding: ``fail``, else ``warn``, else
``pass`` (``info`` findings, such as the 地热/矿泉水 town-boundary exemption,
do not change it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from .findings import FINDING_COLUMNS, FindingColumns
from .i18n import t
from .io.vector import SourceInfo

__all__ = ["BLOCK_COLUMNS", "FINDING_COLUMNS", "SEVERITY_ORDER", "Report"]

BLOCK_COLUMNS = ("block_id", "name", "kind", "mineral", "area_m2", "status", "source", "geometry")
SEVERITY_ORDER = {"info": 0, "warn": 1, "fail": 2}


@dataclass
class Report:
    """Result of :func:`yangao_geo.check`.

    Attributes
    ----------
    findings : GeoDataFrame
        One row per finding (columns :data:`FINDING_COLUMNS`). A report from :func:`~yangao_geo.check`
        builds this table on first use; its writers, counts and summary read the findings column-wise
        without it (see :class:`~yangao_geo.findings.FindingColumns`).
    blocks : GeoDataFrame
        One row per block (columns :data:`BLOCK_COLUMNS`).
    inputs : list of SourceInfo
        Every input read, with path, layer, CRS, encoding, feature count, SHA-256.
    skipped_rules : list of dict
        ``{"rule_id", "reason"}`` for every rule that did not run.
    settings : dict
        Tolerance, rules, parameters, area method.
    tool : dict
        Name and version of yangao_geo, start time, run time, library versions.
    """

    _findings: gpd.GeoDataFrame | FindingColumns
    blocks: gpd.GeoDataFrame
    inputs: list[SourceInfo] = field(default_factory=list)
    skipped_rules: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    tool: dict = field(default_factory=dict)
    #: constraint features near the blocks, by layer (for maps; not written to JSON)
    context: dict = field(default_factory=dict, repr=False)
    #: (table, lon/lat corner points as delivered, CRS) of the blocks as the check read them (propose_fixes)
    blocks_as_read: tuple | None = field(default=None, repr=False)

    @property
    def findings(self) -> gpd.GeoDataFrame:
        if isinstance(self._findings, FindingColumns):
            self._findings = self._findings.frame()
        return self._findings

    def _finding_slice(self, names, start: int = 0, stop: int | None = None, *, arrow: bool = False) -> dict:
        """Columns of report rows ``start:stop`` as object/float arrays, from whichever form is at hand.

        ``arrow``: texts stored as Arrow arrays are returned as such (see :meth:`FindingColumns.slice`).
        """
        if isinstance(self._findings, FindingColumns):
            return self._findings.slice(names, start, stop, arrow=arrow)
        part = self._findings.iloc[start:stop]
        return {k: part[k].to_numpy(dtype=float if k in ("overlap_m2", "overlap_ratio") else object) for k in names}

    @property
    def n_findings(self) -> int:
        """Number of findings (without building the findings table)."""
        return len(self._findings)

    # ------------------------------------------------------------- questions
    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        c = self._severity_counts()
        return {s: int(c.get(s, 0)) for s in ("fail", "warn", "info")}

    def _severity_counts(self) -> dict:
        if isinstance(self._findings, FindingColumns):  # counted on the codes: no column of millions built
            return self._findings.value_counts("severity")
        return pd.Series(self._findings["severity"], dtype=object).value_counts().to_dict()

    def exit_code(self, fail_on: str = "fail") -> int:
        """0 when no finding reaches ``fail_on`` (``"fail"`` or ``"warn"``), else 1."""
        from .vocabulary import normalise

        fail_on = normalise("fail_on", fail_on)
        threshold = SEVERITY_ORDER[fail_on]
        worst = max((SEVERITY_ORDER.get(s, -1) for s, n in self._severity_counts().items() if n), default=-1)
        return 1 if worst >= threshold else 0

    def summary(self) -> pd.DataFrame:
        """One row per block: id, name, kind, mineral, area (km², 4 dp), status, finding counts.

        Examples
        --------
        >>> import yangao_geo
        >>> yangao_geo.check().summary().columns.tolist()
        ['block_id', 'name', 'kind', 'mineral', 'area_km2', 'status', 'fail', 'warn', 'info']
        """
        table = pd.DataFrame(self.blocks.drop(columns="geometry"))
        table["area_km2"] = (table.pop("area_m2") / 1e6).round(4)
        found = pd.DataFrame(self._finding_slice(["block_id", "severity"]), dtype=object)
        per = found.groupby(["block_id", "severity"]).size().unstack(fill_value=0)
        for sev in ("fail", "warn", "info"):
            counts = per[sev] if sev in per.columns else pd.Series(dtype=int)
            table[sev] = table["block_id"].map(counts).fillna(0).astype(int)
        return table[["block_id", "name", "kind", "mineral", "area_km2", "status", "fail", "warn", "info"]]

    # --------------------------------------------------------------- export
    def to_dict(self, *, findings: bool = True) -> dict:
        """The JSON report as a dict (schema documented in README, "JSON report")."""
        from .reports.json_document import report_dict

        return report_dict(self, findings=findings)

    def to_json(self, path=None, *, overwrite: bool = False, indent: int = 2) -> str | None:
        """The JSON report as text, or — when ``path`` is given — written there atomically (returns None).

        Same document as :meth:`to_dict`; the findings (there may be millions) are serialised column-wise
        by pandas, and streamed to the file in chunks rather than built as one string.
        """
        if path is None:
            import io

            from .reports.json_document import write_json

            buffer = io.StringIO()
            write_json(self, buffer, indent)
            return buffer.getvalue()
        from .io.output import atomic_path
        from .reports.json_document import write_json

        with (
            atomic_path(path, overwrite=overwrite, inputs=self.input_paths) as tmp,
            open(tmp, "w", encoding="utf-8") as fh,
        ):
            write_json(self, fh, indent)
        return None

    @property
    def input_paths(self) -> list[str]:
        """The files this report was made from (blocks and constraints): an output may never replace them."""
        return [i.path for i in self.inputs if i.path and not i.path.startswith("<")]

    def to_html(self, path=None, *, tiles: str | None = None, overwrite: bool = False) -> str | None:
        """The self-contained HTML report (summary, map, findings, provenance); opens offline.

        Like pandas: with ``path`` it is written there (atomically, never over an input; returns None),
        without it the text is returned. ``tiles``: an optional XYZ tile URL template for a base map under
        the map, e.g. 天地图's ``https://t0.tianditu.gov.cn/vec_w/wmts?...&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY``.
        """
        from .reports.html_page import report_html

        text = report_html(self, tiles=tiles)
        if path is None:
            return text
        from .reports import write_text

        write_text(path, text, overwrite=overwrite, inputs=self.input_paths)
        return None

    def to_csv(self, path=None, *, overwrite: bool = False) -> str | None:
        """The findings as CSV (UTF-8 with BOM when written); without ``path`` the text is returned."""
        if path is None:
            import io

            from .reports.csv_table import write_csv_rows

            buffer = io.BytesIO()
            write_csv_rows(self, buffer)  # the file's rows, as the file has them (without its BOM)
            return buffer.getvalue().decode("utf-8")
        self._to(path, ".csv", overwrite)
        return None

    def to_excel(self, path=None, *, overwrite: bool = False) -> bytes | None:
        """The workbook (汇总, 明细, 说明) at ``path`` (.xlsx); without ``path`` its bytes are returned."""
        if path is None:
            return self._bytes(".xlsx")
        self._to(path, ".xlsx", overwrite)
        return None

    def to_docx(self, path=None, *, overwrite: bool = False) -> bytes | None:
        """The review opinion (审查意见书) at ``path`` (.docx); without ``path`` its bytes are returned."""
        if path is None:
            return self._bytes(".docx")
        self._to(path, ".docx", overwrite)
        return None

    def _bytes(self, suffix: str) -> bytes:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory(prefix="yangao_geo-") as folder:
            target = Path(folder) / f"report{suffix}"
            self.to_file(target)
            return target.read_bytes()

    def _to(self, path, suffix: str, overwrite: bool) -> None:
        from pathlib import Path

        from .errors import OutputError

        if Path(path).suffix.lower() != suffix:
            raise OutputError(t("{path}: expected a {suffix} file name", path=path, suffix=suffix))
        self.to_file(path, overwrite=overwrite)

    def propose_fixes(self, **kwargs):
        """For every block of this report, the largest compliant block inside it (:func:`yangao_geo.fix`).

        The blocks are this report's (their kinds, minerals and the rights they convert as checked); the
        constraint layers are the files this report read (the same layers), or — for layers given as
        GeoDataFrames — the features the report kept around the blocks. Keywords go to
        :func:`yangao_geo.fix` (``margin_m``, ``grid``, ``max_corners`` …); the language is the report's.
        """
        from .fixer import fix
        from .layers import OPTIONAL_LAYERS, REQUIRED_LAYERS

        blocks = self.blocks_as_read if self.blocks_as_read is not None else self.blocks
        names = {*REQUIRED_LAYERS, *OPTIONAL_LAYERS}
        files = {i.role: i.path for i in self.inputs if i.role in names}
        if files and all(not str(p).startswith("<") for p in files.values()):
            constraints = files
        else:
            constraints = {name: gdf for name, gdf in self.context.items() if name in names}
        kwargs.setdefault("lang", self.settings.get("lang"))
        return fix(blocks, constraints, **kwargs)

    def to_postgis(self, url: str, *, schema: str | None = None, crs: int = 4490) -> int:
        """Append this report to a PostGIS database as a new run (blocks, findings, provenance); returns the run id.

        Tables ``yangao_runs``, ``yangao_blocks``, ``yangao_findings`` (geometry in EPSG ``crs``) in ``schema``
        (else the URL's ``?schema=``, else public), written in one transaction; earlier runs are kept, and
        the view ``yangao_latest_blocks`` shows the latest run per block (``pip install "yangao-geo[postgis]"``).
        """
        from .io.postgis import write_report

        return write_report(self, url, schema=schema, crs=crs)

    def _repr_html_(self) -> str:
        """Jupyter display: the summary per block and the first findings."""
        from .reports.html_page import notebook_html

        return notebook_html(self)

    def explore(self, m=None, *, tiles="OpenStreetMap", **kwargs):
        """The report on a folium map, as ``GeoDataFrame.explore`` returns one (``pip install "yangao-geo[explore]"``).

        Blocks coloured by status with their findings in a tooltip, the overlap pieces and the constraint
        layers around the blocks, each switchable; ``m``: draw onto an existing folium map. Returns the
        :class:`folium.Map`, to which more layers can be added (``gdf.explore(m=m)``). Needs the web for
        Leaflet and the tiles; :meth:`map_view` is the offline map.
        """
        from .reports.folium_map import explore

        return explore(self, m, tiles=tiles, **kwargs)

    def map_view(self, *, tiles: str | None = None, height: str = "520px"):
        """The offline interactive map of the HTML report (no network, no third-party script), for a notebook."""
        from .reports.html_page import MapView

        return MapView(self, tiles=tiles, height=height)

    def plot(self, ax=None, **kwargs):
        """A static matplotlib map: blocks coloured by status over the constraint layers. Returns the Axes."""
        from .reports.plotting import plot_report

        return plot_report(self, ax=ax, **kwargs)

    def to_file(self, path, *, overwrite: bool = False) -> None:
        """Write the report; the suffix picks the format (.json, .csv, .gpkg, .html, .xlsx)."""
        from .reports import write_report

        write_report(self, path, overwrite=overwrite)

    def __repr__(self) -> str:
        c = self.counts()
        status = self.blocks["status"].value_counts()
        return (
            f"<Report: {len(self.blocks)} blocks ({int(status.get('fail', 0))} fail, "
            f"{int(status.get('warn', 0))} warn, {int(status.get('pass', 0))} pass); "
            f"{self.n_findings} findings ({c['fail']} fail, {c['warn']} warn, {c['info']} info)>"
        )
