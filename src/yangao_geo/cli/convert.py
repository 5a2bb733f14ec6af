"""``yangao-geo convert``: between vector files, land-survey TXT, registration text and corner tables."""

from __future__ import annotations

import click

from ..i18n import N_, t
from .localized import Command
from .options import Vocabulary, crs_option, lang_option

CONVERT_HELP = N_("Convert SRC to DST; DST's suffix picks the format (.txt, .xlsx, .csv, .gpkg, .shp, .geojson, .fgb).")


@click.command("convert", cls=Command, help=CONVERT_HELP)
@click.argument("src", type=click.Path())
@click.argument("dst", type=click.Path())
@click.option("--layer", help=N_("Layer of a multi-layer SRC (e.g. 'findings' of a report GeoPackage)."))
@click.option("--crs", help=N_("CRS of SRC when it has none, e.g. 4547."))
@click.option(
    "--zone", type=int, help=N_("Gauss-Krüger zone of a .txt/.xlsx/.csv DST (default: SRC's own zone, else 38).")
)
@click.option("--zone-width", type=Vocabulary("zone_width"), help=N_("Zone width, ° (default: SRC's, else 3)."))
@click.option(
    "--prefix/--no-prefix", default=None, help=N_("Write eastings with the zone prefix (default: as SRC, else yes).")
)
@click.option(
    "--precision", type=float, default=0.01, show_default=True, help=N_("Coordinate precision of a .txt DST.")
)
@click.option("--encoding", help=N_("Encoding of a .txt DST (default: a TXT SRC's own, else GBK)."))
@click.option(
    "--table-layout",
    type=Vocabulary("table_layout"),
    default="flat",
    show_default=True,
    help=N_(
        "Layout of a corner-table DST: flat (one row per point) or official (界址点成果表, one sheet per block; .xlsx)."
    ),
)
@click.option("--overwrite", is_flag=True, help=N_("Replace an existing DST."))
@lang_option
@click.option("-v", "--verbose", is_flag=True, help=N_("Show tracebacks on errors."))
def convert_command(
    src, dst, layer, crs, zone, zone_width, prefix, precision, encoding, table_layout, overwrite, lang, verbose
) -> int:
    crs = crs_option(crs)
    from ..convert import convert  # the library is imported when the command runs (help answers at once)

    n = convert(
        src,
        dst,
        layer=layer,
        crs=crs,
        zone=zone,
        zone_width=None if zone_width is None else int(zone_width),
        prefix=prefix,
        precision=precision,
        encoding=encoding,
        overwrite=overwrite,
        table_layout=table_layout,
    )
    click.echo(t("{n} features written to {dst}", n=n, dst=dst))
    return 0
