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


# Readable units: a module over about 400 lines, or a class over about 200, is split by
# responsibility. The exceptions say why they stay whole.
MODULE_LINES, CLASS_LINES = 420, 220
WHOLE = {
    # DNA's network definitions (statements, duplicates, one- and two-mode matrices) side by side,
    # each beside the place in DNA's Exporter.java it follows.
    "kg/analysis/dna_networks.py": "DNA's definitions together",
    # Rule passes over one parsed sentence: their methods share the sentence's tokens, mentions and
    # cues; each is a candidate for splitting into per-construction helpers (issue 14's note).
    "kg/extraction/stance.py:CueFinder": "one pass over a sentence",
    "kg/extraction/topic_index.py:TopicIndex": "one pass over a sentence",
    "kg/extraction/topic_mentions.py:TopicMentions": "one pass over a sentence",
    "kg/extraction/phrase_topics.py:PhraseTopics": "one pass over a sentence",
    "kg/extraction/attribution.py:Attribution": "one pass over a sentence",
    # The review app's one writer of curated YAML: every change goes through its round-trip document.
    "kg/web/review_store.py:ReviewStore": "one round-trip document",
}


def _sizes():
    import ast

    for path in sorted((ROOT / "kg").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        yield name, None, text.count("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                yield name, node.name, node.end_lineno - node.lineno + 1


def test_modules_and_classes_are_readable():
    too_big = [(f"{name}:{cls}" if cls else name, n) for name, cls, n in _sizes()
               if n > (CLASS_LINES if cls else MODULE_LINES) and (f"{name}:{cls}" if cls else name) not in WHOLE]
    assert too_big == [], f"split these by responsibility, or say in WHOLE why not: {too_big}"
