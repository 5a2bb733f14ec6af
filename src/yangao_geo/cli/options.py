"""Option values shared by the commands."""

from __future__ import annotations

import click

from ..i18n import N_, use_lang

__all__ = ["crs_option", "lang_option"]


def _enter_lang(ctx, param, value):
    if value is not None:
        ctx.with_resource(use_lang(value))
    return value


#: ``--lang zh|en`` for every command: messages, tables and reports in that language for the command's run
lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
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
