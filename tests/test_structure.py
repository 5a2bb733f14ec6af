"""The package's shape: imports go one way, the report writers never reach back into the Report module."""

import ast
from pathlib import Path

import yangao_geo

PACKAGE = Path(yangao_geo.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, nested: bool):
    """Modules of the package that ``path`` imports (at module level, or anywhere with ``nested``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    nodes = ast.walk(tree) if nested else tree.body
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                yield f"{target}.{alias.name}"
                yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name


def _graph(nested: bool) -> dict:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {i for i in _imports(p, nested=nested) if i in modules and i != m} for m, p in modules.items()}


def _cycles(graph) -> list:
    state, stack, cycles = {}, [], []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in graph[u]:
            if v.startswith(u + "."):  # a package importing its own submodules is not a cycle
                continue
            if state.get(v) == 1:
                cycles.append([*stack[stack.index(v) :], v])
            elif not state.get(v):
                visit(v)
        stack.pop()
        state[u] = 2

    for module in graph:
        if not state.get(module):
            visit(module)
    return cycles


def test_module_level_imports_have_no_cycle():
    assert not _cycles(_graph(nested=False))


#: the one import that points back up, by design: ``Report.propose_fixes`` is a convenience that calls
#: :func:`yangao_geo.fix` (which checks, which makes reports)
_UPWARD = {("yangao_geo.report", "yangao_geo.fixer")}


def test_imports_inside_functions_go_one_way_too():
    """No circle even through imports made inside functions: layers → streaming → overlap, engine → all."""
    graph = _graph(nested=True)
    for a, b in _UPWARD:
        graph[a].discard(b)
    assert not _cycles(graph)
    # the overlap kernel and the per-feature steps know nothing of layers, rules or strategies
    for low in ("yangao_geo.overlap", "yangao_geo.features"):
        assert not graph[low] & {
            "yangao_geo.engine",
            "yangao_geo.layers",
            "yangao_geo.streaming",
            "yangao_geo.distributed",
        }, low
    assert "yangao_geo.engine" not in graph["yangao_geo.streaming"] | graph["yangao_geo.distributed"]
    assert "yangao_geo.crs" not in graph["yangao_geo.planning_area"]


def test_report_writers_never_import_the_report_module():
    """The Report calls its writers (lazily); the writers read only its tables: no circle, even a lazy one."""
    graph = _graph(nested=True)
    writers = [m for m in graph if m.startswith("yangao_geo.reports")]
    assert {"yangao_geo.reports.json_document", "yangao_geo.reports.excel", "yangao_geo.reports.opinion"} <= set(
        writers
    )
    for module in writers:
        assert "yangao_geo.report" not in graph[module], module
        assert "yangao_geo.checker" not in graph[module], module


def test_every_report_format_has_its_own_writer_module():
    from importlib import import_module

    from yangao_geo.reports import FORMATS, WRITERS

    assert FORMATS == (".json", ".csv", ".gpkg", ".html", ".xlsx", ".docx")
    modules = {module for module, _ in WRITERS.values()}
    assert len(modules) == len(FORMATS)  # one module per format
    for module, function in WRITERS.values():
        assert callable(getattr(import_module(f"yangao_geo.reports.{module}"), function))


def test_importing_the_package_and_parsing_the_command_line_do_not_load_the_heavy_libraries():
    """``import yangao_geo`` and ``yangao-geo --help`` answer before geopandas, pandas or shapely load
    (their start-up time is measured in benchmarks/startup.py)."""
    import subprocess
    import sys

    probe = (
        "import sys, yangao_geo, yangao_geo.cli.main as m\n"
        "try:\n    m.cli.main(['check', '--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print(sorted(x for x in ('geopandas', 'pandas', 'shapely', 'pyogrio', 'pyproj', 'numpy') if x in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
    import yangao_geo

    assert yangao_geo.check.__module__ == "yangao_geo.checker" and yangao_geo.errors.InputError
    assert set(dir(yangao_geo)) >= {"check", "check_many", "fix", "Checker", "Report", "__version__"}


def test_the_partition_command_default_is_the_librarys():
    from yangao_geo.cli.partition import partition_command
    from yangao_geo.partition import FEATURES_PER_PART

    (param,) = [p for p in partition_command.params if p.name == "features_per_part"]
    assert param.default == FEATURES_PER_PART


def test_no_public_name_is_also_a_submodule_name():
    """``yangao_geo.fix`` must stay the function after ``import yangao_geo.<module>`` ran (a submodule named
    like a public name would replace it on the package once imported)."""
    import pkgutil

    import yangao_geo

    submodules = {m.name for m in pkgutil.iter_modules(yangao_geo.__path__)}
    assert not submodules & set(yangao_geo._EXPORTS)
