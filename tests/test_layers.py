"""The package tree is the pipeline: layers import only downwards, no module imports
another in a loop, and the library never imports typer (contracts in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import grimp
import networkx as nx
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _import_graph() -> nx.DiGraph:
    graph = grimp.build_graph("kg", cache_dir=None)
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    return g


def test_no_module_imports_another_in_a_loop():
    cycles = sorted(sorted(c) for c in nx.simple_cycles(_import_graph()))
    assert cycles == [], f"import cycles: {cycles}"


def test_the_cycle_check_can_fail():
    # Any import turned back on itself is found (the check is not vacuous).
    g = _import_graph()
    importer, imported = next((a, b) for a, b in g.edges if a.startswith("kg.graph") and b.startswith("kg.store"))
    g.add_edge(imported, importer)
    assert any(nx.simple_cycles(g))


def test_the_library_does_not_import_the_cli_or_typer():
    g = _import_graph()
    library = [m for m in g if not m.startswith(("kg.cli", "kg.__main__")) and m != "kg"]
    for module in library:
        assert not any(n.startswith(("kg.cli", "typer")) for n in g.successors(module)), module
