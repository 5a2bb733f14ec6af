"""``yangao-geo fix``: propose, for each block, the largest compliant block inside it."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import OutputError
from ..fix import fix
from ..io.output import check_target
from .options import crs_option


@click.command("fix")
@click.argument("blocks", required=False, type=click.Path())
@click.option("--constraints", "-c", multiple=True, type=click.Path(), help="Constraint layers (as for check).")
@click.option("--kind", help="Block kind for every block (as for check).")
@click.option("--crs", help="CRS of BLOCKS when the file has none.")
@click.option("--margin", type=float, default=0.0, show_default=True, help="Safety margin from every feature (m).")
@click.option("--min-width", type=float, default=1.0, show_default=True, help="Drop parts narrower than this (m).")
@click.option("--keep", type=click.Choice(["largest", "all"]), default="largest", show_default=True)
@click.option("--min-area", type=float, help="With --keep all: drop pieces smaller than this (m²; default 1000).")
@click.option("--max-corners", type=int, default=200, show_default=True, help="At most this many corner points.")
@click.option(
    "--policy",
    type=click.Choice(["earlier", "larger", "both"]),
    default="earlier",
    show_default=True,
    help="Who keeps ground two proposed blocks share.",
)
@click.option(
    "-o", "--output", type=click.Path(), help="Proposals: .gpkg/.shp/.geojson (with figures), .txt, .xlsx, .csv."
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("-q", "--quiet", is_flag=True)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
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
    policy,
    output,
    overwrite,
    quiet,
    verbose,
) -> int:
    """Propose the compliant block inside each block of BLOCKS (default: the plan's own blocks).

    Exit status: 0 when every proposal passes the re-check, 1 when some do not (or no compliant block
    exists for a block), 2 on a usage or input error.
    """
    if output:
        if Path(output).suffix.lower() not in (".gpkg", ".shp", ".geojson", ".fgb", ".txt", ".xlsx", ".csv"):
            raise OutputError(
                f"{output}: unknown proposals format; expected .gpkg, .shp, .geojson, .fgb, .txt, .xlsx, .csv"
            )
        check_target(output, overwrite=overwrite, inputs=[blocks, *constraints])
    crs = crs_option(crs)
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
    )
    if output:
        result.to_file(output, overwrite=overwrite)
    p = result.proposals
    if not quiet:
        table = Table(title="区块避让调整 Proposed compliant blocks")
        for col in ("block", "area before km²", "after km²", "kept", "corners", "status after", "note"):
            table.add_column(col, overflow="fold")
        for r in p.itertuples():
            table.add_row(
                Text(str(r.block_id)),
                f"{r.area_before_m2 / 1e6:.4f}",
                f"{r.area_after_m2 / 1e6:.4f}",
                f"{100 * r.kept_ratio:.2f}%",
                f"{r.corners_before} → {r.corners_after}",
                Text(str(r.status_after or "-")),
                Text(str(r.note or "")),
            )
        Console(width=None if sys.stdout.isatty() else 160).print(table)
    bad = p.status_after.isna() | (p.status_after == "fail")
    return 1 if bad.any() else 0
