"""Languages: every user-facing text in zh-CN (the default) and English, from gettext catalogs.

Texts are written in the code in English, as *templates with named fields*, and marked with :func:`t`
(translate now) or :func:`N_` (mark for later); Babel extracts them (``pybabel extract -k t -k N_``)
into ``messages.pot``, and ``zh_CN.po`` beside this module holds the Chinese. The catalog is compiled
with Babel when first used (no binary ``.mo`` in the repository) and read through the standard library's
:mod:`gettext`; the compiled catalog is kept in the user's cache folder (``YANGAO_GEO_CACHE``, else
``$XDG_CACHE_HOME``/``%LOCALAPPDATA%``/``~/.cache``, then ``yangao_geo``), named by the hash of the
``.po``, so later runs skip the 0.1 s of compiling; a cache that cannot be written or read is simply not
used. A test fails when a text marked in the code lacks a Chinese translation, or when a translation's
named fields differ from its template's.

The language of a run is ``lang=`` in Python, ``--lang`` on the command line, ``lang`` in a config file;
:func:`use_lang` sets it for a block of code.

Examples
--------
>>> with use_lang("en"):
...     t("needs attention")
'needs attention'
>>> with use_lang("zh"):
...     t("needs attention")
'需关注'
>>> with use_lang("zh"):
...     t("{layer} feature {feature}", layer="生态保护红线", feature="R1")
'生态保护红线要素 R1'
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import hashlib
import io
import os
import string
from importlib import resources
from pathlib import Path

__all__ = ["LANGS", "N_", "current_lang", "either", "normalise_lang", "t", "use_lang"]

#: the languages, by their codes; zh is zh-CN, the default
LANGS = {"zh": "zh_CN", "en": "en"}
_LANG = contextvars.ContextVar("yangao_geo_lang", default=None)
_ALIASES = {
    "zh": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "cn": "zh",
    "chinese": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "英文": "en",
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "english": "en",
}


def normalise_lang(lang) -> str:
    """``"zh"`` or ``"en"`` for a language name (zh-CN, zh_CN, en, English …); ValueError otherwise."""
    key = str(lang).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"unknown language {lang!r}; expected zh (简体中文, the default) or en")
    return _ALIASES[key]


def current_lang() -> str:
    """The language in force: the innermost :func:`use_lang`, else ``YANGAO_GEO_LANG``, else zh."""
    lang = _LANG.get()
    if lang is not None:
        return lang
    try:
        return normalise_lang(os.environ.get("YANGAO_GEO_LANG") or "zh")
    except ValueError:
        return "zh"


@contextlib.contextmanager
def use_lang(lang):
    """Speak ``lang`` in every text made inside the block."""
    token = _LANG.set(normalise_lang(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


@functools.lru_cache(maxsize=4)
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    po = resources.files(__name__).joinpath(f"{LANGS[lang]}.po").read_bytes()
    cached = _cache_dir() / f"{LANGS[lang]}-{hashlib.sha256(po).hexdigest()[:20]}.mo"
    try:
        return gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
    except Exception:  # not cached yet, unreadable or damaged: compile it
        pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po), locale=LANGS[lang])
    mo = io.BytesIO()
    write_mo(mo, catalog)
    try:  # written whole or not at all: another process may be reading it
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        partial.write_bytes(mo.getvalue())
        os.replace(partial, cached)
    except OSError:
        pass
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def _cache_dir() -> Path:
    root = os.environ.get("YANGAO_GEO_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA") or Path.home() / ".cache"
    return Path(base) / "yangao_geo"


def t(template: str, /, **fields) -> str:
    """``template`` in the current language, its named fields filled (``t("{n} blocks", n=3)``)."""
    text = _translations(current_lang()).gettext(template)
    return text.format(**fields) if fields else text


def either(text: str | None, text_zh: str | None) -> str | None:
    """A data file's own two wordings of one text (not the catalog's): ``text_zh`` in Chinese when it has one.

    Examples
    --------
    >>> with use_lang("zh"):
    ...     either("placeholder", "暂作参考值"), either("placeholder", "")
    ('暂作参考值', 'placeholder')
    >>> with use_lang("en"):
    ...     either("placeholder", "暂作参考值")
    'placeholder'
    """
    return text_zh if text_zh and current_lang() == "zh" else text


def N_(template: str) -> str:
    """Mark ``template`` for translation without translating it now (translate later with :func:`t`)."""
    return template


def fields_of(template: str) -> set[str]:
    """The named fields of a template (for the catalog test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
