"""``yangao-geo partition``: a large constraint layer as spatially partitioned GeoParquet."""

from __future__ import annotations

import click

from ..i18n import N_, t
from .localized import Command
from .options import lang_option

PARTITION_HELP = N_(
    """Write layer SRC as a folder DST of GeoParquet parts cut by location (Hilbert order, bounded memory).

Name DST after the layer (e.g. basic_farmland.parquet) and pass it with --constraints: a check then
reads only the parts near the blocks, and with --dask each worker reads its own parts."""
)


@click.command("partition", cls=Command, help=PARTITION_HELP)
@click.argument("src", type=click.Path())
@click.argument("dst", type=click.Path())
@click.option("--layer", help=N_("Layer of a multi-layer SRC, e.g. basic_farmland."))
@click.option("--features-per-part", type=int, default=100_000, show_default=True, help=N_("Features per part."))
@lang_option
@click.option("-v", "--verbose", is_flag=True, help=N_("Show tracebacks on errors."))
def partition_command(src, dst, layer, features_per_part, lang, verbose) -> int:
    from ..partition import partition_layer  # imported when the command runs (help answers at once)

    result = partition_layer(src, dst, layer=layer, features_per_part=features_per_part)
    click.echo(
        t(
            "{n} features written to {parts} parts in {path}",
            n=result["features"],
            parts=result["parts"],
            path=result["path"],
        )
    )
    return 0
