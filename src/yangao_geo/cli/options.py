"""Option values shared by the commands."""

from __future__ import annotations

import click

from ..i18n import N_, use_lang

__all__ = ["Vocabulary", "crs_option", "lang_option"]


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
