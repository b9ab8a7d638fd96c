"""The layout's rules, checked on the import graph (every import, module-level or inside a
function): arrows point down, the domain does no I/O, and no two modules need each other."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("flows", "schemas", "sources", "warehouse")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.lru_cache(maxsize=1)
def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}


@functools.lru_cache(maxsize=None)
def imports_of(path: Path) -> frozenset[str]:
    """Every module an import statement in the file names (absolute names; relative ones resolved)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module_name(path).split(".")
                package = package[: len(package) - node.level + (1 if path.name == "__init__.py" else 0)]
                base = ".".join(package + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path):
            # "from a.b import c" names a.b.c when c is a module, else a.b
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        edges[name] = targets
    return edges


def external_imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imports_of(path)}


def test_the_graph_is_read():
    edges = graph()
    assert "flows.cli.main" in edges and "flows.transform.compute.estimates" in edges
    assert "schemas.registry" in edges["warehouse.writes"]


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_lower_layers_never_import_flows():
    edges = graph()
    wrong = [(m, t) for m, ts in edges.items() for t in ts
             if m.split(".")[0] in ("schemas", "sources", "warehouse") and t.split(".")[0] == "flows"]
    assert wrong == []


def test_sources_never_import_the_warehouse():
    edges = graph()
    assert [(m, t) for m, ts in edges.items() for t in ts if m.startswith("sources") and t.startswith("warehouse")] == []


@pytest.mark.parametrize("forbidden", ["sources", "warehouse", "requests", "duckdb", "prefect", "urllib3", "http"])
def test_the_domain_does_no_io(forbidden):
    offenders = [name for name, path in project_modules().items()
                 if name.startswith("flows.transform") and forbidden in external_imports(path)]
    assert offenders == [], f"{forbidden} imported by {offenders}"


def test_prefect_lives_only_in_flows():
    offenders = [name for name, path in project_modules().items()
                 if "prefect" in external_imports(path) and not name.startswith("flows.")]
    assert offenders == []


ENV_READ = re.compile(r"os\.environ|os\.getenv|environ\.get")


def test_only_settings_reads_the_environment():
    readers = sorted(name for name, path in project_modules().items()
                     if ENV_READ.search(path.read_text()) and name != "flows.settings")
    assert readers == []


WRITE_SQL = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW)|"
                       r"ALTER\s+TABLE|DROP\s+TABLE|BEGIN\s+TRANSACTION|COPY\s)", re.IGNORECASE)


def test_every_write_goes_through_the_warehouse_package():
    writers = sorted(name for name, path in project_modules().items()
                     if not name.startswith("warehouse") and WRITE_SQL.search(path.read_text()))
    assert writers == []
