"""Option values shared by the commands."""

from __future__ import annotations

import click

from ..i18n import N_, use_lang

__all__ = ["Vocabulary", "crs_option", "echo_proposals", "lang_option", "proposal_output_options"]


class Vocabulary(click.ParamType):
    """A click type for an option whose values come from :data:`yangao_geo.vocabulary.VOCABULARY`.

    Accepts every alias the Python API and config files accept (``--area-unit 公顷``, ``--kind 勘查``) and
    passes on the canonical value; the help lists the canonical values.
    """

    def __init__(self, option: str):
        self.option = option
        self.name = option

    def get_metavar(self, param, ctx=None):
        from ..vocabulary import canonical_values

        return "[" + "|".join(canonical_values(self.option)) + "]"

    def convert(self, value, param, ctx):
        from ..errors import InputError
        from ..vocabulary import normalise, unknown

        if value is None:
            return None
        try:
            return normalise(self.option, value)
        except InputError:
            self.fail(unknown(self.option, value), param, ctx)


def _enter_lang(ctx, param, value):
    if value is not None:
        ctx.with_resource(use_lang(value))
    return value


#: ``--lang zh|en`` for every command: messages, tables and reports in that language for the command's run
lang_option = click.option(
    "--lang",
    type=Vocabulary("lang"),
    is_eager=True,
    callback=_enter_lang,
    help=N_("Language of messages and reports: zh (简体中文, default) or en. Also YANGAO_GEO_LANG, config lang."),
)


def crs_option(value: str | None) -> str | None:
    """``--crs 4547`` as ``EPSG:4547``; any other CRS text as given.

    Examples
    --------
    >>> crs_option("4547"), crs_option("EPSG:4526"), crs_option(None)
    ('EPSG:4547', 'EPSG:4526', None)
    """
    if value is not None and value.strip().isdigit():
        return f"EPSG:{value.strip()}"
    return value


def proposal_output_options(command):
    """``--overwrite``, ``--json``, ``-q``, ``--lang`` and ``-v`` of the commands that print proposals."""
    for option in reversed(
        (
            click.option("--overwrite", is_flag=True, help=N_("Replace an existing output file.")),
            click.option(
                "--json",
                "as_json",
                is_flag=True,
                help=N_("Print the proposals as JSON (without geometry) instead of the table."),
            ),
            click.option("-q", "--quiet", is_flag=True, help=N_("No terminal table (exit code and -o output only).")),
            lang_option,
            click.option("-v", "--verbose", is_flag=True, help=N_("Show tracebacks on errors.")),
        )
    ):
        command = option(command)
    return command


def echo_proposals(proposals) -> None:
    """The proposals table (without geometry) as one JSON document on stdout: ``{"proposals": [...]}``."""
    import json

    import pandas as pd

    table = pd.DataFrame(proposals.drop(columns=proposals.geometry.name))
    rows = json.loads(table.to_json(orient="records", force_ascii=False))
    click.echo(json.dumps({"proposals": rows}, ensure_ascii=False, indent=2))
