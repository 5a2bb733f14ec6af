"""Run the Examples sections of every module's docstrings, on the installed package."""

import doctest
import importlib
import pkgutil

import pytest

import yangao_geo

_SUBMODULES = pkgutil.walk_packages(yangao_geo.__path__, "yangao_geo.")
MODULES = ["yangao_geo", *sorted(m.name for m in _SUBMODULES if not m.name.startswith("yangao_geo.cli"))]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
