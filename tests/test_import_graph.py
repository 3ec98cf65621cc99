"""The shape of the house (``house-style.md``): no import circles anywhere, imports flow one way,
and no test imports a test module or a conftest.

Every ``import`` of every project module is read from the source, including those inside
functions, so a cycle cannot hide behind a lazy import.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("runphys", "athletes", "exercises", "assessments")
# Where the assessments app may reach into its programs room, because Django looks for these only
# in the app's own package: its models module registers the models, its ready() the export and
# erasure hooks; management commands and migrations are found there too.
PROGRAMS_ENTRY_POINTS = {"assessments.models", "assessments.apps"}
ENTRY_PACKAGES = ("assessments.management.", "assessments.migrations.")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [name if name in modules else node.module for name in names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_reads_lazy_imports_too():
    edges = graph()
    assert "assessments.programs.handouts" in edges["assessments.programs.views"]
    assert "runphys.pdf_child" in edges["runphys.pdf"]


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_there_are_no_import_circles():
    assert cycles(graph()) == []


def test_imports_flow_one_way():
    wrong = []
    for module, targets in graph().items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if app in {"athletes", "exercises"} and other not in {app, "runphys"}:
                wrong.append((module, target))
            if app == "runphys" and other != "runphys" and module != "runphys.urls":
                wrong.append((module, target))
            if (target.startswith("assessments.programs") and not module.startswith("assessments.programs")
                    and app == "assessments" and module not in PROGRAMS_ENTRY_POINTS
                    and not module.startswith(ENTRY_PACKAGES)):
                wrong.append((module, target))
    assert wrong == []


def test_no_test_module_or_conftest_is_imported():
    """Tests share code through ``tests.factories``, ``tests.helpers`` and the other plain modules
    of tests/; fixtures come from conftest files by pytest's own lookup. A test module is no library
    (a test function imported by name is collected twice), and a conftest imported by name is loaded
    a second time beside the one pytest loaded."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            wrong += [(str(path.relative_to(ROOT)), name) for name in names
                      if name.startswith("tests.") and name.split(".")[-1].startswith(("test_", "conftest"))]
    assert wrong == []
