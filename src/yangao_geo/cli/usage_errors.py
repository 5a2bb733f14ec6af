"""Click's usage errors (a mistyped option, a missing argument, a value that is not a number) in the run's language.

Click words these itself, in English, with no Chinese catalog of its own. :func:`usage_message` words them
again from what the exception holds — the option, the parameter, the value — and, for the reasons click's
types give (``'abc' is not a valid float.``), from the sentence's known shapes; a sentence of unknown shape
(a later click) is shown as click wrote it. Reasons our own parameter types give are already translated.

Examples
--------
>>> import click
>>> from yangao_geo.i18n import use_lang
>>> with use_lang("zh"):
...     usage_message(click.NoSuchOption("--tolerence", possibilities=["--tolerance"]))
'没有选项 --tolerence（是否要用 --tolerance？）'
>>> with use_lang("en"):
...     usage_message(click.UsageError("No such command 'chek'."))
'no such command chek'
"""

from __future__ import annotations

import re

import click

from ..i18n import N_, t

__all__ = ["usage_message"]

#: click's sentences (click 8) as templates of ours: the groups are the template's fields, in order
_NEEDS_VALUE = re.compile(r"^Option '(?P<name>.*)' requires (?:an argument|\d+ arguments)\.$")
_SHAPES = (
    (re.compile(r"^No such command '(?P<name>.*)'\.$"), N_("no such command {name}")),
    (re.compile(r"^Missing command\.$"), N_("a command is missing")),
    (re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$"), N_("unexpected extra argument(s): {args}")),
    (_NEEDS_VALUE, N_("option {name} takes a value")),
    (re.compile(r"^'(?P<value>.*)' is not a valid float\.$"), N_("{value} is not a number")),
    (re.compile(r"^'(?P<value>.*)' is not a valid integer\.$"), N_("{value} is not a whole number")),
    (re.compile(r"^(?P<value>.*) is not in the range (?P<range>.*)\.$"), N_("{value} is not in the range {range}")),
)


def _reworded(message: str) -> str:
    for shape, template in _SHAPES:
        found = shape.match(message.strip())
        if found:
            return t(template, **found.groupdict())
    return message


def _param_name(exc) -> str:
    param = getattr(exc, "param", None)
    if isinstance(param, click.Argument):
        return param.human_readable_name
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return str(getattr(exc, "param_hint", None) or "")


def usage_message(exc: click.UsageError) -> str:
    """What was wrong on the command line, in the current language (see the module's docstring)."""
    if isinstance(exc, click.NoSuchOption):
        text = t("no such option {option}", option=exc.option_name)
        if exc.possibilities:
            text += t(" (did you mean {choices}?)", choices=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, click.MissingParameter):
        name = _param_name(exc)
        if isinstance(exc.param, click.Argument):
            return t("missing argument {name}", name=name)
        return t("missing option {name}", name=name)
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc)
        reason = _reworded(exc.message)
        return t("invalid value for {name}: {reason}", name=name, reason=reason) if name else reason
    return _reworded(exc.message)
