"""Agreement between coders: Krippendorff's alpha per variable over curated files (and the extractor).

Each curated file is one coder: its ``coder`` when kg/curated.py reads one, else the one coder its
rows' notes name (``note: "coder: ana; time: …"``, as ``kg review --coder ana`` writes them), else the
file's name without extension. Alpha is computed by the maintained ``krippendorff`` package; this module only
decides what a unit is and which value each coder gives it.

Units. A unit is a passage of one document: the rows of all coders in a document whose quote spans
overlap (directly or through a chain of overlapping rows) form one cluster. Where every coder has at
most one row in a cluster, the cluster is one unit; where a coder coded several statements in it
(one quote, two actors), each coder's rows are taken in text order (start, end, actor, target) and the
k-th rows of the coders form the k-th unit.

Omissions. A coder who coded a document (has at least one row in it) but has no row for a unit
another coder found gives that unit the explicit value ``none``: having read the passage, the coder
judged that it states no position, and that judgement disagrees with the other coder's. Krippendorff
counts such gaps as disagreement in unitizing (Krippendorff 1995, "On the reliability of unitizing
continuous data"; Content Analysis, ch. 12): treating them as missing values would drop exactly the
units on which coders disagree most and inflate alpha. Missing values (``nan``) are kept for what
the literature means by them: a coder who did not code the document at all. The extractor reads
every shared document, so its omissions are always ``none``.

Variables: ``statement`` (was a position coded here at all: the unitizing agreement), ``actor``,
``stance``, ``target`` and ``certainty``, all nominal with ``none``; ``certainty`` also ordinal
(possible < probable < certain), where ``none`` has no place on the scale, so omissions are missing
there and the ordinal alpha is that of the units both coders coded.
"""

from __future__ import annotations

import copy
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.model.errors import InputError
from kg.model.records import Assertion, Document
from kg.ingest.reference import Reference

NONE = "none"
VARIABLES = ("statement", "actor", "stance", "target", "certainty")
ORDINAL = {"possible": 0, "probable": 1, "certain": 2}
EXTRACTOR = "extractor"


@dataclass
class Coder:
    """One coder's rows; ``documents`` are those the coder coded (the extractor: all it ran on)."""

    name: str
    assertions: list[Assertion]
    documents: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.documents = set(self.documents) | {a.doc for a in self.assertions}


@dataclass(frozen=True)
class Unit:
    """One aligned statement: a document, the span the rows cover, and each coder's row (or None)."""

    doc: str
    start: int
    end: int
    rows: tuple[Assertion | None, ...]


def _value(row: Assertion | None, variable: str) -> str:
    if row is None:
        return NONE
    if variable == "statement":
        return "coded"
    if variable == "actor":
        return row.actor.iri
    if variable == "target":
        return row.target.iri
    return getattr(row, variable)


def _clusters(rows: list[tuple[int, Assertion]]) -> list[list[tuple[int, Assertion]]]:
    """Rows (coder index, assertion) of one document grouped by chains of overlapping spans."""
    rows = sorted(rows, key=lambda r: (r[1].start, r[1].end))
    out: list[list[tuple[int, Assertion]]] = []
    end = -1
    for r in rows:
        if out and r[1].start < end:  # shares a character with the cluster so far
            out[-1].append(r)
            end = max(end, r[1].end)
        else:
            out.append([r])
            end = r[1].end
    return out


def align(coders: Sequence[Coder]) -> tuple[list[Unit], list[str]]:
    """The units of the documents at least two of ``coders`` coded, and those documents (sorted)."""
    shared = sorted(d for d in set().union(*(c.documents for c in coders))
                    if sum(d in c.documents for c in coders) >= 2) if coders else []
    by_doc: dict[str, list[tuple[int, Assertion]]] = defaultdict(list)
    for i, c in enumerate(coders):
        for a in c.assertions:
            by_doc[a.doc].append((i, a))
    units: list[Unit] = []
    for doc in shared:
        rows = by_doc[doc]
        for cluster in _clusters(rows):
            per_coder: dict[int, list[Assertion]] = defaultdict(list)
            for i, a in cluster:
                per_coder[i].append(a)
            for rs in per_coder.values():
                rs.sort(key=lambda a: (a.start, a.end, a.actor.iri, a.target.iri))
            for k in range(max(len(rs) for rs in per_coder.values())):
                picked = tuple(per_coder[i][k] if k < len(per_coder[i]) else None for i in range(len(coders)))
                units.append(Unit(doc, min(a.start for _, a in cluster), max(a.end for _, a in cluster), picked))
    return units, shared


def reliability_data(coders: Sequence[Coder], units: Sequence[Unit], variable: str,
                     level: str = "nominal") -> list[list[float]]:
    """The coders × units matrix for ``krippendorff.alpha``: nominal values as integer codes (in order of
    first appearance), ordinal certainty as 0/1/2; ``nan`` where a coder did not code the document."""
    codes: dict[str, int] = {}
    matrix = []
    for i, coder in enumerate(coders):
        line = []
        for u in units:
            row = u.rows[i]
            if u.doc not in coder.documents or (level == "ordinal" and row is None):
                line.append(math.nan)
            elif level == "ordinal":
                line.append(float(ORDINAL[row.certainty]))
            else:
                line.append(float(codes.setdefault(_value(row, variable), len(codes))))
        matrix.append(line)
    return matrix


def alpha(matrix: list[list[float]], level: str = "nominal") -> float | None:
    """Krippendorff's alpha of a coders × units matrix; None where it is undefined (fewer than two
    pairable values, or a single value everywhere: no variation to agree on)."""
    import krippendorff
    import numpy as np

    data = np.array(matrix, dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any() or len(np.unique(data[:, pairable][~np.isnan(data[:, pairable])])) < 2:
        return None
    domain = list(ORDINAL.values()) if level == "ordinal" else None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=level, value_domain=domain))


def _pairable(matrix: list[list[float]]) -> int:
    return sum(1 for j in range(len(matrix[0]) if matrix else 0)
               if sum(not math.isnan(line[j]) for line in matrix) >= 2)


def report(coders: Sequence[Coder], group: str | None = None) -> list[dict]:
    """One row per variable (and certainty's ordinal reading): group, variable, level, alpha, units
    (those with values from at least two coders), documents, coders."""
    units, shared = align(coders)
    group = group or " ~ ".join(c.name for c in coders)
    rows = []
    for variable, level in [*((v, "nominal") for v in VARIABLES), ("certainty", "ordinal")]:
        matrix = reliability_data(coders, units, variable, level)
        a = alpha(matrix, level)
        rows.append({"group": group, "variable": variable, "level": level,
                     "alpha": None if a is None else round(a, 4), "units": _pairable(matrix),
                     "documents": len(shared), "coders": len(coders)})
    return rows


def groups(coders: Sequence[Coder], extractor: Coder | None = None) -> list[tuple[str, list[Coder]]]:
    """What to compare: all coders; each pair when there are more than two; with an extractor, the
    extractor against each coder and against all of them together."""
    out: list[tuple[str, list[Coder]]] = []
    if len(coders) >= 2:
        out.append(("coders", list(coders)))
    if len(coders) > 2:
        out += [(f"{a.name} ~ {b.name}", [a, b]) for n, a in enumerate(coders) for b in coders[n + 1:]]
    if extractor is not None:
        out += [(f"{extractor.name} ~ {c.name}", [extractor, c]) for c in coders]
        if len(coders) >= 2:
            out.append((f"{extractor.name} ~ coders", [extractor, *coders]))
    return out


_NOTED_CODER = re.compile(r"\bcoder:\s*([^;\]\n]+?)\s*(?:;|\]|$)")


def noted_coders(path: Path) -> set[str]:
    """The coders the rows' notes name, as ``kg review`` writes them (``note: "coder: ana; time: …"``)."""
    import json

    from kg.ingest.safe_yaml import load_yaml, read_text

    text = read_text(path, "curated file")
    if path.suffix.lower() == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        top = load_yaml(text, path)
        rows = top.get("assertions") or [] if isinstance(top, dict) else []
    notes = (r.get("note") for r in rows if isinstance(r, dict))
    return {m.group(1) for n in notes if isinstance(n, str) for m in [_NOTED_CODER.search(n)] if m}


def coder_name(path: Path, curated) -> str:
    """The coder a curated file names: its ``coder`` when kg/curated.py reads one, else the one coder
    its rows' notes name (``kg review --coder``), else the file's name without extension."""
    named = getattr(curated, "coder", None)
    if named:
        return named
    noted = noted_coders(path)
    return noted.pop() if len(noted) == 1 else path.stem


def load_coders(paths: Iterable[str | Path], documents: dict[str, Document], reference: Reference) -> list[Coder]:
    """One coder per curated file (YAML or JSON Lines), each checked against its own copy of the
    reference data (so two coders may declare the same new actor). Two files naming the same coder
    are an error."""
    from kg.ingest.curated import load_curated, load_curated_jsonl

    coders: list[Coder] = []
    for path in map(Path, paths):
        if not path.is_file():
            raise InputError("no such file", path)
        load = load_curated_jsonl if path.suffix.lower() == ".jsonl" else load_curated
        curated = load(path, documents, copy.deepcopy(reference))
        name = coder_name(path, curated)
        if any(c.name == name for c in coders):
            raise InputError(f"coder {name!r} is named by two files; give each coder one file", path)
        if name == EXTRACTOR:
            raise InputError(f"coder name {EXTRACTOR!r} is kept for the automatic extractor", path)
        coders.append(Coder(name, list(curated.assertions)))
    return coders


def extractor_coder(coders: Sequence[Coder], documents: dict[str, Document], reference: Reference,
                    extract: Callable[[Document, Reference], list[Assertion]]) -> Coder:
    """The extractor as a coder of every document some coder coded (``extract(document, reference)``)."""
    docs = sorted(set().union(*(c.documents for c in coders)) & documents.keys()) if coders else []
    found = [a for d in docs for a in extract(documents[d], reference)]
    return Coder(EXTRACTOR, found, set(docs))


def agreement(paths: Iterable[str | Path], documents: Iterable[Document], reference: Reference, *,
              extract: Callable[[Document, Reference], list[Assertion]] | None = None) -> list[dict]:
    """Alpha per variable for every group of :func:`groups` over the curated files at ``paths``."""
    docs = {d.id: d for d in documents}
    coders = load_coders(paths, docs, reference)
    if len(coders) < (1 if extract else 2):
        raise InputError("agreement needs at least two curated files (one is enough with the extractor)")
    ext = extractor_coder(coders, docs, reference, extract) if extract else None
    rows = []
    for name, members in groups(coders, ext):
        rows += report(members, name)
    return rows
