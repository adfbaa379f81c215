"""Hand-curated assertions: a YAML file an analyst edits, checked line by line.

Format (see ``seeds/curated.yaml``)::

    actors:                     # optional: actors the gazetteer lacks
      - {label: Kaja Kallas, type: Person, aliases: [Kallas]}
    reject:                     # optional: extracted assertions to drop on every build
      - {id: 3f2a9c0d1e4b5a67, reason: misread irony}
    assertions:
      - doc: 000_33a90556ae30723f
        actor: Poland
        stance: supports        # supports | opposes | hesitant | divided | neutral
        target: troop-deployment  # topic notation or label; "actor:Ukraine" for an actor;
                                  # "text:ban on grain imports" for a target that is neither
        attributed_to: Anders Fogh Rasmussen   # the speaker, or null
        certainty: possible     # certain | probable | possible
        quote: countries like Poland and the Baltic states may be ready to send troops

Quotes must occur verbatim in the document; their offsets are computed here.
A ``text:`` target is uncoded (kg:UncodedTarget, its words as label); without the
prefix an unknown target stays an error, so a misspelt topic is caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.model.errors import InputError, KgError, UnknownNameError
from kg.model.records import Actor, Assertion, Document
from kg.model.namespaces import CERTAINTIES, STANCES, actor_iri
from kg.ingest.reference import TEXT_PREFIX, Reference
from kg.ingest.safe_yaml import compose_yaml, is_null, read_text
from kg.ingest.safe_yaml import mapping as _mapping
from kg.ingest.safe_yaml import scalar as _scalar
from kg.ingest.safe_yaml import sequence as _sequence

ACTOR_TYPES = ("Person", "State", "InternationalOrganisation", "ActorGroup", "Actor")
_ASSERTION_KEYS = {"doc", "actor", "stance", "target", "attributed_to", "certainty", "quote", "note"}
_VALUE_KEYS = _ASSERTION_KEYS - {"note"}
_JSONL_KEYS = _ASSERTION_KEYS | {"optional", "id"}  # gold rows carry an id and an evaluation flag
_REQUIRED = ("doc", "actor", "stance", "target", "certainty", "quote")
_ACTOR_KEYS = ("label", "type", "aliases")


@dataclass
class CuratedFile:
    """What one curated file contributes: assertions, declared actors and rejections."""

    path: str
    assertions: list[Assertion] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


def _compose(path: Path):
    """The file's YAML node tree, read with bounds (depth, aliases): see :mod:`kg.ingest.safe_yaml`."""
    return compose_yaml(read_text(path, "curated file"), path)


def _section(top: dict, key: str, path: Path) -> list:
    """The items of a top-level list; a missing or empty section (``assertions:``) has none."""
    if key not in top or is_null(top[key][1]):
        return []
    return _sequence(top[key][1], path, key)


def load_curated(path: str | Path, documents: dict[str, Document], reference: Reference) -> CuratedFile:
    """Read and check one curated file against the documents and the reference data.

    Declared actors are added to ``reference`` so later rows (and files) can name them.
    Every problem raises InputError naming the file and line.
    """
    path = Path(path)
    root = _compose(path)
    if root is None:
        raise InputError("empty curated file", path)
    top = _mapping(root, path, "curated file")
    unknown = set(top) - {"actors", "reject", "assertions"}
    if unknown:
        k = sorted(unknown)[0]
        raise InputError(f"unknown section {k!r} (expected actors, reject, assertions)", path, top[k][0].start_mark.line + 1)
    out = CuratedFile(str(path))

    for node in _section(top, "actors", path):
        fields = _mapping(node, path, "actor")
        line = node.start_mark.line + 1
        for k, (knode, _) in fields.items():
            if k not in _ACTOR_KEYS:
                raise InputError(f"unknown key {k!r} in a curated actor (expected {', '.join(_ACTOR_KEYS)}); "
                                 "memberships, roles and the like go in a gazetteer (a YAML file with a "
                                 "top-level 'gazetteer:' line)", path, knode.start_mark.line + 1)
        if "label" not in fields:
            raise InputError("actor needs a 'label'", path, line)
        label = _scalar(fields["label"][1], path, "label")
        type_ = _scalar(fields["type"][1], path, "type") if "type" in fields else "Actor"
        if type_ not in ACTOR_TYPES:
            raise InputError(f"unknown actor type {type_!r} (choose from {', '.join(ACTOR_TYPES)})", path, line)
        aliases = tuple(_scalar(a, path, "aliases") for a in _sequence(fields["aliases"][1], path, "aliases")) if "aliases" in fields else ()
        if reference.find_actor(label) is not None:
            raise InputError(f"actor {label!r} is already known; use its name instead of declaring it", path, line)
        actor = Actor(actor_iri(label), label, type_, aliases)
        reference.add_actor(actor)
        out.actors.append(actor)

    for node in _section(top, "reject", path):
        fields = _mapping(node, path, "rejection")
        if "id" not in fields:
            raise InputError("rejection needs the 'id' of an extracted assertion", path, node.start_mark.line + 1)
        reason = _scalar(fields["reason"][1], path, "reason", allow_null=True) if "reason" in fields else ""
        out.rejected.append((_scalar(fields["id"][1], path, "id"), reason or ""))

    for node in _section(top, "assertions", path):
        out.assertions.append(_assertion(node, path, documents, reference))
    return out


def _assertion(node, path: Path, documents: dict[str, Document], reference: Reference) -> Assertion:
    fields = _mapping(node, path, "assertion")
    line = node.start_mark.line + 1

    def line_of(key: str) -> int:
        return fields[key][0].start_mark.line + 1 if key in fields else line

    for k in fields:
        if k not in _ASSERTION_KEYS:
            raise InputError(f"unknown key {k!r} (expected {', '.join(sorted(_ASSERTION_KEYS))})", path, line_of(k))
    values = {k: _scalar(fields[k][1], path, k, allow_null=(k == "attributed_to")) for k in fields if k != "note"}
    return make_assertion(values, path, line, line_of, documents, reference)


def make_assertion(v: dict, path: Path, line: int, line_of, documents: dict[str, Document],
                   reference: Reference) -> Assertion:
    """Check one curated row (already read as a dict of strings) and turn it into an Assertion."""
    for k in _REQUIRED:
        if not v.get(k):
            raise InputError(f"assertion is missing {k!r}", path, line)
    if v["stance"] not in STANCES:
        raise InputError(f"unknown stance {v['stance']!r} (choose from {', '.join(STANCES)})", path, line_of("stance"))
    if v["certainty"] not in CERTAINTIES:
        raise InputError(f"unknown certainty {v['certainty']!r} (choose from {', '.join(CERTAINTIES)})", path, line_of("certainty"))
    doc = documents.get(v["doc"])
    if doc is None:
        raise InputError(f"unknown document {v['doc']!r} (not among the documents being built)", path, line_of("doc"))
    quote = v["quote"]
    start = doc.text.find(quote)
    if start < 0:
        raise InputError(f"quote {quote[:60]!r} does not occur verbatim in document {doc.id}", path, line_of("quote"))

    def resolve(key: str, fn):
        try:
            return fn(v[key])
        except KgError as e:
            hint = (f" (for a target that is neither a topic nor an actor, write '{TEXT_PREFIX}{v[key]}')"
                    if key == "target" and isinstance(e, UnknownNameError) else "")
            raise InputError(f"{e}{hint}", path, line_of(key)) from None

    actor = resolve("actor", reference.resolve_actor)
    target = resolve("target", reference.resolve_target)
    speaker = resolve("attributed_to", reference.resolve_actor) if v.get("attributed_to") else None
    return Assertion(
        doc=doc.id, actor=actor, stance=v["stance"], target=target, certainty=v["certainty"],
        quote=quote, start=start, end=start + len(quote), attributed_to=speaker,
        method="curated", origin=f"{path.name}:{line}",
    )


def iter_jsonl(path: Path):
    """(line number, object) for each non-blank line of a JSON Lines file; bad lines raise InputError."""
    import json

    try:
        handle = path.open(encoding="utf-8")
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    with handle:
        try:
            for n, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except json.JSONDecodeError as e:
                    raise InputError(f"bad JSON: {e.msg} (column {e.colno})", path, n) from None
                if not isinstance(row, dict):
                    raise InputError("each line must be a JSON object", path, n)
                yield n, row
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 (offset {e.start})", path) from None


def load_curated_jsonl(path: str | Path, documents: dict[str, Document], reference: Reference) -> CuratedFile:
    """Read curated assertions from JSON Lines in the gold format (one object per line).

    Keys as in the YAML rows; ``optional`` (an evaluation flag) is accepted and ignored.
    """
    return CuratedFile(str(path), list(iter_curated_jsonl(path, documents, reference)))


def iter_curated_jsonl(path: str | Path, documents: dict[str, Document], reference: Reference) -> Iterator[Assertion]:
    """:func:`load_curated_jsonl` one checked assertion at a time (an empty file raises at the end)."""
    path = Path(path)
    n_rows = 0
    for n, row in iter_jsonl(path):
        unknown = row.keys() - _JSONL_KEYS
        if unknown:
            raise InputError(f"unknown key {sorted(unknown)[0]!r}", path, n)
        values = {k: (None if v is None else str(v)) for k, v in row.items() if k in _VALUE_KEYS}
        yield make_assertion(values, path, n, lambda _k, n=n: n, documents, reference)
        n_rows += 1
    if not n_rows:
        raise InputError("empty curated file", path)
