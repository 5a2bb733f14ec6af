"""``yangao-geo fix``: propose, for each block, the largest compliant block inside it."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OutputError
from ..i18n import N_, t
from ..io.output import check_target
from .console import console as terminal_console
from .localized import Command
from .options import Vocabulary, crs_option, echo_proposals, proposal_output_options

FIX_HELP = N_(
    """Propose the compliant block inside each block of BLOCKS (default: the plan's own blocks).

Exit status: 0 when every proposal passes the re-check, 1 when some do not (or no compliant block
exists for a block), 2 on a usage or input error."""
)


@click.command("fix", cls=Command, help=FIX_HELP)
@click.argument("blocks", required=False, type=click.Path())
@click.option("--constraints", "-c", multiple=True, type=click.Path(), help=N_("Constraint layers (as for check)."))
@click.option("--kind", type=Vocabulary("kind"), help=N_("Block kind for every block (as for check)."))
@click.option("--crs", help=N_("CRS of BLOCKS when the file has none."))
@click.option("--margin", type=float, default=0.0, show_default=True, help=N_("Safety margin from every feature (m)."))
@click.option("--min-width", type=float, default=1.0, show_default=True, help=N_("Drop parts narrower than this (m)."))
@click.option(
    "--keep",
    type=Vocabulary("keep"),
    default="largest",
    show_default=True,
    help=N_("Keep the largest piece, or all pieces not smaller than --min-area."),
)
@click.option("--min-area", type=float, help=N_("With --keep all: drop pieces smaller than this (m²; default 1000)."))
@click.option("--max-corners", type=int, default=200, show_default=True, help=N_("At most this many corner points."))
@click.option(
    "--grid",
    type=Vocabulary("grid"),
    help=N_("Snap inward to this lon/lat grid: only whole 1′, 30″ or 15″ cells that are fully allowed."),
)
@click.option(
    "--policy",
    type=Vocabulary("policy"),
    default="earlier",
    show_default=True,
    help=N_("Who keeps ground two proposed blocks share."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help=N_(
        "Proposals: .gpkg/.shp/.geojson (with figures), .txt, .xlsx, .csv; .html/.docx: table and before/after maps."
    ),
)
@proposal_output_options
def fix_command(
    blocks,
    constraints,
    kind,
    crs,
    margin,
    min_width,
    keep,
    min_area,
    max_corners,
    grid,
    policy,
    output,
    overwrite,
    as_json,
    quiet,
    lang,
    verbose,
) -> int:
    if output:
        if Path(output).suffix.lower() not in (
            ".gpkg",
            ".shp",
            ".geojson",
            ".fgb",
            ".txt",
            ".xlsx",
            ".csv",
            ".html",
            ".docx",
        ):
            raise OutputError(
                t(
                    "{output}: unknown proposals format; expected .gpkg, .shp, .geojson, .fgb, .txt, .xlsx, .csv, "
                    ".html, .docx",
                    output=output,
                )
            )
        check_target(output, overwrite=overwrite, inputs=[blocks, *constraints])
    crs = crs_option(crs)
    from ..fixer import fix  # the library is imported when the command runs (help answers at once)

    result = fix(
        blocks,
        list(constraints) or None,
        margin_m=margin,
        min_width_m=min_width,
        min_area_m2=min_area,
        keep=keep,
        max_corners=max_corners,
        policy=policy,
        kind=kind,
        crs=crs,
        grid=grid,
    )
    if output:
        result.to_file(output, overwrite=overwrite)
    p = result.proposals
    from rich.table import Table
    from rich.text import Text

    from ..rules.titles import status_word

    if as_json:
        echo_proposals(p)
    elif not quiet:
        table = Table(title=t("Proposed compliant blocks"))
        cols = (t("block"), t("area before km²"), t("after km²"), t("kept"), t("corners"), t("status after"), t("note"))
        for col in cols:
            table.add_column(col, overflow="fold")
        for r in p.itertuples():
            table.add_row(
                Text(str(r.block_id)),
                f"{r.area_before_m2 / 1e6:.4f}",
                f"{r.area_after_m2 / 1e6:.4f}",
                f"{100 * r.kept_ratio:.2f}%",
                f"{r.corners_before} → {r.corners_after}",
                Text(status_word(r.status_after) if isinstance(r.status_after, str) else "-"),
                Text(str(r.note or "")),
            )
        terminal_console().print(table)
    bad = p.status_after.isna() | (p.status_after == "fail")
    return 1 if bad.any() else 0
