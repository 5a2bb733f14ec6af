"""One vocabulary: every entry point (CLI, check(), check_many(), config files, QGIS) takes the same values.

The values come from one table (:mod:`yangao_geo.vocabulary`); these tests enumerate the options of every
command and of the Python functions, feed each of them every name in the table, and compare what the
entry points find for the same inputs.
"""

import json

import click
import geopandas as gpd
import pytest

import yangao_geo
from test_cli import cli
from yangao_geo.cli.main import cli as cli_group
from yangao_geo.cli.options import Vocabulary
from yangao_geo.config import build_settings
from yangao_geo.layers import bundled_blocks_path, load_constraints
from yangao_geo.vocabulary import VOCABULARY, canonical_values, normalise

#: option -> (CLI flag of `check`, keyword of check()/check_many())
CHECK_OPTIONS = {
    "kind": ("--kind", "kind"),
    "edges": ("--edges", "edges"),
    "regulations": ("--regulations", "regulations_profile"),
    "area_unit": ("--area-unit", "area_unit"),
    "lang": ("--lang", "lang"),
}


def _aliases():
    return [
        (option, value, name)
        for option, values in VOCABULARY.items()
        for value, names in values.items()
        for name in names
    ]


@pytest.mark.parametrize(("option", "value", "name"), _aliases())
def test_every_name_in_the_table_means_its_value(option, value, name):
    assert normalise(option, name) == value
    assert normalise(option, f"  {name.upper()} ") == value  # case and spaces do not matter


def test_no_command_option_lists_its_own_choices():
    """An option with a fixed set of values reads the table (a click.Choice would drift from it)."""
    vocabulary_options = set()
    for name, command in cli_group.commands.items():
        for param in command.params:
            assert not isinstance(param.type, click.Choice), (name, param.name)
            if isinstance(param.type, Vocabulary):
                vocabulary_options.add(param.type.option)
                for value, names in VOCABULARY[param.type.option].items():
                    for alias in names:
                        assert param.type.convert(alias, param, None) == value, (name, param.name, alias)
    assert vocabulary_options == set(VOCABULARY)  # every table entry is some command's option


@pytest.mark.parametrize(
    ("option", "value", "name"), [a for a in _aliases() if a[0] in ("edges", "regulations", "area_unit", "lang")]
)
def test_python_and_config_files_take_every_name(option, value, name):
    keyword = {"regulations": "regulations"}.get(option, option)
    settings = build_settings(**{keyword: name})
    assert getattr(settings, option) == value
    assert getattr(build_settings({option: name}), option) == value  # a config file's key


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory):
    path = tmp_path_factory.mktemp("vocab") / "blocks.gpkg"
    gpd.read_file(bundled_blocks_path()).iloc[[0, 2, 5]].to_file(path)
    return path


@pytest.fixture(scope="module")
def constraint_set():
    return load_constraints(None)


def _findings(document: dict) -> list:
    return sorted(
        (f["block_id"] or "", f["rule_id"], f["feature_id"] or "", f["overlap_m2"], f["message"])
        for f in document["findings"]
    )


@pytest.mark.parametrize("option", list(CHECK_OPTIONS))
def test_cli_check_and_check_many_find_the_same_for_every_option(option, small_blocks, constraint_set, capsys):
    flag, keyword = CHECK_OPTIONS[option]
    for value in canonical_values(option):
        names = VOCABULARY[option][value]
        alias = names[-1]  # the last name: a Chinese one where there is one
        code, out = cli("check", str(small_blocks), flag, alias, "--json", capsys=capsys)
        assert code in (0, 1), out.err
        from_cli = json.loads(out.out)
        # a loaded set of layers serves the Python calls (as in a notebook); its edges must be the run's
        layers = load_constraints(None, edges=value) if option == "edges" else constraint_set
        from_python = yangao_geo.check(small_blocks, layers, **{keyword: alias}).to_dict()
        (result,) = yangao_geo.check_many([small_blocks], layers, jobs=1, **{keyword: alias})
        from_batch = result.report.to_dict()
        assert _findings(from_cli) == _findings(from_python) == _findings(from_batch), (option, alias)
        if option in ("edges", "regulations"):
            got = [doc["settings"][option] for doc in (from_cli, from_python, from_batch)]
            got = [g["profile"] if isinstance(g, dict) else g for g in got]
            assert got == [value] * 3, got
        if option == "kind":
            assert {b["kind"] for b in from_cli["blocks"]} == {value}
        if option == "lang":
            assert from_cli["settings"]["lang"] == from_python["settings"]["lang"] == value
        if option == "area_unit":
            assert from_cli["settings"]["area_unit"] == from_python["settings"]["area_unit"] == value


def test_fail_on_means_the_same_on_the_command_line_and_in_python(small_blocks, capsys):
    report = yangao_geo.check(small_blocks)
    for value in canonical_values("fail_on"):
        for alias in VOCABULARY["fail_on"][value]:
            code, _ = cli("check", str(small_blocks), "-q", "--fail-on", alias, capsys=capsys)
            assert code == report.exit_code(alias) == report.exit_code(value)


def test_fix_options_take_the_table_names(small_blocks):
    a = yangao_geo.fix(small_blocks, keep="最大一块", policy="先列者保留").proposals
    b = yangao_geo.fix(small_blocks, keep="largest", policy="earlier").proposals
    assert a.area_after_m2.tolist() == b.area_after_m2.tolist()


def test_layers_loaded_for_one_edge_convention_are_refused_for_another(small_blocks, constraint_set):
    with pytest.raises(yangao_geo.InputError, match="loaded with edges=source but this run uses edges=vertices"):
        yangao_geo.check(small_blocks, constraint_set, edges="vertices")
