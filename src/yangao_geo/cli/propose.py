"""``yangao-geo propose``: delineate the best compliant block around each deposit."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OutputError
from ..i18n import N_, t
from ..io.output import check_target
from .console import console as terminal_console
from .localized import Command
from .options import Vocabulary, crs_option, echo_proposals, proposal_output_options

PROPOSE_HELP = N_(
    """Propose, around each deposit of DEPOSITS, the best compliant block: an exploration block of whole
lon/lat grid cells, or a mining block from the deposit outline.

Exit status: 0 when every proposal passes its re-check, 1 when some do not (or a deposit cannot be covered
whole), 2 on a usage or input error."""
)

_SUFFIXES = (".gpkg", ".shp", ".geojson", ".fgb", ".txt", ".xlsx", ".csv")


@click.command("propose", cls=Command, help=PROPOSE_HELP)
@click.argument("deposits", type=click.Path())
@click.option("--constraints", "-c", multiple=True, type=click.Path(), help=N_("Constraint layers (as for check)."))
@click.option("--kind", type=Vocabulary("kind"), default="exploration", show_default=True, help=N_("Block kind."))
@click.option("--mineral", help=N_("Mineral of every deposit, e.g. 金 (else the file's mineral column)."))
@click.option("--margin", type=float, default=0.0, show_default=True, help=N_("Margin kept around the deposit (m)."))
@click.option(
    "--grid", type=Vocabulary("grid"), default="1min", show_default=True, help=N_("Grid of exploration blocks.")
)
@click.option("--target-area", type=float, help=N_("For point deposits: the target area (km²) around each point."))
@click.option("--crs", help=N_("CRS of DEPOSITS when the file has none."))
@click.option("-o", "--output", type=click.Path(), help=N_("Proposals: .gpkg/.shp/.geojson, .txt, .xlsx, .csv."))
@proposal_output_options
def propose_command(
    deposits,
    constraints,
    kind,
    mineral,
    margin,
    grid,
    target_area,
    crs,
    output,
    overwrite,
    as_json,
    quiet,
    lang,
    verbose,
) -> int:
    if output:
        if Path(output).suffix.lower() not in _SUFFIXES:
            raise OutputError(
                t("{output}: unknown proposals format; expected {formats}", output=output, formats=", ".join(_SUFFIXES))
            )
        check_target(output, overwrite=overwrite, inputs=[deposits, *constraints])
    from ..proposer import propose  # the library is imported when the command runs (help answers at once)

    result = propose(
        deposits,
        list(constraints) or None,
        kind=kind,
        mineral=mineral,
        margin_m=margin,
        grid=grid,
        target_area_km2=target_area,
        crs=crs_option(crs),
    )
    if output:
        result.to_file(output, overwrite=overwrite)
    p = result.proposals
    status = p["status"] if "status" in p.columns else p["status_after"]
    if as_json:
        echo_proposals(p)
    elif not quiet:
        from rich.table import Table
        from rich.text import Text

        from ..rules.titles import status_word

        table = Table(title=t("Proposed blocks around the deposits"))
        for col in (t("deposit"), t("cells"), t("corners"), t("area km²"), t("status"), t("note")):
            table.add_column(col, overflow="fold")
        area = p["area_m2"] if "area_m2" in p.columns else p["area_after_m2"]
        cells = p["grid_cells"] if "grid_cells" in p.columns else [None] * len(p)
        corners = p["corners"] if "corners" in p.columns else p["corners_after"]
        for r, a, c, k, s in zip(p.itertuples(), area, cells, corners, status):
            table.add_row(
                Text(str(r.block_id)),
                "-" if c is None or c != c else str(int(c)),
                "-" if k is None or k != k else str(int(k)),
                f"{a / 1e6:.4f}",
                Text(status_word(s) if isinstance(s, str) else "-"),
                Text(str(r.note or "")),
            )
        terminal_console().print(table)
    bad = status.isna() | (status == "fail") | p["note"].astype(str).str.len().gt(0)
    return 1 if bad.any() else 0
