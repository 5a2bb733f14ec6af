"""``yangao-geo convert``: between vector files, land-survey TXT, registration text and corner tables."""

from __future__ import annotations

import click

from ..convert import convert


@click.command("convert")
@click.argument("src", type=click.Path())
@click.argument("dst", type=click.Path())
@click.option("--layer", help="Layer of a multi-layer SRC (e.g. 'findings' of a report GeoPackage).")
@click.option("--crs", help="CRS of SRC when it has none, e.g. 4547.")
@click.option("--zone", type=int, default=38, show_default=True, help="Gauss-Krüger zone of a .txt/.xlsx/.csv DST.")
@click.option("--zone-width", type=click.Choice(["3", "6"]), default="3", show_default=True, help="Zone width, °.")
@click.option("--prefix/--no-prefix", default=True, show_default=True, help="Write eastings with the zone prefix.")
@click.option("--precision", type=float, default=0.01, show_default=True, help="Coordinate precision of a .txt DST.")
@click.option("--encoding", default="gbk", show_default=True, help="Encoding of a .txt DST.")
@click.option("--overwrite", is_flag=True, help="Replace an existing DST.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
def convert_command(src, dst, layer, crs, zone, zone_width, prefix, precision, encoding, overwrite, verbose) -> int:
    """Convert SRC to DST; DST's suffix picks the format (.txt, .xlsx, .csv, .gpkg, .shp, .geojson, .fgb)."""
    if crs is not None and crs.strip().isdigit():
        crs = f"EPSG:{crs.strip()}"
    n = convert(
        src,
        dst,
        layer=layer,
        crs=crs,
        zone=zone,
        zone_width=int(zone_width),
        prefix=prefix,
        precision=precision,
        encoding=encoding,
        overwrite=overwrite,
    )
    click.echo(f"{n} features written to {dst}")
    return 0
