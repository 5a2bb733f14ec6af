"""Click commands whose help speaks the run's language.

Help texts are written in English and marked with :func:`~yangao_geo.i18n.N_` where the command and its
options are declared; :class:`Command` and :class:`Group` translate them (and click's own headings:
用法 / 选项 / 命令) when the help is shown, so that ``yangao-geo check --help`` is Chinese by default and
English with ``--lang en`` or ``YANGAO_GEO_LANG=en`` (the language is chosen before the arguments are
parsed: :func:`lang_of_args`).
"""

from __future__ import annotations

import contextlib
import os

import click

from ..i18n import N_, normalise_lang, t

__all__ = ["Command", "Group", "Option", "lang_of_args"]

#: click's own texts that our help shows
_CLICK_TEXTS = (N_("Show this message and exit."), N_("Show the version and exit."))


class Option(click.Option):
    """A click option whose help template has named fields filled when shown (``help_fields``)."""

    def __init__(self, *args, help_fields: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_fields = help_fields or {}


def lang_of_args(args) -> str:
    """The language a command line asks for: ``--lang X`` / ``--lang=X``, else ``YANGAO_GEO_LANG``, else zh.

    An unknown value falls back to zh here; the option itself then reports it.
    """
    value = os.environ.get("YANGAO_GEO_LANG") or "zh"
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
    try:
        return normalise_lang(value)
    except ValueError:
        return "zh"


@contextlib.contextmanager
def _translated(command: click.Command, ctx: click.Context):
    """The command's and its parameters' help texts in the current language, for the duration of a help."""
    saved = [(command, "help", command.help), (command, "short_help", command.short_help)]
    for param in command.get_params(ctx):
        saved.append((param, "help", getattr(param, "help", None)))
    try:
        for obj, attr, value in saved:
            if value:
                setattr(obj, attr, t(value, **getattr(obj, "help_fields", {})))
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


class _Localized:
    def format_help(self, ctx, formatter):
        with _translated(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        text = self.short_help or self.help
        if not text:
            return super().get_short_help_str(limit)
        saved = self.short_help, self.help
        try:
            self.short_help, self.help = (t(saved[0]) if saved[0] else None), (t(saved[1]) if saved[1] else None)
            return super().get_short_help_str(limit)
        finally:
            self.short_help, self.help = saved

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), t("Usage: "))

    def format_options(self, ctx, formatter):
        rows = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx)) is not None
        ]
        if rows:
            with formatter.section(t("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_Localized, click.Command):
    """A click command with help in the run's language."""


class Group(_Localized, click.Group):
    """A click group with help in the run's language (its sub-commands' short help too)."""

    command_class = Command

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(t("Commands")):
                formatter.write_dl(rows)
