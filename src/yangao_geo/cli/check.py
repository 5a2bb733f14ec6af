"""``yangao-geo check``: check a blocks file (default: the plan's own blocks) and report.

The library (geopandas, the rules) is imported when the command runs, not when the command line is
parsed: ``yangao-geo --help`` and usage errors answer at once.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..errors import InputError, OutputError
from ..i18n import N_, t, use_lang
from ..io.output import check_target
from ..reports import FORMATS
from ..vocabulary import VOCABULARY
from .console import console as terminal_console
from .localized import Command, Option
from .options import Vocabulary, crs_option, lang_option


@contextlib.contextmanager
def _progress(quiet: bool):
    """A rich progress bar over the rules on a terminal; nothing when piped or quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn(t("checking")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(t("reading"), total=None)

        def update(done, total, label):
            bar.update(task, completed=done, total=total, description=label)

        yield update


def _check_encoding(encoding) -> None:
    """An unknown --encoding is named as such (not reported later as a decoding error)."""
    if encoding is None:
        return
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            t("--encoding {encoding}: unknown encoding; expected e.g. gbk, gb18030, utf-8", encoding=repr(encoding))
        ) from None


CHECK_HELP = N_(
    """Check BLOCKS (default: the plan's own blocks) against the plan's rules.

BLOCKS may be several files, folders (searched recursively) or glob patterns:
then each input gets its own report in the folder -o DIR, plus index.csv and
index.json, and one bad input never stops the run.

Exit status: 0 no finding at or above --fail-on, 1 some, 2 usage or input error
(in batch mode: any input that could not be checked)."""
)


@click.command("check", cls=Command, help=CHECK_HELP)
@click.argument("blocks", nargs=-1, type=click.Path(dir_okay=True))
@click.option(
    "--constraints",
    "-c",
    multiple=True,
    type=click.Path(),
    help=N_("GeoPackage or directory of constraint layers (repeatable). Default: the bundled layers."),
)
@click.option("--layer", help=N_("Layer of a multi-layer BLOCKS file."))
@click.option(
    "--kind",
    type=Vocabulary("kind"),
    cls=Option,
    help=N_("Block kind for every block (else the file's kind/类型 column): {kinds}"),
    help_fields={"kinds": "; ".join(f"{k} ({'/'.join(v[1:])})" for k, v in VOCABULARY["kind"].items())},
)
@click.option("--mineral", help=N_("Mineral of every block, e.g. 金 (text formats carry none)."))
@click.option("--degree", help=N_("Exploration degree of every block: 预查, 普查, 详查 or 勘探."))
@click.option("--reserve-scale", help=N_("Reserve scale of every block: 大型, 中型 or 小型."))
@click.option("--capacity", help=N_("Design capacity of every block, e.g. '5万吨/年'."))
@click.option("--crs", help=N_("CRS of BLOCKS when the file has none, e.g. 4547 or EPSG:4526."))
@click.option("--tolerance", type=float, help=N_("Overlaps at or below this many m² are slivers (warn). Default 1.0."))
@click.option(
    "--edges",
    type=Vocabulary("edges"),
    help=N_(
        "Edge convention: straight in each file's own CRS (source, default) or vertices projected only "
        "(vertices, as ArcGIS/QGIS reproject)."
    ),
)
@click.option(
    "--width-tolerance",
    type=float,
    help=N_("Overlap pieces narrower than this many metres everywhere are shared edges (info). Default 0.05."),
)
@click.option(
    "--regulations",
    type=Vocabulary("regulations"),
    help=N_(
        "Regulations applied: current (default; 2024 law, 2025 farmland rules, 142号文) or plan-2022 (as written)."
    ),
)
@lang_option
@click.option(
    "--area-unit",
    type=Vocabulary("area_unit"),
    help=N_("Area unit the reports show besides m²: km2 (default), ha (hectares) or mu."),
)
@click.option("--rules", "rule_list", help=N_("Comma-separated rule codes or names to run (default: all)."))
@click.option("--config", type=click.Path(), help=N_("TOML settings file (tolerance, rule parameters, minerals)."))
@click.option(
    "--fail-on",
    type=Vocabulary("fail_on"),
    default="fail",
    show_default=True,
    help=N_("Exit 1 when a finding reaches this severity."),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    cls=Option,
    help=N_("Write the report; the suffix picks the format ({formats})."),
    help_fields={"formats": ", ".join(FORMATS)},
)
@click.option("--overwrite", is_flag=True, help=N_("Replace an existing output file."))
@click.option(
    "--engine",
    type=Vocabulary("engine"),
    default="pyogrio",
    show_default=True,
    help=N_("Vector I/O engine."),
)
@click.option(
    "--encoding", help=N_("Attribute encoding of BLOCKS (default: detected; shapefiles: .cpg, DBF, UTF-8, GBK).")
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help=N_("Batch: worker processes (default: all cores)."))
@click.option(
    "--format",
    "formats",
    default="json",
    show_default=True,
    cls=Option,
    help=N_("Batch: report format(s) per input, comma-separated ({formats})."),
    help_fields={"formats": ", ".join(f[1:] for f in FORMATS)},
)
@click.option(
    "--skip-unchanged",
    is_flag=True,
    help=N_("Batch: re-check only inputs (or constraints/settings) changed since DIR/index.json."),
)
@click.option("--dask", "dask_address", help=N_("Compute overlaps on a Dask cluster: its scheduler address."))
@click.option(
    "--findings-db",
    help=N_("Also append the blocks and findings to this PostGIS database (postgresql://user@host/db?schema=…)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Print the JSON report to stdout instead of the tables."))
@click.option("-q", "--quiet", is_flag=True, help=N_("No terminal tables (exit code and -o output only)."))
@click.option("-v", "--verbose", is_flag=True, help=N_("Show tracebacks on errors."))
def check_command(
    blocks,
    constraints,
    layer,
    kind,
    mineral,
    degree,
    reserve_scale,
    capacity,
    crs,
    tolerance,
    edges,
    width_tolerance,
    regulations,
    lang,
    area_unit,
    rule_list,
    config,
    fail_on,
    output,
    overwrite,
    engine,
    encoding,
    jobs,
    formats,
    skip_unchanged,
    dask_address,
    findings_db,
    as_json,
    quiet,
    verbose,
) -> int:
    crs = crs_option(crs)
    attributes = {
        k: v
        for k, v in (("mineral", mineral), ("degree", degree), ("reserve_scale", reserve_scale), ("capacity", capacity))
        if v is not None
    } or None
    from ..io.postgis import is_postgis_url  # a database URL is one input (its "?" is no glob)

    if len(blocks) > 1 or any(
        not is_postgis_url(b) and (Path(b).is_dir() or (set("*?[") & set(b) and not Path(b).exists())) for b in blocks
    ):
        options = {
            "kind": kind,
            "crs": crs,
            "tolerance_m2": tolerance,
            "edges": edges,
            "width_tolerance_m": width_tolerance,
            "regulations_profile": regulations,
            "lang": lang,
            "attributes": attributes,
            "area_unit": area_unit,
            "rules": rule_list,
            "config": config,
            "engine": engine,
            "encoding": encoding,
        }
        if findings_db:
            raise InputError(t("--findings-db takes the report of one input; check the inputs one by one"))
        from .batch import run_batch

        return run_batch(
            blocks,
            constraints=list(constraints) or None,
            output=output,
            formats=formats,
            jobs=jobs,
            skip_unchanged=skip_unchanged,
            overwrite=overwrite,
            fail_on=fail_on,
            quiet=quiet,
            options=options,
            as_json=as_json,
        )
    if output:
        # the destination is checked before the work: never an input, a folder or a FIFO, never an
        # existing file without --overwrite, the folder must exist and be writable
        if Path(output).suffix.lower() not in FORMATS:
            raise OutputError(
                t(
                    "{output}: unknown report format {value}; expected one of {value2}",
                    output=output,
                    value=repr(Path(output).suffix.lower() or "(no suffix)"),
                    value2=", ".join(FORMATS),
                )
            )
        check_target(output, overwrite=overwrite, inputs=[*(blocks or []), *constraints, config])
    _check_encoding(encoding)
    from ..checker import check

    with _progress(quiet) as progress:
        report = check(
            blocks[0] if blocks else None,
            list(constraints) or None,
            kind=kind,
            crs=crs,
            tolerance_m2=tolerance,
            edges=edges,
            width_tolerance_m=width_tolerance,
            regulations_profile=regulations,
            lang=lang,
            attributes=attributes,
            area_unit=area_unit,
            rules=rule_list,
            config=config,
            layer=layer,
            engine=engine,
            encoding=encoding,
            progress=progress,
            dask=dask_address,
            # only the GeoPackage and HTML outputs draw geometries: otherwise keep none in memory
            keep_geometry=bool(output) and Path(output).suffix.lower() in (".gpkg", ".html", ".docx"),
        )
    if output:
        report.to_file(output, overwrite=overwrite)
    run_id = report.to_postgis(findings_db) if findings_db else None
    if as_json:
        click.echo(report.to_json())
    elif not quiet:
        from rich.text import Text

        from .tables import print_report

        console = terminal_console()
        with use_lang(report.settings.get("lang", "zh")):
            print_report(report, console)
            if output:
                console.print(Text(t("report written to {path}", path=output)))
            if run_id is not None:
                from ..io.postgis import safe_url

                console.print(Text(t("findings appended to {url} as run {run}", url=safe_url(findings_db), run=run_id)))
    return report.exit_code(fail_on)
