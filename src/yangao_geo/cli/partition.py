"""``yangao-geo partition``: a large constraint layer as spatially partitioned GeoParquet."""

from __future__ import annotations

import click

from ..partition import FEATURES_PER_PART, partition_layer


@click.command("partition")
@click.argument("src", type=click.Path())
@click.argument("dst", type=click.Path())
@click.option("--layer", help="Layer of a multi-layer SRC, e.g. basic_farmland.")
@click.option("--features-per-part", type=int, default=FEATURES_PER_PART, show_default=True, help="Features per part.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
def partition_command(src, dst, layer, features_per_part, verbose) -> int:
    """Write layer SRC as a folder DST of GeoParquet parts cut by location (Hilbert order, bounded memory).

    Name DST after the layer (e.g. basic_farmland.parquet) and pass it with --constraints: a check then
    reads only the parts near the blocks, and with --dask each worker reads its own parts.
    """
    result = partition_layer(src, dst, layer=layer, features_per_part=features_per_part)
    click.echo(f"{result['features']} features written to {result['parts']} parts in {result['path']}")
    return 0
